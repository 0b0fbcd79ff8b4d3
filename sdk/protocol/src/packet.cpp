// SPDX-License-Identifier: MIT
#include "json_p.h"
#include "msgpack_p.h"
#include "packet_p.h"
#include <Palaver/Protocol/msgpack.h>
#include <Palaver/Protocol/packet.h>

#include <array>

namespace Palaver::Protocol {

bool isReservedEventName(std::string_view name) noexcept
{
    static constexpr std::array<std::string_view, 6> reserved {
        "connect",
        "connect_error",
        "disconnect",
        "disconnecting",
        "newListener",
        "removeListener",
    };
    for (const auto r : reserved) {
        if (r == name)
            return true;
    }
    return false;
}

std::string_view toString(PacketType type) noexcept
{
    switch (type) {
    case PacketType::Connect:
        return "CONNECT";
    case PacketType::Disconnect:
        return "DISCONNECT";
    case PacketType::Event:
        return "EVENT";
    case PacketType::Ack:
        return "ACK";
    case PacketType::ConnectError:
        return "CONNECT_ERROR";
    case PacketType::BinaryEvent:
        return "BINARY_EVENT";
    case PacketType::BinaryAck:
        return "BINARY_ACK";
    }
    return "UNKNOWN";
}

namespace detail {

namespace {

std::optional<Error> reconstruct(
    nlohmann::json &value, const std::vector<Bytes> &buffers, std::size_t depth)
{
    if (depth > MaxNestingDepth)
        return makeError(ErrorCode::NestingTooDeep, "data nested too deep");
    if (value.is_object()) {
        const auto marker = value.find("_placeholder");
        if (marker != value.end() && marker->is_boolean() && marker->get<bool>()) {
            const auto num = value.find("num");
            if (num == value.end() || !num->is_number_integer())
                return makeError(
                    ErrorCode::InvalidPlaceholder, "placeholder without an integer num");
            const bool unsignedNum = num->is_number_unsigned();
            const auto index = unsignedNum ? num->get<std::uint64_t>() : std::uint64_t(-1);
            if (!unsignedNum || index >= buffers.size())
                return makeError(ErrorCode::InvalidPlaceholder,
                    "placeholder num " + num->dump() + " out of range (0-"
                        + std::to_string(buffers.size()) + ")");
            value = nlohmann::json::binary(buffers[index]);
            return std::nullopt;
        }
        for (auto &child : value) {
            if (auto error = reconstruct(child, buffers, depth + 1))
                return error;
        }
    } else if (value.is_array()) {
        for (auto &child : value) {
            if (auto error = reconstruct(child, buffers, depth + 1))
                return error;
        }
    }
    return std::nullopt;
}

} // namespace

std::optional<Error> reconstructBinaries(nlohmann::json &data, const std::vector<Bytes> &buffers)
{
    return reconstruct(data, buffers, 0);
}

} // namespace detail

Result<nlohmann::json> packetData(const Packet &packet)
{
    try {
        if (packet.payload.empty())
            return nlohmann::json();
        if (packet.format == ParserKind::Msgpack)
            return Msgpack::decode(packet.payload);
        auto parsed = detail::parseJson(packet.payload);
        if (!parsed)
            return parsed;
        if (packet.type == PacketType::BinaryEvent || packet.type == PacketType::BinaryAck) {
            if (auto error = detail::reconstructBinaries(parsed.value(), packet.attachments))
                return std::move(*error);
        }
        return parsed;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidJson, std::string("data decode failed: ") + e.what());
    }
}

namespace {

bool isEvent(PacketType type)
{
    return type == PacketType::Event || type == PacketType::BinaryEvent;
}

Result<std::string> msgpackEventName(std::string_view payload)
{
    using Msgpack::detail::Item;
    Msgpack::detail::Reader reader(payload);
    Item item;
    if (!reader.next(item))
        return reader.error();
    if (item.kind != Item::Array || item.count == 0)
        return makeError(ErrorCode::InvalidPayload, "event data is not a non-empty array");
    if (!reader.next(item))
        return reader.error();
    switch (item.kind) {
    case Item::Str:
        return std::string(item.bytes);
    case Item::Int:
        return std::to_string(item.i);
    case Item::UInt:
        return std::to_string(item.u);
    case Item::Float:
        return nlohmann::json(item.d).dump();
    default:
        return makeError(ErrorCode::InvalidPayload,
            "the event name (first element) is neither a string nor a number");
    }
}

Result<std::string> jsonEventName(std::string_view payload)
{
    // Only the first element is looked at: the name decides whether anyone wants the rest.
    std::size_t i = 0;
    auto skipWs = [&] {
        while (i < payload.size()
            && (payload[i] == ' ' || payload[i] == '\t' || payload[i] == '\n'
                || payload[i] == '\r'))
            ++i;
    };
    skipWs();
    if (i >= payload.size() || payload[i] != '[')
        return makeError(ErrorCode::InvalidPayload, "event data is not an array");
    ++i;
    skipWs();
    if (i >= payload.size())
        return makeError(ErrorCode::InvalidJson, "unterminated event array");
    const std::size_t start = i;
    if (payload[i] == '"') {
        ++i;
        while (i < payload.size() && payload[i] != '"') {
            if (payload[i] == '\\')
                ++i;
            ++i;
        }
        if (i >= payload.size())
            return makeError(ErrorCode::InvalidJson, "unterminated event name");
        return detail::eventNameFromRaw('"', payload.substr(start, i + 1 - start));
    }
    if (payload[i] == '-' || (payload[i] >= '0' && payload[i] <= '9')) {
        while (i < payload.size()
            && (payload[i] == '-' || payload[i] == '+' || payload[i] == '.' || payload[i] == 'e'
                || payload[i] == 'E' || (payload[i] >= '0' && payload[i] <= '9')))
            ++i;
        return std::string(payload.substr(start, i - start));
    }
    if (payload[i] == ']')
        return makeError(ErrorCode::InvalidPayload, "event data is an empty array");
    return makeError(ErrorCode::InvalidPayload,
        "the event name (first element) is neither a string nor a number");
}

} // namespace

Result<std::string> eventName(const Packet &packet)
{
    try {
        if (!isEvent(packet.type))
            return makeError(ErrorCode::UnexpectedEvent,
                std::string(toString(packet.type)) + " packet has no event name");
        if (packet.payload.empty())
            return makeError(ErrorCode::InvalidPayload, "event without data");
        if (packet.format == ParserKind::Msgpack)
            return msgpackEventName(packet.payload);
        return jsonEventName(packet.payload);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidPayload, std::string("event name: ") + e.what());
    }
}

Result<ConnectError> connectError(const Packet &packet)
{
    if (packet.type != PacketType::ConnectError)
        return makeError(ErrorCode::UnexpectedEvent,
            std::string(toString(packet.type)) + " packet is not a CONNECT_ERROR");
    auto data = packetData(packet);
    if (!data)
        return data.error();
    auto &value = data.value();
    if (value.is_string())
        return ConnectError { value.get<std::string>(), nullptr };
    if (value.is_object()) {
        const auto message = value.find("message");
        if (message == value.end() || !message->is_string())
            return makeError(ErrorCode::InvalidPayload, "CONNECT_ERROR without a string message");
        ConnectError error { message->get<std::string>(), nullptr };
        if (const auto extra = value.find("data"); extra != value.end())
            error.data = std::move(*extra);
        return error;
    }
    return makeError(ErrorCode::InvalidPayload, "CONNECT_ERROR data is neither object nor string");
}

std::optional<std::string> takeRecoveryOffset(const Packet &packet, nlohmann::json &data)
{
    // Servers only append offsets to events that expect no ack (see the wire reference, 4).
    if (!isEvent(packet.type) || packet.id)
        return std::nullopt;
    if (!data.is_array() || data.size() < 2 || !data.back().is_string())
        return std::nullopt;
    std::string offset = std::move(data.back().get_ref<std::string &>());
    data.erase(data.size() - 1);
    return offset;
}

} // namespace Palaver::Protocol
