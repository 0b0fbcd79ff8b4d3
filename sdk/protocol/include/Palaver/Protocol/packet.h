// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/result.h>

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

//! Socket.IO v5 packets, for both parsers: the default JSON one and the MessagePack one of
//! socket.io-msgpack-parser@3.
namespace Palaver::Protocol {

enum class PacketType : std::uint8_t {
    Connect = 0,
    Disconnect = 1,
    Event = 2,
    Ack = 3,
    ConnectError = 4,
    BinaryEvent = 5,
    BinaryAck = 6,
};

//! Which Socket.IO parser a connection speaks. Both ends must agree.
enum class ParserKind : std::uint8_t {
    Json,
    Msgpack,
};

using Bytes = std::vector<std::uint8_t>;

//! Socket.IO servers close a connection that sends more attachments than this.
inline constexpr std::size_t MaxAttachments = 10;
//! Deeper payloads are refused rather than risk the stack.
inline constexpr std::size_t MaxNestingDepth = 128;

//! Event names a client may not send (the server closes the connection if it does).
bool isReservedEventName(std::string_view name) noexcept;

std::string_view toString(PacketType type) noexcept;

//! A Socket.IO packet. The header (type, namespace, ack id) is decoded eagerly; the data stays
//! encoded in `payload` until someone asks for it, so that events nobody reads cost nothing and
//! known events can be decoded straight into typed fields (see chat.h).
struct Packet {
    PacketType type = PacketType::Event;
    std::string nsp = "/";
    std::optional<std::uint64_t> id;
    ParserKind format = ParserKind::Json; //!< how `payload` is encoded
    //! The encoded data: JSON text, or the MessagePack encoding of the `data` value. Empty when
    //! the packet has no data. Binary placeholders (JSON) are still in place.
    std::string payload;
    std::vector<Bytes> attachments; //!< JSON parser: the binary frames, in order
};

//! The packet's data as a generic value: placeholders replaced by binary values, MessagePack
//! ext type 0 / bin as binary, `undefined` as null. Null when the packet has no data.
Result<nlohmann::json> packetData(const Packet &packet);

//! The event name of an EVENT/BINARY_EVENT packet, found without decoding the rest of the data.
//! Numeric event names (allowed by the protocol) are returned as their decimal text.
Result<std::string> eventName(const Packet &packet);

//! A CONNECT_ERROR in either shape: `{"message","data"?}` or a legacy string.
struct ConnectError {
    std::string message;
    nlohmann::json data; //!< null when absent
};
Result<ConnectError> connectError(const Packet &packet);

//! One WebSocket message to send.
struct Frame {
    std::string bytes;
    bool binary = false;
};
using Frames = std::vector<Frame>;

//! Encodes a packet, ready for the WebSocket: text frames carry the Engine.IO `4` prefix, binary
//! frames are raw. With the JSON parser, binary values in `data` become placeholders and
//! attachment frames, and EVENT/ACK turn into BINARY_EVENT/BINARY_ACK; with MessagePack they stay
//! in place as `bin`. `data` must fit the type (CONNECT: object or null; DISCONNECT: null;
//! EVENT: non-empty array whose first element is a string that is not reserved; ACK: array;
//! CONNECT_ERROR: object or string). Refuses more than MaxAttachments binaries.
Result<Frames> encodePacket(ParserKind parser, PacketType type, const nlohmann::json &data,
    std::optional<std::uint64_t> id = std::nullopt, std::string_view nsp = "/");

//! Convenience for the common case: an EVENT `[name, args...]`. `args` is the argument list
//! (an array, spread after the name); null means no arguments, any other value is the one
//! argument.
Result<Frames> encodeEvent(ParserKind parser, std::string_view name, const nlohmann::json &args,
    std::optional<std::uint64_t> id = std::nullopt, std::string_view nsp = "/");

//! Reassembles Socket.IO packets from the WebSocket messages that carry Engine.IO `message`
//! packets. It keeps state only while a JSON binary packet waits for its attachments; after an
//! error it is reset and can be fed again.
class Decoder {
public:
    explicit Decoder(ParserKind parser = ParserKind::Json);

    //! A text frame's Engine.IO `message` data (the frame without its leading `4`).
    //! Returns a packet, or nullopt while attachments are still to come, or an error.
    Result<std::optional<Packet>> feedText(std::string_view data);
    //! A binary frame: an attachment (JSON) or a whole packet (MessagePack).
    Result<std::optional<Packet>> feedBinary(std::string_view bytes);

    bool awaitingAttachments() const noexcept;
    void reset() noexcept;
    ParserKind parser() const noexcept { return m_parser; }

private:
    ParserKind m_parser;
    std::optional<Packet> m_pending;
    std::size_t m_expected = 0;
};

//! With connection state recovery on, servers append a string offset as the last argument of
//! events that carry no ack id. Removes it from `data` (an EVENT array) and returns it; leaves
//! `data` untouched and returns nullopt when the packet cannot carry one.
std::optional<std::string> takeRecoveryOffset(const Packet &packet, nlohmann::json &data);

} // namespace Palaver::Protocol
