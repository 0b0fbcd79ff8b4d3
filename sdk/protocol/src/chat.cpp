// SPDX-License-Identifier: MIT
#include "chatfields_p.h"
#include "json_p.h"
#include "msgpack_p.h"
#include <Palaver/Protocol/chat.h>

#include <simdjson.h>

namespace Palaver::Protocol {

static_assert(detail::PayloadPadding >= simdjson::SIMDJSON_PADDING,
    "payloads must reserve what simdjson reads past their end");

namespace {

constexpr std::string_view MessageNewEvent = "message:new";

using detail::ChatFieldTarget;
using detail::FieldSeq;

Error invalid(std::string why)
{
    return makeError(ErrorCode::InvalidPayload, "message:new: " + std::move(why));
}

std::optional<Error> missingField(unsigned seen)
{
    if (const char *name = detail::missingChatField(seen))
        return invalid(std::string("missing field ") + name);
    return std::nullopt;
}

Error simdError(simdjson::error_code code)
{
    return makeError(
        ErrorCode::InvalidJson, std::string("message:new: ") + simdjson::error_message(code));
}

// simdjson on-demand straight into the struct: measured at 5-10x nlohmann's DOM for this event
// (tests/bench/README.md), and the receive path decodes nothing else as often.
Result<MessageNew> decodeJson(const Packet &packet)
{
    // The parser keeps its buffers between calls; one per thread keeps the codec reentrant.
    thread_local simdjson::ondemand::parser parser;
    const std::string &payload = packet.payload;
    simdjson::padded_string copy;
    simdjson::padded_string_view view;
    if (payload.capacity() >= payload.size() + simdjson::SIMDJSON_PADDING) {
        view = simdjson::padded_string_view(payload.data(), payload.size(), payload.capacity());
    } else {
        // A packet that was copied or built by hand lost the Decoder's spare capacity.
        copy = simdjson::padded_string(payload);
        view = copy;
    }
    simdjson::ondemand::document doc;
    if (auto e = parser.iterate(view).get(doc))
        return simdError(e);
    simdjson::ondemand::array args;
    if (auto e = doc.get_array().get(args))
        return e == simdjson::INCORRECT_TYPE ? invalid("data is not an array") : simdError(e);

    MessageNew result;
    ChatMessage &m = result.message;
    unsigned seen = 0;
    std::size_t index = 0;
    for (auto element : args) {
        simdjson::ondemand::value value;
        if (auto e = element.get(value))
            return simdError(e);
        if (index == 0) {
            std::string_view name;
            if (value.get_string().get(name) || name != MessageNewEvent)
                return makeError(ErrorCode::UnexpectedEvent, "not a message:new event");
        } else if (index == 1) {
            simdjson::ondemand::object object;
            if (auto e = value.get_object().get(object))
                return e == simdjson::INCORRECT_TYPE ? invalid("the message is not an object")
                                                     : simdError(e);
            for (auto member : object) {
                simdjson::ondemand::field field;
                if (auto e = std::move(member).get(field))
                    return simdError(e);
                std::string_view key;
                if (auto e = field.unescaped_key().get(key))
                    return simdError(e);
                const ChatFieldTarget target = detail::chatFieldTarget(key, m);
                if (!target.known())
                    continue; // unknown fields are skipped by the next iteration
                simdjson::ondemand::json_type type;
                if (auto e = field.value().type().get(type))
                    return simdError(e);
                if (target.bit == FieldSeq) {
                    if (type != simdjson::ondemand::json_type::number
                        || field.value().get_int64().get(m.seq))
                        return invalid("seq is not a 64-bit integer");
                } else if (type == simdjson::ondemand::json_type::null && target.optional) {
                    target.text->clear();
                    seen &= ~target.bit; // a later null undoes an earlier value
                    continue;
                } else {
                    std::string_view text;
                    if (type != simdjson::ondemand::json_type::string)
                        return invalid(std::string(key) + " is not a string");
                    if (auto e = field.value().get_string().get(text))
                        return simdError(e);
                    target.text->assign(text);
                }
                seen |= target.bit;
            }
        } else if (index == 2 && !packet.id) {
            // The recovery offset (wire reference, 4): a string after the message.
            simdjson::ondemand::json_type type;
            if (auto e = value.type().get(type))
                return simdError(e);
            if (type == simdjson::ondemand::json_type::string) {
                std::string_view text;
                if (auto e = value.get_string().get(text))
                    return simdError(e);
                result.offset = std::string(text);
            }
        }
        ++index;
    }
    if (index < 2)
        return invalid("no message argument");
    if (auto error = missingField(seen))
        return std::move(*error);
    detail::completeChatMessage(m, seen);
    return result;
}

Result<MessageNew> decodeMsgpack(const Packet &packet)
{
    using Msgpack::detail::Item;
    Msgpack::detail::Reader reader(packet.payload);
    Item item;
    if (!reader.next(item))
        return reader.error();
    if (item.kind != Item::Array)
        return invalid("data is not an array");
    const std::uint32_t count = item.count;
    if (count == 0)
        return makeError(ErrorCode::UnexpectedEvent, "not a message:new event");
    if (!reader.next(item))
        return reader.error();
    if (item.kind != Item::Str || item.bytes != MessageNewEvent)
        return makeError(ErrorCode::UnexpectedEvent, "not a message:new event");
    if (count < 2)
        return invalid("no message argument");
    if (!reader.next(item))
        return reader.error();
    if (item.kind != Item::Map)
        return invalid("the message is not a map");

    MessageNew result;
    ChatMessage &m = result.message;
    unsigned seen = 0;
    for (std::uint32_t pair = 0; pair < item.count; ++pair) {
        Item key;
        if (!reader.next(key))
            return reader.error();
        if (key.kind != Item::Str)
            return makeError(ErrorCode::InvalidMsgpack, "map key is not a string");
        const ChatFieldTarget target = detail::chatFieldTarget(key.bytes, m);
        if (!target.known()) {
            if (!reader.skip(MaxNestingDepth))
                return reader.error();
            continue;
        }
        Item value;
        const std::size_t at = reader.position();
        if (!reader.next(value))
            return reader.error();
        if (value.kind == Item::Array || value.kind == Item::Map) {
            // Wrong type; skip the whole container so the error names the field, not the bytes.
            (void)at;
            return invalid(std::string(key.bytes) + " has the wrong type");
        }
        if (target.bit == FieldSeq) {
            // A Date is its milliseconds, as Msgpack::decode() reads it.
            if (value.kind != Item::Int && value.kind != Item::Date)
                return invalid("seq is not a 64-bit integer");
            m.seq = value.i;
        } else if ((value.kind == Item::Nil || value.kind == Item::Undefined) && target.optional) {
            target.text->clear();
            seen &= ~target.bit; // a later null undoes an earlier value
            continue;
        } else {
            if (value.kind != Item::Str)
                return invalid(std::string(key.bytes) + " is not a string");
            target.text->assign(value.bytes);
        }
        seen |= target.bit;
    }
    if (count >= 3 && !packet.id) {
        Item offset;
        if (!reader.next(offset))
            return reader.error();
        if (offset.kind == Item::Str)
            result.offset = std::string(offset.bytes);
    }
    if (auto error = missingField(seen))
        return std::move(*error);
    detail::completeChatMessage(m, seen);
    return result;
}

} // namespace

nlohmann::json toJson(const ChatMessage &message)
{
    nlohmann::json value = {
        { "id", message.id },
        { "roomId", message.roomId },
        { "seq", message.seq },
        { "userId", message.userId },
        { "userName", message.userName },
        { "content", message.content },
        { "createdAt", message.createdAt },
    };
    if (!message.clientId.empty())
        value["clientId"] = message.clientId;
    return value;
}

Result<ChatMessage> chatMessageFromJson(const nlohmann::json &value)
{
    try {
        if (!value.is_object())
            return invalid("the message is not an object");
        ChatMessage m;
        unsigned seen = 0;
        for (auto it = value.begin(); it != value.end(); ++it) {
            const ChatFieldTarget target = detail::chatFieldTarget(it.key(), m);
            if (!target.known())
                continue;
            const auto &field = it.value();
            if (target.bit == FieldSeq) {
                if (field.is_number_unsigned()
                    && field.get<std::uint64_t>() <= std::uint64_t(INT64_MAX))
                    m.seq = std::int64_t(field.get<std::uint64_t>());
                else if (field.is_number_integer() && !field.is_number_unsigned())
                    m.seq = field.get<std::int64_t>();
                else
                    return invalid("seq is not a 64-bit integer");
            } else if (field.is_null() && target.optional) {
                target.text->clear();
                seen &= ~target.bit; // a later null undoes an earlier value
                continue;
            } else {
                if (!field.is_string())
                    return invalid(it.key() + " is not a string");
                *target.text = field.get<std::string>();
            }
            seen |= target.bit;
        }
        if (auto error = missingField(seen))
            return std::move(*error);
        detail::completeChatMessage(m, seen);
        return m;
    } catch (const std::exception &e) {
        return invalid(e.what());
    }
}

Result<MessageNew> decodeMessageNew(const Packet &packet)
{
    try {
        if (packet.type != PacketType::Event && packet.type != PacketType::BinaryEvent)
            return makeError(ErrorCode::UnexpectedEvent,
                std::string(toString(packet.type)) + " is not an event");
        if (packet.payload.empty())
            return invalid("event without data");
        if (packet.format == ParserKind::Msgpack)
            return decodeMsgpack(packet);
        return decodeJson(packet);
    } catch (const std::exception &e) {
        return invalid(e.what());
    }
}

} // namespace Palaver::Protocol
