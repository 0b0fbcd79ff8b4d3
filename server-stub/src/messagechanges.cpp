// SPDX-License-Identifier: MIT
// contract v1.1: edits, deletes, reactions, replies, and the room:updates page that catches up
// on changes.
// Each change that changes something takes the room's next `rev` and is broadcast as
// `message:updated`; a change that changes nothing answers the message as it is, takes no rate
// token and broadcasts nothing, which is what makes a retried change safe.
#include "chatservice_p.h"
#include "chattext_p.h"
#include "logging_p.h"

#include <QDateTime>

#include <algorithm>

namespace Palaver::Stub {

namespace {

using nlohmann::json;

constexpr qsizetype MaxMessageId = 128;
constexpr qsizetype MaxEmojiPerMessage = 20;
constexpr int UpdatesDefault = 50;
constexpr int UpdatesCap = 100;

} // namespace

ChatService::Refusal ChatService::internalError()
{
    return Refusal { QStringLiteral("internal"), QStringLiteral("Internal error") };
}

std::optional<ChatService::Refusal> ChatService::targetShape(
    const json &payload, QString *roomId, QString *messageId)
{
    if (!payload.is_object())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("Expected an object") };
    const json roomIdValue = payload.value("roomId", json());
    if (!Text::isValidRoomId(roomIdValue))
        return Refusal { QStringLiteral("invalid"), QStringLiteral("Bad room id") };
    const json messageIdValue = payload.value("messageId", json());
    if (!messageIdValue.is_string())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("messageId must be a string") };
    *messageId = Text::fromJson(messageIdValue);
    if (messageId->isEmpty() || Text::codePoints(*messageId) > MaxMessageId)
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("messageId must have 1..%1 characters").arg(MaxMessageId) };
    *roomId = Text::fromJson(roomIdValue);
    return std::nullopt;
}

std::optional<ChatService::Refusal> ChatService::replyToShape(const json &payload, QString *id)
{
    const auto it = payload.find("replyTo");
    if (it == payload.end() || it->is_null())
        return std::nullopt;
    if (!it->is_string())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("replyTo must be a string") };
    *id = Text::fromJson(*it);
    if (id->isEmpty() || Text::codePoints(*id) > MaxMessageId)
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("replyTo must have 1..%1 characters").arg(MaxMessageId) };
    return std::nullopt;
}

std::optional<ChatService::Refusal> ChatService::quote(
    const QString &roomId, const QString &messageId, std::optional<ReplySnapshot> *out)
{
    StoredMessage original;
    if (auto refused = findMessage(roomId, messageId, &original))
        return refused;
    // A quote of what was answered: later edits and the deletion of the original leave it alone.
    *out = original.snapshot();
    return std::nullopt;
}

std::optional<ChatService::Refusal> ChatService::findMessage(
    const QString &roomId, const QString &messageId, StoredMessage *out)
{
    std::optional<StoredMessage> found;
    if (!m_store->find(roomId, messageId, &found))
        return internalError();
    if (!found)
        return Refusal { QStringLiteral("not_found"),
            QStringLiteral("No message %1 in %2").arg(messageId, roomId) };
    *out = std::move(*found);
    return std::nullopt;
}

ChatService::Reply ChatService::commitChange(StoredMessage changed)
{
    const auto stored = m_store->change(std::move(changed));
    if (!stored)
        return internalError();
    const json message = messageJson(*stored);
    emitEvent({ Target::Room, stored->roomId, nullptr, nullptr }, "message:updated", message);
    return json { { "message", message } };
}

ChatService::Reply ChatService::edit(Socket *socket, const json &payload)
{
    QString roomId;
    QString messageId;
    if (auto refused = targetShape(payload, &roomId, &messageId))
        return *refused;
    const json contentValue = payload.value("content", json());
    if (!contentValue.is_string())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("content must be a string") };
    const QString content = Text::trimmed(Text::fromJson(contentValue));
    if (content.isEmpty())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("content is empty") };
    if (auto refused = checkRoom(socket, roomId, /*needJoined=*/true))
        return *refused;
    StoredMessage m;
    if (auto refused = findMessage(roomId, messageId, &m))
        return *refused;
    if (m.userId != socket->user.id)
        return Refusal { QStringLiteral("access_denied"),
            QStringLiteral("Only the author edits a message") };
    if (m.deleted)
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("Message %1 is deleted").arg(messageId) };
    const qsizetype length = Text::codePoints(content);
    if (length > m_config.maxContent)
        return Refusal { QStringLiteral("too_long"),
            QStringLiteral("content has %1 characters, at most %2 allowed")
                .arg(length)
                .arg(m_config.maxContent) };
    if (content == m.content)
        return json { { "message", messageJson(m) } };
    if (const auto retryAfter
        = m_rateLimiter.take(socket->user.id, QDateTime::currentMSecsSinceEpoch()))
        return Refusal { QStringLiteral("rate_limited"), QStringLiteral("Too many messages"),
            *retryAfter };
    m.content = content;
    m.editedAt = Text::timestampNow();
    m.mentions = mentions(content, *m_rooms.find(roomId), m_known);
    return commitChange(std::move(m));
}

ChatService::Reply ChatService::remove(Socket *socket, const json &payload)
{
    QString roomId;
    QString messageId;
    if (auto refused = targetShape(payload, &roomId, &messageId))
        return *refused;
    if (auto refused = checkRoom(socket, roomId, /*needJoined=*/true))
        return *refused;
    StoredMessage m;
    if (auto refused = findMessage(roomId, messageId, &m))
        return *refused;
    if (m.userId != socket->user.id)
        return Refusal { QStringLiteral("access_denied"),
            QStringLiteral("Only the author deletes a message") };
    if (m.deleted)
        return json { { "message", messageJson(m) } };
    // Never rate limited: a user can always take back what they wrote.
    m.content.clear();
    m.reactions.clear();
    m.mentions.clear();
    m.deleted = true;
    m.deletedAt = Text::timestampNow();
    return commitChange(std::move(m));
}

ChatService::Reply ChatService::react(Socket *socket, const json &payload)
{
    QString roomId;
    QString messageId;
    if (auto refused = targetShape(payload, &roomId, &messageId))
        return *refused;
    const json emojiValue = payload.value("emoji", json());
    if (!emojiValue.is_string() || !Text::isValidEmoji(Text::fromJson(emojiValue)))
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("emoji must have 1..16 characters, no white space or controls") };
    const QString emoji = Text::fromJson(emojiValue);
    const json addValue = payload.value("add", json());
    if (!addValue.is_boolean())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("add must be a boolean") };
    const bool add = addValue.get<bool>();
    if (auto refused = checkRoom(socket, roomId, /*needJoined=*/true))
        return *refused;
    StoredMessage m;
    if (auto refused = findMessage(roomId, messageId, &m))
        return *refused;
    if (m.deleted)
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("Message %1 is deleted").arg(messageId) };
    const QString &user = socket->user.id;
    const bool present = m.reactions.value(emoji).contains(user);
    if (add == present)
        return json { { "message", messageJson(m) } };
    if (add && !m.reactions.contains(emoji) && m.reactions.size() >= MaxEmojiPerMessage)
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("A message has at most %1 distinct emoji").arg(MaxEmojiPerMessage) };
    if (const auto retryAfter = m_rateLimiter.take(user, QDateTime::currentMSecsSinceEpoch()))
        return Refusal { QStringLiteral("rate_limited"), QStringLiteral("Too many messages"),
            *retryAfter };
    if (add) {
        QStringList &users = m.reactions[emoji];
        // Code point order (UTF-8 byte order), not QString's UTF-16 order: every server sorts
        // ids outside the BMP alike.
        const auto before
            = [](const QString &a, const QString &b) { return a.toUtf8() < b.toUtf8(); };
        users.insert(std::lower_bound(users.begin(), users.end(), user, before), user);
    } else {
        QStringList &users = m.reactions[emoji];
        users.removeAll(user);
        if (users.isEmpty())
            m.reactions.remove(emoji);
    }
    return commitChange(std::move(m));
}

ChatService::Reply ChatService::updates(Socket *socket, const json &payload)
{
    if (!payload.is_object())
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("Expected {roomId, afterRev, limit?}") };
    const json roomIdValue = payload.value("roomId", json());
    if (!Text::isValidRoomId(roomIdValue))
        return Refusal { QStringLiteral("invalid"), QStringLiteral("Bad room id") };
    const auto afterRev = Text::nonNegativeInteger(payload.value("afterRev", json()));
    if (!afterRev)
        return Refusal { QStringLiteral("invalid"),
            QStringLiteral("afterRev must be an integer >= 0") };
    std::optional<qint64> limit;
    if (const auto it = payload.find("limit"); it != payload.end()) {
        limit = Text::positiveInteger(*it);
        if (!limit)
            return Refusal { QStringLiteral("invalid"),
                QStringLiteral("limit must be a positive integer") };
    }
    const QString roomId = Text::fromJson(roomIdValue);
    if (auto refused = checkRoom(socket, roomId, /*needJoined=*/true))
        return *refused;
    const int count = int(std::min<qint64>(limit.value_or(UpdatesDefault), UpdatesCap));
    const auto page = m_store->updates(roomId, *afterRev, count);
    if (!page)
        return internalError();
    json messages = json::array();
    for (const auto &m : page->messages)
        messages.push_back(messageJson(m));
    return json { { "messages", std::move(messages) }, { "hasMore", page->hasMore },
        { "rev", page->rev } };
}

} // namespace Palaver::Stub
