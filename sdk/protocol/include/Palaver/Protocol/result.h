// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace Palaver::Protocol {

//! What was wrong with a frame, a packet or a value given to the codec.
enum class ErrorCode : std::uint8_t {
    EmptyFrame, //!< a frame with no bytes
    UnknownEngineType, //!< the first character of a text frame is not an Engine.IO type (0-6)
    InvalidHandshake, //!< the OPEN packet is not the handshake object
    UnknownPacketType, //!< the Socket.IO type is not 0-6 (JSON) or 0-4 (MessagePack)
    InvalidAttachmentCount, //!< a binary packet without a well-formed `N-` count
    TooManyAttachments, //!< more than MaxAttachments binary attachments
    InvalidNamespace, //!< a namespace that does not start with `/` or is not ended by `,`
    InvalidAckId, //!< an ack id that is not a non-negative 64-bit integer
    InvalidJson, //!< the payload is not JSON
    InvalidPayload, //!< well-formed, but the wrong shape for the packet type
    ReservedEventName, //!< connect, disconnect, ... may not be sent as events
    UnexpectedBinary, //!< a binary frame while no binary packet waits for attachments
    AttachmentsPending, //!< a text frame while a binary packet still waits for attachments
    InvalidPlaceholder, //!< a placeholder that is malformed or out of range
    InvalidMsgpack, //!< bytes that are not MessagePack, or not a packet map
    NestingTooDeep, //!< arrays/objects nested deeper than MaxNestingDepth
    PayloadTooLarge, //!< a frame larger than the limit it is checked against
    UnexpectedEvent, //!< a well-formed packet that is not the event a typed decoder expects
};

//! A short stable name for the code, e.g. "invalid_json".
std::string_view toString(ErrorCode code) noexcept;

//! An error value: a code for programs and a message for people.
struct Error {
    ErrorCode code;
    std::string message;

    friend bool operator==(const Error &, const Error &) = default;
};

//! Either a value or an Error. The codec returns these and never throws.
template<typename T> class [[nodiscard]] Result {
public:
    Result(T value) : m_value(std::in_place_index<0>, std::move(value)) { }
    Result(Error error) : m_value(std::in_place_index<1>, std::move(error)) { }

    bool ok() const noexcept { return m_value.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T &value() & { return std::get<0>(m_value); }
    const T &value() const & { return std::get<0>(m_value); }
    T &&value() && { return std::get<0>(std::move(m_value)); }
    T *operator->() { return &std::get<0>(m_value); }
    const T *operator->() const { return &std::get<0>(m_value); }

    const Error &error() const { return std::get<1>(m_value); }

private:
    std::variant<T, Error> m_value;
};

//! Builds an Error; the one way the codec makes them.
inline Error makeError(ErrorCode code, std::string message)
{
    return Error { code, std::move(message) };
}

} // namespace Palaver::Protocol
