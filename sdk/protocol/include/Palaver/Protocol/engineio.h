// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/result.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

//! Engine.IO v4 over WebSocket: one Engine.IO packet per WebSocket message. Text frames start
//! with the type digit; binary frames are always `message` packets and carry raw bytes, with no
//! type byte (unlike Engine.IO v3).
namespace Palaver::Protocol {

enum class EngineType : std::uint8_t {
    Open = 0,
    Close = 1,
    Ping = 2,
    Pong = 3,
    Message = 4,
    Upgrade = 5,
    Noop = 6,
};

//! A decoded text frame. `data` is a view into the frame given to decodeEngineFrame().
struct EnginePacket {
    EngineType type;
    std::string_view data;
};

//! Decodes a text WebSocket frame into its Engine.IO type and data.
Result<EnginePacket> decodeEngineFrame(std::string_view frame) noexcept;

//! Encodes a text WebSocket frame: the type digit followed by `data`.
std::string encodeEngineFrame(EngineType type, std::string_view data = {});

//! The OPEN packet's handshake object.
struct Handshake {
    std::string sid;
    std::vector<std::string> upgrades;
    std::int64_t pingInterval = 25000; //!< ms
    std::int64_t pingTimeout = 20000; //!< ms
    std::optional<std::int64_t> maxPayload; //!< bytes; absent before engine.io 6.2

    friend bool operator==(const Handshake &, const Handshake &) = default;
};

//! Parses the JSON object of an OPEN packet (the frame without its leading `0`).
Result<Handshake> parseHandshake(std::string_view json) noexcept;

//! Serialises a handshake object (without the leading `0`).
std::string encodeHandshake(const Handshake &handshake);

} // namespace Palaver::Protocol
