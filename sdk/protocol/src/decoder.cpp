// SPDX-License-Identifier: MIT
#include "json_p.h"
#include "msgpack_p.h"
#include "packet_p.h"
#include <Palaver/Protocol/packet.h>

#include <limits>

namespace Palaver::Protocol {

namespace {

using Msgpack::detail::Item;
using Msgpack::detail::Reader;

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

// Reads a run of decimal digits into a uint64; false on overflow.
bool readUnsigned(std::string_view text, std::size_t &i, std::uint64_t &value)
{
    value = 0;
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    while (i < text.size() && isDigit(text[i])) {
        const auto digit = std::uint64_t(text[i] - '0');
        if (value > (max - digit) / 10)
            return false;
        value = value * 10 + digit;
        ++i;
    }
    return true;
}

std::string typeName(PacketType type)
{
    return std::string(toString(type));
}

// The default parser's isPayloadValid, on the shape found by the validating scan.
std::optional<Error> checkJsonShape(PacketType type, bool hasData, const detail::JsonShape &shape)
{
    auto wrong = [&](const char *expected) {
        return makeError(
            ErrorCode::InvalidPayload, typeName(type) + " payload must be " + expected);
    };
    switch (type) {
    case PacketType::Connect:
        if (hasData && shape.root != '{')
            return wrong("an object or absent");
        return std::nullopt;
    case PacketType::Disconnect:
        if (hasData)
            return wrong("absent");
        return std::nullopt;
    case PacketType::Event:
    case PacketType::BinaryEvent: {
        if (!hasData || shape.root != '[' || shape.rootSize == 0)
            return wrong("a non-empty array");
        if (shape.first == 'n')
            return std::nullopt;
        if (shape.first != '"')
            return wrong("an array starting with a string or a number");
        auto name = detail::eventNameFromRaw(shape.first, shape.firstRaw);
        if (!name)
            return name.error();
        if (isReservedEventName(name.value()))
            return makeError(
                ErrorCode::ReservedEventName, "reserved event name \"" + name.value() + "\"");
        return std::nullopt;
    }
    case PacketType::Ack:
    case PacketType::BinaryAck:
        if (!hasData || shape.root != '[')
            return wrong("an array");
        return std::nullopt;
    case PacketType::ConnectError:
        if (!hasData || (shape.root != '{' && shape.root != '"'))
            return wrong("an object or a string");
        return std::nullopt;
    }
    return wrong("known");
}

Result<std::optional<Packet>> decodeJsonHeader(std::string_view data, std::size_t &attachments)
{
    attachments = 0;
    if (data.empty())
        return makeError(ErrorCode::EmptyFrame, "empty Socket.IO packet");
    if (data[0] < '0' || data[0] > '6')
        return makeError(ErrorCode::UnknownPacketType,
            "unknown Socket.IO packet type '" + std::string(1, data[0]) + "'");
    Packet packet;
    packet.format = ParserKind::Json;
    packet.type = PacketType(data[0] - '0');
    std::size_t i = 1;

    if (packet.type == PacketType::BinaryEvent || packet.type == PacketType::BinaryAck) {
        const std::size_t start = i;
        std::uint64_t count = 0;
        if (!readUnsigned(data, i, count))
            return makeError(ErrorCode::InvalidAttachmentCount, "attachment count overflows");
        if (i == start || i >= data.size() || data[i] != '-')
            return makeError(ErrorCode::InvalidAttachmentCount,
                "binary packet without a well-formed \"N-\" attachment count");
        if (count > MaxAttachments)
            return makeError(ErrorCode::TooManyAttachments,
                std::to_string(count) + " attachments, at most " + std::to_string(MaxAttachments)
                    + " are allowed");
        attachments = std::size_t(count);
        ++i;
    }

    if (i < data.size() && data[i] == '/') {
        const std::size_t start = i;
        const std::size_t comma = data.find(',', i);
        if (comma == std::string_view::npos) {
            // socket.io-parser lets the namespace run to the end of the packet (`41/admin`), but
            // one that would swallow a payload is a framing error, not a namespace.
            const auto rest = data.substr(start);
            if (rest.find_first_of("[{\"") != std::string_view::npos)
                return makeError(ErrorCode::InvalidNamespace, "namespace not ended by ','");
            packet.nsp = std::string(rest);
            i = data.size();
        } else {
            packet.nsp = std::string(data.substr(start, comma - start));
            i = comma + 1;
        }
    }

    if (i < data.size() && isDigit(data[i])) {
        std::uint64_t id = 0;
        if (!readUnsigned(data, i, id))
            return makeError(ErrorCode::InvalidAckId, "ack id overflows 64 bits");
        packet.id = id;
    }

    const std::string_view payload = data.substr(i);
    detail::JsonShape shape;
    if (!payload.empty()) {
        if (auto error = detail::scanJson(payload, &shape))
            return std::move(*error);
        // The spare capacity lets decodeMessageNew() hand the payload to simdjson in place.
        packet.payload.reserve(payload.size() + detail::PayloadPadding);
        packet.payload.assign(payload);
    }
    if (auto error = checkJsonShape(packet.type, !payload.empty(), shape))
        return std::move(*error);
    return std::optional<Packet>(std::move(packet));
}

std::optional<Error> checkPlaceholders(const Packet &packet)
{
    // Binary packets are rare, so they are checked completely here: a placeholder out of range
    // is a protocol error the server would close the connection for.
    auto parsed = detail::parseJson(packet.payload);
    if (!parsed)
        return parsed.error();
    return detail::reconstructBinaries(parsed.value(), packet.attachments);
}

// The msgpack parser's isDataValid, on the first byte of the encoded `data` value.
std::optional<Error> checkMsgpackShape(PacketType type, std::string_view data)
{
    Item kind;
    if (!data.empty()) {
        Reader reader(data);
        if (!reader.next(kind))
            return reader.error();
    }
    const bool absent = data.empty();
    const bool isMap = !absent && kind.kind == Item::Map;
    const bool isNil = !absent && kind.kind == Item::Nil;
    auto wrong = [&](const char *expected) {
        return makeError(ErrorCode::InvalidPayload, typeName(type) + " data must be " + expected);
    };
    switch (type) {
    case PacketType::Connect:
        if (!absent && !isMap && !isNil)
            return wrong("a map or absent");
        return std::nullopt;
    case PacketType::Disconnect:
        if (!absent)
            return wrong("absent");
        return std::nullopt;
    case PacketType::ConnectError:
        if (absent || (!isMap && !isNil && kind.kind != Item::Str))
            return wrong("a map or a string");
        return std::nullopt;
    default:
        if (absent || kind.kind != Item::Array)
            return wrong("an array");
        return std::nullopt;
    }
}

Result<std::optional<Packet>> decodeMsgpackPacket(std::string_view bytes)
{
    if (bytes.empty())
        return makeError(ErrorCode::EmptyFrame, "empty MessagePack frame");
    Reader reader(bytes);
    Item item;
    if (!reader.next(item))
        return reader.error();
    if (item.kind != Item::Map)
        return makeError(ErrorCode::InvalidMsgpack, "a MessagePack packet must be a map");
    Packet packet;
    packet.format = ParserKind::Msgpack;
    bool haveType = false;
    bool haveNsp = false;
    std::string_view data;
    for (std::uint32_t pair = 0; pair < item.count; ++pair) {
        Item key;
        if (!reader.next(key))
            return reader.error();
        if (key.kind != Item::Str)
            return makeError(ErrorCode::InvalidMsgpack, "packet map key is not a string");
        const std::size_t valueStart = reader.position();
        if (key.bytes == "data") {
            if (!reader.skip(MaxNestingDepth))
                return reader.error();
            data = bytes.substr(valueStart, reader.position() - valueStart);
            // notepack's `undefined` is how a server writes a missing value.
            if (data.size() == 3 && data[0] == char(0xd4) && data[1] == 0 && data[2] == 0)
                data = {};
            continue;
        }
        if (key.bytes != "type" && key.bytes != "nsp" && key.bytes != "id") {
            // `options` from the JS client, or anything newer: ignored, as the server does.
            if (!reader.skip(MaxNestingDepth))
                return reader.error();
            continue;
        }
        Item value;
        if (!reader.next(value))
            return reader.error();
        if (key.bytes == "type") {
            if (value.kind != Item::Int || value.i < 0 || value.i > 4)
                return makeError(
                    ErrorCode::UnknownPacketType, "MessagePack packet type must be an integer 0-4");
            packet.type = PacketType(value.i);
            haveType = true;
        } else if (key.bytes == "nsp") {
            if (value.kind != Item::Str)
                return makeError(ErrorCode::InvalidNamespace, "nsp is not a string");
            packet.nsp = std::string(value.bytes);
            haveNsp = true;
        } else {
            if (value.kind == Item::Nil || value.kind == Item::Undefined) {
                packet.id.reset();
            } else if (value.kind == Item::Int && value.i >= 0) {
                packet.id = std::uint64_t(value.i);
            } else if (value.kind == Item::UInt) {
                packet.id = value.u;
            } else {
                return makeError(ErrorCode::InvalidAckId, "id is not a non-negative integer");
            }
            if (value.kind == Item::Array || value.kind == Item::Map)
                return makeError(ErrorCode::InvalidAckId, "id is a container");
        }
    }
    if (!reader.atEnd())
        return makeError(ErrorCode::InvalidMsgpack, "trailing bytes after the packet map");
    if (!haveType)
        return makeError(ErrorCode::UnknownPacketType, "MessagePack packet without a type");
    if (!haveNsp)
        return makeError(ErrorCode::InvalidNamespace, "MessagePack packet without an nsp");
    if (auto error = checkMsgpackShape(packet.type, data))
        return std::move(*error);
    packet.payload.assign(data);
    return std::optional<Packet>(std::move(packet));
}

} // namespace

Decoder::Decoder(ParserKind parser) : m_parser(parser)
{
}

Result<std::optional<Packet>> Decoder::feedText(std::string_view data)
{
    try {
        if (m_parser == ParserKind::Msgpack) {
            reset();
            return makeError(
                ErrorCode::InvalidMsgpack, "a text frame cannot carry a MessagePack packet");
        }
        if (m_pending) {
            reset();
            return makeError(ErrorCode::AttachmentsPending,
                "text frame while a binary packet waits for its attachments");
        }
        std::size_t attachments = 0;
        auto decoded = decodeJsonHeader(data, attachments);
        if (!decoded)
            return decoded;
        Packet &packet = *decoded.value();
        if (packet.type != PacketType::BinaryEvent && packet.type != PacketType::BinaryAck)
            return decoded;
        if (attachments == 0) {
            if (auto error = checkPlaceholders(packet))
                return std::move(*error);
            return decoded;
        }
        packet.attachments.reserve(attachments);
        m_pending = std::move(packet);
        m_expected = attachments;
        return std::optional<Packet>();
    } catch (const std::exception &e) {
        reset();
        return makeError(ErrorCode::InvalidJson, std::string("decode failed: ") + e.what());
    }
}

Result<std::optional<Packet>> Decoder::feedBinary(std::string_view bytes)
{
    try {
        if (m_parser == ParserKind::Msgpack)
            return decodeMsgpackPacket(bytes);
        if (!m_pending)
            return makeError(ErrorCode::UnexpectedBinary,
                "binary frame while no binary packet waits for attachments");
        m_pending->attachments.emplace_back(bytes.begin(), bytes.end());
        if (m_pending->attachments.size() < m_expected)
            return std::optional<Packet>();
        Packet packet = std::move(*m_pending);
        reset();
        if (auto error = checkPlaceholders(packet))
            return std::move(*error);
        return std::optional<Packet>(std::move(packet));
    } catch (const std::exception &e) {
        reset();
        return makeError(ErrorCode::InvalidMsgpack, std::string("decode failed: ") + e.what());
    }
}

bool Decoder::awaitingAttachments() const noexcept
{
    return m_pending.has_value();
}

void Decoder::reset() noexcept
{
    m_pending.reset();
    m_expected = 0;
}

} // namespace Palaver::Protocol
