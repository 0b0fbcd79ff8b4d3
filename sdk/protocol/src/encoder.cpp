// SPDX-License-Identifier: MIT
#include "json_p.h"
#include <Palaver/Protocol/msgpack.h>
#include <Palaver/Protocol/packet.h>

namespace Palaver::Protocol {

namespace {

// Counts binary values, depth-first, stopping past the limit so hostile input stays cheap.
void countBinaries(const nlohmann::json &value, std::size_t &count)
{
    if (value.is_binary()) {
        ++count;
    } else if (value.is_array() || value.is_object()) {
        for (const auto &child : value) {
            if (count > MaxAttachments)
                return;
            countBinaries(child, count);
        }
    }
}

// Replaces binaries by placeholders in the order socket.io-parser's deconstructPacket visits
// them (depth first; object members in the value's own order, which is the decoder's too).
nlohmann::json deconstruct(const nlohmann::json &value, std::vector<std::string> &buffers)
{
    if (value.is_binary()) {
        const auto &bytes = value.get_binary();
        buffers.emplace_back(reinterpret_cast<const char *>(bytes.data()), bytes.size());
        nlohmann::json placeholder = nlohmann::json::object();
        placeholder["_placeholder"] = true;
        placeholder["num"] = buffers.size() - 1;
        return placeholder;
    }
    if (value.is_array()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto &child : value)
            out.push_back(deconstruct(child, buffers));
        return out;
    }
    if (value.is_object()) {
        nlohmann::json out = nlohmann::json::object();
        for (auto it = value.begin(); it != value.end(); ++it)
            out[it.key()] = deconstruct(it.value(), buffers);
        return out;
    }
    return value;
}

std::optional<Error> checkData(PacketType type, const nlohmann::json &data)
{
    auto wrong = [&](const char *expected) {
        return makeError(
            ErrorCode::InvalidPayload, std::string(toString(type)) + " data must be " + expected);
    };
    switch (type) {
    case PacketType::Connect:
        if (!data.is_null() && !data.is_object())
            return wrong("an object or null");
        break;
    case PacketType::Disconnect:
        if (!data.is_null())
            return wrong("null");
        break;
    case PacketType::Event:
    case PacketType::BinaryEvent:
        if (!data.is_array() || data.empty() || !data.front().is_string())
            return wrong("a non-empty array starting with the event name");
        if (isReservedEventName(data.front().get_ref<const std::string &>()))
            return makeError(ErrorCode::ReservedEventName,
                "\"" + data.front().get<std::string>() + "\" is a reserved event name");
        break;
    case PacketType::Ack:
    case PacketType::BinaryAck:
        if (!data.is_array())
            return wrong("an array");
        break;
    case PacketType::ConnectError:
        if (!data.is_object() && !data.is_string())
            return wrong("an object or a string");
        break;
    default:
        return makeError(ErrorCode::UnknownPacketType, "unknown packet type");
    }
    if (!detail::withinDepth(data, MaxNestingDepth))
        return makeError(ErrorCode::NestingTooDeep,
            "data nested deeper than " + std::to_string(MaxNestingDepth) + " levels");
    return std::nullopt;
}

std::string dumpPayload(PacketType type, const nlohmann::json &data)
{
    if (type == PacketType::ConnectError && data.is_object() && data.contains("message")) {
        // socket.io writes {message, data}; keeping that order makes the stub's refusals
        // byte-identical to a Node server's.
        std::string out = "{\"message\":" + detail::dumpJson(data["message"]);
        for (auto it = data.begin(); it != data.end(); ++it) {
            if (it.key() == "message")
                continue;
            out += ',' + detail::dumpJson(it.key()) + ':' + detail::dumpJson(it.value());
        }
        out += '}';
        return out;
    }
    return detail::dumpJson(data);
}

Result<Frames> encodeJson(PacketType type, const nlohmann::json &data,
    std::optional<std::uint64_t> id, std::string_view nsp)
{
    std::size_t binaries = 0;
    countBinaries(data, binaries);
    if (binaries > MaxAttachments)
        return makeError(ErrorCode::TooManyAttachments,
            "more than " + std::to_string(MaxAttachments) + " binary attachments");
    // An event with no binary is always sent as plain EVENT/ACK, and one with binary never is.
    if (type == PacketType::Event || type == PacketType::BinaryEvent)
        type = binaries ? PacketType::BinaryEvent : PacketType::Event;
    else if (type == PacketType::Ack || type == PacketType::BinaryAck)
        type = binaries ? PacketType::BinaryAck : PacketType::Ack;
    else if (binaries)
        return makeError(
            ErrorCode::InvalidPayload, std::string(toString(type)) + " cannot carry binary data");

    std::vector<std::string> buffers;
    std::string payload;
    if (!data.is_null())
        payload = binaries ? detail::dumpJson(deconstruct(data, buffers)) : dumpPayload(type, data);

    std::string text;
    text.reserve(payload.size() + nsp.size() + 24);
    text += '4';
    text += char('0' + int(type));
    if (binaries) {
        text += std::to_string(binaries);
        text += '-';
    }
    if (nsp != "/") {
        text += nsp;
        text += ',';
    }
    if (id)
        text += std::to_string(*id);
    text += payload;

    Frames frames;
    frames.reserve(1 + buffers.size());
    frames.push_back(Frame { std::move(text), false });
    for (auto &buffer : buffers)
        frames.push_back(Frame { std::move(buffer), true });
    return frames;
}

void writeKey(std::string &out, std::string_view key)
{
    out += char(0xa0 | key.size());
    out += key;
}

Result<Frames> encodeMsgpack(PacketType type, const nlohmann::json &data,
    std::optional<std::uint64_t> id, std::string_view nsp)
{
    // There are no binary types here: binaries travel in place as `bin`.
    if (type == PacketType::BinaryEvent)
        type = PacketType::Event;
    else if (type == PacketType::BinaryAck)
        type = PacketType::Ack;
    // Readers go by name, but the bytes follow what Node peers write, so the golden vectors of
    // the wire reference match exactly: {id?, type, data?, nsp} as the server writes events and
    // acks, {type, nsp, data?} as the client writes CONNECT.
    std::string out;
    out += char(0x80 | (2 + (id ? 1 : 0) + (data.is_null() ? 0 : 1)));
    if (id) {
        writeKey(out, "id");
        out += Msgpack::encode(nlohmann::json(*id));
    }
    writeKey(out, "type");
    out += char(type);
    const bool dataFirst = type != PacketType::Connect;
    if (!data.is_null() && dataFirst) {
        writeKey(out, "data");
        out += Msgpack::encode(data);
    }
    writeKey(out, "nsp");
    out += Msgpack::encode(nlohmann::json(std::string(nsp)));
    if (!data.is_null() && !dataFirst) {
        writeKey(out, "data");
        out += Msgpack::encode(data);
    }
    Frames frames;
    frames.push_back(Frame { std::move(out), true });
    return frames;
}

} // namespace

Result<Frames> encodePacket(ParserKind parser, PacketType type, const nlohmann::json &data,
    std::optional<std::uint64_t> id, std::string_view nsp)
{
    try {
        if (nsp.empty() || nsp.front() != '/')
            return makeError(ErrorCode::InvalidNamespace, "a namespace must start with '/'");
        if (parser == ParserKind::Json && nsp.find(',') != std::string_view::npos)
            return makeError(ErrorCode::InvalidNamespace, "a namespace cannot contain ','");
        if (auto error = checkData(type, data))
            return std::move(*error);
        if (parser == ParserKind::Msgpack)
            return encodeMsgpack(type, data, id, nsp);
        return encodeJson(type, data, id, nsp);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidPayload, std::string("encode failed: ") + e.what());
    }
}

Result<Frames> encodeEvent(ParserKind parser, std::string_view name, const nlohmann::json &args,
    std::optional<std::uint64_t> id, std::string_view nsp)
{
    try {
        nlohmann::json data = nlohmann::json::array();
        data.push_back(std::string(name));
        if (args.is_array()) {
            for (const auto &arg : args)
                data.push_back(arg);
        } else if (!args.is_null()) {
            data.push_back(args);
        }
        return encodePacket(parser, PacketType::Event, data, id, nsp);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidPayload, std::string("encode failed: ") + e.what());
    }
}

} // namespace Palaver::Protocol
