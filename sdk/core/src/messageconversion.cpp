// SPDX-License-Identifier: MIT
#include "fromstd_p.h"
#include "messageconversion_p.h"
#include "variantjson_p.h"

namespace Palaver {

using namespace Protocol;

template<typename Fields> Message MessageConverter::convert(const Fields &c, const FrameText &text)
{
    Message m;
    m.id = text(c.id);
    m.roomId = roomId.get(c.roomId, text);
    m.seq = c.seq;
    m.authorId = authorId.get(c.userId, text);
    m.authorName = authorName.get(c.userName, text);
    m.content = text(c.content);
    m.createdAt = createdAt(c.createdAt);
    m.clientId = text(c.clientId);
    m.status = Message::Status::Sent;
    m.rev = c.rev;
    m.deleted = c.deleted;
    // Rare: parsed only when present (a v1 server and a never-changed message have neither).
    if (!c.editedAt.empty())
        m.editedAt = parseTimestamp(c.editedAt);
    if (!c.deletedAt.empty())
        m.deletedAt = parseTimestamp(c.deletedAt);
    if (!c.extras.empty())
        applyExtras(m, c.extras);
    return m;
}

void applyExtras(Message &m, const Protocol::ChatMessageExtras &extras)
{
    m.reactions.reserve(qsizetype(extras.reactions.size()));
    for (const ChatReaction &r : extras.reactions) {
        MessageReaction reaction;
        reaction.emoji = fromStd(r.emoji);
        reaction.userIds.reserve(qsizetype(r.userIds.size()));
        for (const std::string &user : r.userIds)
            reaction.userIds.append(fromStd(user));
        m.reactions.append(std::move(reaction));
    }
    if (const auto &reply = extras.replyTo) {
        m.replyTo.id = fromStd(reply->id);
        m.replyTo.seq = reply->seq;
        m.replyTo.authorId = fromStd(reply->userId);
        m.replyTo.authorName = fromStd(reply->userName);
        m.replyTo.excerpt = fromStd(reply->excerpt);
        m.replyTo.deleted = reply->deleted;
    }
    m.mentions.reserve(qsizetype(extras.mentions.size()));
    for (const std::string &user : extras.mentions)
        m.mentions.append(fromStd(user));
}

Message MessageConverter::operator()(const ChatMessage &message)
{
    return convert(message, FrameText());
}

Message MessageConverter::operator()(const MessageNewView &message, const FrameText &frame)
{
    return convert(message, frame);
}

bool MessageConverter::streamed(
    const MessageNewView &message, const FrameText &frame, StreamedText &out)
{
    const auto ascii
        = [&frame](std::string_view piece) { return piece.empty() || frame.isAscii(piece); };
    if (message.rev != 0 || message.deleted || !message.editedAt.empty()
        || !message.deletedAt.empty() || !message.extras.empty() || message.id.empty()
        || !ascii(message.id) || !ascii(message.clientId) || !ascii(message.content))
        return false;
    const QDateTime created = createdAt(message.createdAt);
    if (!created.isValid())
        return false;
    out.roomId = roomId.get(message.roomId, frame);
    out.authorId = authorId.get(message.userId, frame);
    out.authorName = authorName.get(message.userName, frame);
    out.seq = message.seq;
    out.createdAtMs = created.toMSecsSinceEpoch();
    out.id = message.id;
    out.clientId = message.clientId;
    out.content = message.content;
    return true;
}

Message messageFromJson(const nlohmann::json &value)
{
    auto decoded = chatMessageFromJson(value);
    return decoded ? MessageConverter()(decoded.value()) : Message();
}

Message messageFromVariant(const QVariant &value)
{
    if (value.typeId() != QMetaType::QVariantMap)
        return {};
    return messageFromJson(VariantJson::toJson(value));
}

QList<Message> messagesFromVariant(const QVariant &list)
{
    QList<Message> out;
    const QVariantList items = list.toList();
    out.reserve(items.size());
    MessageConverter convert; // one page: its strings repeat too
    for (const QVariant &item : items) {
        if (item.typeId() != QMetaType::QVariantMap)
            continue;
        auto decoded = chatMessageFromJson(VariantJson::toJson(item));
        if (!decoded || decoded.value().seq <= 0 || decoded.value().id.empty())
            continue;
        out.append(convert(decoded.value()));
    }
    return out;
}

QVariantMap messageToVariant(const Message &m)
{
    QVariantMap out { { QStringLiteral("id"), m.id }, { QStringLiteral("roomId"), m.roomId },
        { QStringLiteral("seq"), m.seq }, { QStringLiteral("userId"), m.authorId },
        { QStringLiteral("userName"), m.authorName }, { QStringLiteral("content"), m.content },
        { QStringLiteral("createdAt"), m.createdAt.toUTC().toString(Qt::ISODateWithMs) } };
    if (!m.clientId.isEmpty())
        out.insert(QStringLiteral("clientId"), m.clientId);
    if (m.rev == 0 && !m.isEdited() && !m.deleted && m.reactions.isEmpty() && !m.replyTo.isValid()
        && m.mentions.isEmpty())
        return out; // a v1 message, or a v1.1 one never changed: the v1 form
    const auto timestamp = [](const QDateTime &t) {
        return t.isValid() ? QVariant(t.toUTC().toString(Qt::ISODateWithMs)) : QVariant();
    };
    out.insert(QStringLiteral("rev"), m.rev);
    out.insert(QStringLiteral("editedAt"), timestamp(m.editedAt));
    out.insert(QStringLiteral("deleted"), m.deleted);
    out.insert(QStringLiteral("deletedAt"), timestamp(m.deletedAt));
    QVariantMap reactions;
    for (const MessageReaction &r : m.reactions)
        reactions.insert(r.emoji, r.userIds);
    out.insert(QStringLiteral("reactions"), reactions);
    if (m.replyTo.isValid()) {
        out.insert(QStringLiteral("replyTo"),
            QVariantMap { { QStringLiteral("id"), m.replyTo.id },
                { QStringLiteral("seq"), m.replyTo.seq },
                { QStringLiteral("userId"), m.replyTo.authorId },
                { QStringLiteral("userName"), m.replyTo.authorName },
                { QStringLiteral("excerpt"), m.replyTo.excerpt },
                { QStringLiteral("deleted"), m.replyTo.deleted } });
    } else {
        out.insert(QStringLiteral("replyTo"), QVariant::fromValue(nullptr));
    }
    out.insert(QStringLiteral("mentions"), m.mentions);
    return out;
}

} // namespace Palaver
