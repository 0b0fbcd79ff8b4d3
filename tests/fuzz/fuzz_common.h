// SPDX-License-Identifier: MIT
// Shared by the fuzz targets: the properties every decoded packet must have, checked with a
// trap so libFuzzer reports a violation like a crash.
#pragma once

#include <Palaver/Protocol/chat.h>
#include <Palaver/Protocol/msgpack.h>
#include <Palaver/Protocol/packet.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

#define PALAVER_FUZZ_CHECK(condition)                                                              \
    do {                                                                                           \
        if (!(condition))                                                                          \
            __builtin_trap();                                                                      \
    } while (false)

namespace PalaverFuzz {

//! Value equality that also holds for NaN (MessagePack floats can be NaN; JSON ones cannot).
inline bool sameValue(const nlohmann::json &a, const nlohmann::json &b)
{
    return Palaver::Protocol::Msgpack::encode(a) == Palaver::Protocol::Msgpack::encode(b);
}

inline std::string_view view(const std::uint8_t *data, std::size_t size)
{
    return std::string_view(reinterpret_cast<const char *>(data), size);
}

//! Reads every lazy view of a packet, then re-encodes its data and checks it decodes the same.
inline void exercise(const Palaver::Protocol::Packet &packet)
{
    using namespace Palaver::Protocol;
    auto data = packetData(packet);
    const auto name = eventName(packet);
    (void)decodeMessageNew(packet);
    (void)connectError(packet);
    if (!data.ok())
        return;
    if (name.ok() && data.value().is_array() && !data.value().empty()
        && data.value()[0].is_string())
        PALAVER_FUZZ_CHECK(name.value() == data.value()[0].get<std::string>());

    auto copy = data.value();
    (void)takeRecoveryOffset(packet, copy);

    const auto frames
        = encodePacket(packet.format, packet.type, data.value(), packet.id, packet.nsp);
    if (!frames.ok())
        return;
    Decoder decoder(packet.format);
    const Packet *again = nullptr;
    std::optional<Packet> holder;
    for (const Frame &frame : frames.value()) {
        auto result = frame.binary
            ? decoder.feedBinary(frame.bytes)
            : decoder.feedText(std::string_view(frame.bytes).substr(1)); // drop Engine.IO `4`
        PALAVER_FUZZ_CHECK(result.ok());
        if (result.value())
            holder = std::move(*result.value());
    }
    PALAVER_FUZZ_CHECK(holder.has_value());
    again = &*holder;
    PALAVER_FUZZ_CHECK(again->nsp == packet.nsp);
    PALAVER_FUZZ_CHECK(again->id == packet.id);
    const auto redecoded = packetData(*again);
    PALAVER_FUZZ_CHECK(redecoded.ok());
    PALAVER_FUZZ_CHECK(sameValue(redecoded.value(), data.value()));
}

} // namespace PalaverFuzz
