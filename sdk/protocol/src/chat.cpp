// SPDX-License-Identifier: MIT
#include "chatfields_p.h"
#include "json_p.h"
#include "msgpack_p.h"
#include <Palaver/Protocol/chat.h>
#include <Palaver/Protocol/msgpack.h>

#include <simdjson.h>

namespace Palaver::Protocol {

static_assert(detail::PayloadPadding >= simdjson::SIMDJSON_PADDING,
    "payloads must reserve what simdjson reads past their end");

namespace {

constexpr std::string_view MessageNewEvent = "message:new";

using detail::ChatFieldTarget;
using detail::ChatValue;

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
                if (target.kind == ChatValue::Seq || target.kind == ChatValue::Rev) {
                    std::int64_t &number = target.kind == ChatValue::Seq ? m.seq : m.rev;
                    if (type != simdjson::ondemand::json_type::number
                        || field.value().get_int64().get(number))
                        return invalid(std::string(key) + " is not a 64-bit integer");
                } else if (target.kind == ChatValue::Deleted) {
                    if (type != simdjson::ondemand::json_type::boolean
                        || field.value().get_bool().get(m.deleted))
                        return invalid("deleted is not a boolean");
                } else if (target.kind != ChatValue::Text) {
                    // The containers' own text (simdjson 3.0 has raw_json() on them only).
                    std::string_view raw;
                    simdjson::error_code e = simdjson::SUCCESS;
                    if (type == simdjson::ondemand::json_type::object) {
                        simdjson::ondemand::object inner;
                        e = field.value().get_object().get(inner);
                        if (!e)
                            e = inner.raw_json().get(raw);
                    } else if (type == simdjson::ondemand::json_type::array) {
                        simdjson::ondemand::array inner;
                        e = field.value().get_array().get(inner);
                        if (!e)
                            e = inner.raw_json().get(raw);
                    } else {
                        raw = field.value().raw_json_token();
                    }
                    if (e)
                        return simdError(e);
                    std::string why;
                    if (!detail::decodeExtraText(target.kind, raw, m.extras, why))
                        return invalid(why);
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
        if (target.kind == ChatValue::Reactions || target.kind == ChatValue::ReplyTo
            || target.kind == ChatValue::Mentions) {
            // Rare and small: the generic decoder reads the one value, as for acks.
            Msgpack::detail::Reader whole = reader;
            const std::size_t at = reader.position();
            if (!whole.skip(MaxNestingDepth))
                return whole.error();
            auto decoded = Msgpack::decode(reader.bytes().substr(at, whole.position() - at));
            if (!decoded)
                return std::move(decoded.error());
            std::string why;
            if (!detail::decodeExtra(target.kind, decoded.value(), m.extras, why))
                return invalid(why);
            reader = whole;
            continue;
        }
        Item value;
        if (!reader.next(value))
            return reader.error();
        if (value.kind == Item::Array || value.kind == Item::Map)
            return invalid(std::string(key.bytes) + " has the wrong type");
        if (target.kind == ChatValue::Seq || target.kind == ChatValue::Rev) {
            // A Date is its milliseconds, as Msgpack::decode() reads it.
            if (value.kind != Item::Int && value.kind != Item::Date)
                return invalid(std::string(key.bytes) + " is not a 64-bit integer");
            (target.kind == ChatValue::Seq ? m.seq : m.rev) = value.i;
        } else if (target.kind == ChatValue::Deleted) {
            if (value.kind != Item::Bool)
                return invalid("deleted is not a boolean");
            m.deleted = value.boolean;
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
    if (!message.hasV11State())
        return value;
    const auto timestamp
        = [](const std::string &t) { return t.empty() ? nlohmann::json() : nlohmann::json(t); };
    value["rev"] = message.rev;
    value["editedAt"] = timestamp(message.editedAt);
    value["deleted"] = message.deleted;
    value["deletedAt"] = timestamp(message.deletedAt);
    nlohmann::json reactions = nlohmann::json::object();
    for (const ChatReaction &reaction : message.extras.reactions)
        reactions[reaction.emoji] = reaction.userIds;
    value["reactions"] = std::move(reactions);
    if (const auto &reply = message.extras.replyTo) {
        value["replyTo"] = { { "id", reply->id }, { "seq", reply->seq },
            { "userId", reply->userId }, { "userName", reply->userName },
            { "excerpt", reply->excerpt }, { "deleted", reply->deleted } };
    } else {
        value["replyTo"] = nullptr;
    }
    value["mentions"] = message.extras.mentions;
    return value;
}

bool decodeReactions(const nlohmann::json &value, std::vector<ChatReaction> &out, std::string &why)
{
    out.clear();
    if (value.is_null())
        return true;
    if (!value.is_object()) {
        why = "reactions is not an object";
        return false;
    }
    for (auto it = value.begin(); it != value.end(); ++it) {
        if (!it.value().is_array() || it.key().empty()) {
            why = "reactions is not an object of user lists";
            return false;
        }
        ChatReaction reaction { it.key(), {} };
        for (const auto &user : it.value()) {
            if (!user.is_string()) {
                why = "a reaction's user is not a string";
                return false;
            }
            reaction.userIds.push_back(user.get<std::string>());
        }
        if (!reaction.userIds.empty()) // "no empty lists": one would mean nothing
            out.push_back(std::move(reaction));
    }
    return true;
}

bool decodeReplyTo(const nlohmann::json &value, std::optional<ChatReplyTo> &out, std::string &why)
{
    out.reset();
    if (value.is_null())
        return true;
    const auto text = [&](const char *key, std::string &field, bool required) {
        const auto it = value.find(key);
        if (it == value.end() || it->is_null())
            return !required;
        if (!it->is_string())
            return false;
        field = it->get<std::string>();
        return true;
    };
    ChatReplyTo reply;
    if (!value.is_object() || !text("id", reply.id, true) || reply.id.empty()
        || !text("userId", reply.userId, false) || !text("userName", reply.userName, false)
        || !text("excerpt", reply.excerpt, false)) {
        why = "replyTo is not a message snapshot";
        return false;
    }
    if (const auto seq = value.find("seq"); seq != value.end() && !seq->is_null()) {
        if (!seq->is_number_integer()) {
            why = "replyTo.seq is not an integer";
            return false;
        }
        reply.seq = seq->get<std::int64_t>();
    }
    if (const auto deleted = value.find("deleted"); deleted != value.end() && !deleted->is_null()) {
        if (!deleted->is_boolean()) {
            why = "replyTo.deleted is not a boolean";
            return false;
        }
        reply.deleted = deleted->get<bool>();
    }
    if (reply.userName.empty())
        reply.userName = reply.userId;
    out = std::move(reply);
    return true;
}

bool decodeMentions(const nlohmann::json &value, std::vector<std::string> &out, std::string &why)
{
    out.clear();
    if (value.is_null())
        return true;
    if (!value.is_array()) {
        why = "mentions is not an array";
        return false;
    }
    for (const auto &user : value) {
        if (!user.is_string()) {
            why = "a mention is not a string";
            return false;
        }
        out.push_back(user.get<std::string>());
    }
    return true;
}

namespace detail {

bool decodeExtraText(
    ChatValue kind, std::string_view json, ChatMessageExtras &extras, std::string &why)
{
    while (!json.empty()
        && (json.back() == ' ' || json.back() == '\n' || json.back() == '\r'
            || json.back() == '\t'))
        json.remove_suffix(1);
    if (kind == ChatValue::Reactions && json == "{}") {
        extras.reactions.clear();
        return true;
    }
    if (kind == ChatValue::Mentions && json == "[]") {
        extras.mentions.clear();
        return true;
    }
    if (json == "null")
        return decodeExtra(kind, nullptr, extras, why);
    const nlohmann::json value = nlohmann::json::parse(json, nullptr, false);
    if (value.is_discarded()) {
        why = "a field is not valid JSON";
        return false;
    }
    return decodeExtra(kind, value, extras, why);
}

} // namespace detail

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
            if (target.kind == ChatValue::Seq || target.kind == ChatValue::Rev) {
                std::int64_t &number = target.kind == ChatValue::Seq ? m.seq : m.rev;
                if (field.is_number_unsigned()
                    && field.get<std::uint64_t>() <= std::uint64_t(INT64_MAX))
                    number = std::int64_t(field.get<std::uint64_t>());
                else if (field.is_number_integer() && !field.is_number_unsigned())
                    number = field.get<std::int64_t>();
                else
                    return invalid(it.key() + " is not a 64-bit integer");
            } else if (target.kind == ChatValue::Deleted) {
                if (!field.is_boolean())
                    return invalid("deleted is not a boolean");
                m.deleted = field.get<bool>();
            } else if (target.kind != ChatValue::Text) {
                std::string why;
                if (!detail::decodeExtra(target.kind, field, m.extras, why))
                    return invalid(why);
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
