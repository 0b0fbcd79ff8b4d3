// SPDX-License-Identifier: MIT
#include "json_p.h"
#include <Palaver/Protocol/engineio.h>

namespace Palaver::Protocol {

Result<EnginePacket> decodeEngineFrame(std::string_view frame) noexcept
{
    try {
        if (frame.empty())
            return makeError(ErrorCode::EmptyFrame, "empty Engine.IO frame");
        const char c = frame.front();
        if (c < '0' || c > '6')
            return makeError(ErrorCode::UnknownEngineType,
                "unknown Engine.IO packet type (first byte "
                    + std::to_string(int(static_cast<unsigned char>(c))) + ")");
        return EnginePacket { EngineType(c - '0'), frame.substr(1) };
    } catch (...) {
        // Only an allocation failure while building the message can land here.
        return Error { ErrorCode::UnknownEngineType, {} };
    }
}

std::string encodeEngineFrame(EngineType type, std::string_view data)
{
    std::string out;
    out.reserve(1 + data.size());
    out += char('0' + int(type));
    out += data;
    return out;
}

namespace {

Error badHandshake(const std::string &why)
{
    return makeError(ErrorCode::InvalidHandshake, "invalid handshake: " + why);
}

Result<std::int64_t> nonNegative(const nlohmann::json &object, const char *key, bool required)
{
    const auto it = object.find(key);
    if (it == object.end()) {
        if (required)
            return badHandshake(std::string(key) + " is missing");
        return std::int64_t(-1);
    }
    if (it->is_number_unsigned() && it->get<std::uint64_t>() <= std::uint64_t(INT64_MAX))
        return std::int64_t(it->get<std::uint64_t>());
    if (it->is_number_integer() && it->get<std::int64_t>() >= 0)
        return it->get<std::int64_t>();
    return badHandshake(std::string(key) + " is not a non-negative integer");
}

} // namespace

Result<Handshake> parseHandshake(std::string_view json) noexcept
{
    try {
        auto parsed = detail::parseJson(json);
        if (!parsed)
            return badHandshake(parsed.error().message);
        const auto &object = parsed.value();
        if (!object.is_object())
            return badHandshake("not a JSON object");
        Handshake handshake;
        const auto sid = object.find("sid");
        if (sid == object.end() || !sid->is_string() || sid->get_ref<const std::string &>().empty())
            return badHandshake("sid is missing or not a string");
        handshake.sid = sid->get<std::string>();
        // Older servers and some proxies leave `upgrades` out; over WebSocket it is [] anyway.
        if (const auto upgrades = object.find("upgrades"); upgrades != object.end()) {
            if (!upgrades->is_array())
                return badHandshake("upgrades is not an array");
            for (const auto &u : *upgrades) {
                if (!u.is_string())
                    return badHandshake("upgrades holds a non-string");
                handshake.upgrades.push_back(u.get<std::string>());
            }
        }
        auto interval = nonNegative(object, "pingInterval", true);
        if (!interval)
            return interval.error();
        auto timeout = nonNegative(object, "pingTimeout", true);
        if (!timeout)
            return timeout.error();
        auto maxPayload = nonNegative(object, "maxPayload", false);
        if (!maxPayload)
            return maxPayload.error();
        handshake.pingInterval = interval.value();
        handshake.pingTimeout = timeout.value();
        if (maxPayload.value() >= 0)
            handshake.maxPayload = maxPayload.value();
        return handshake;
    } catch (const std::exception &e) {
        return Error { ErrorCode::InvalidHandshake, e.what() };
    }
}

std::string encodeHandshake(const Handshake &handshake)
{
    // Written by hand to keep engine.io's key order, so the stub's OPEN packet is byte for byte
    // what a Node server sends.
    nlohmann::json upgrades = handshake.upgrades;
    std::string out = "{\"sid\":" + detail::dumpJson(handshake.sid) + ",\"upgrades\":"
        + detail::dumpJson(upgrades) + ",\"pingInterval\":" + std::to_string(handshake.pingInterval)
        + ",\"pingTimeout\":" + std::to_string(handshake.pingTimeout);
    if (handshake.maxPayload)
        out += ",\"maxPayload\":" + std::to_string(*handshake.maxPayload);
    out += '}';
    return out;
}

} // namespace Palaver::Protocol
