// SPDX-License-Identifier: MIT
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
    return m;
}

Message MessageConverter::operator()(const ChatMessage &message)
{
    return convert(message, FrameText());
}

Message MessageConverter::operator()(const MessageNewView &message, const FrameText &frame)
{
    return convert(message, frame);
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
    return out;
}

} // namespace Palaver
