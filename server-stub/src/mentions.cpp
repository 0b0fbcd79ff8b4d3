// SPDX-License-Identifier: MIT
#include "chattext_p.h"
#include "logging_p.h"
#include "mentions_p.h"
#include "messagestore_p.h"
#include "roomdirectory_p.h"

#include <QSqlError>
#include <QSqlQuery>

namespace Palaver::Stub {

namespace {

bool endsMention(char16_t c)
{
    static constexpr char16_t Stops[] = u".,;:!?()[]{}\"'<>";
    if (Text::isWhiteSpace(c))
        return true;
    for (const char16_t s : Stops) {
        if (s != 0 && s == c)
            return true;
    }
    return false;
}

} // namespace

KnownUsers::KnownUsers(MessageStore *store, const RoomDirectory *rooms)
    : m_store(store), m_rooms(rooms)
{
}

void KnownUsers::remember(const QString &userId)
{
    if (m_remembered.contains(userId))
        return;
    QSqlQuery q(m_store->database());
    q.prepare(QStringLiteral("INSERT OR IGNORE INTO known_users (user_id) VALUES (?)"));
    q.addBindValue(QVariant(userId.toUtf8()));
    if (q.exec())
        m_remembered.insert(userId);
    else
        qCWarning(Log::stub) << "cannot remember a user:" << q.lastError().text();
}

bool KnownUsers::isKnown(const QString &userId)
{
    if (m_remembered.contains(userId) || m_rooms->isConfiguredMember(userId))
        return true;
    QSqlQuery q(m_store->database());
    q.prepare(QStringLiteral("SELECT 1 FROM known_users WHERE user_id = ?"));
    q.addBindValue(QVariant(userId.toUtf8()));
    if (q.exec() && q.next()) {
        m_remembered.insert(userId);
        return true;
    }
    return false;
}

QStringList Text::mentionCandidates(const QString &content)
{
    QStringList out;
    const qsizetype n = content.size();
    for (qsizetype i = 0; i < n; ++i) {
        if (content.at(i) != u'@' || (i > 0 && !isWhiteSpace(content.at(i - 1).unicode())))
            continue;
        qsizetype end = i + 1;
        while (end < n && !endsMention(content.at(end).unicode()))
            ++end;
        const QString id = content.mid(i + 1, end - i - 1);
        if (!id.isEmpty() && !out.contains(id))
            out.append(id);
        i = end - 1;
    }
    return out;
}

QStringList mentions(const QString &content, const RoomConfig &room, KnownUsers &known)
{
    QStringList out;
    for (const QString &id : Text::mentionCandidates(content)) {
        const bool mayBeMentioned = room.isPrivate ? room.members.contains(id) : known.isKnown(id);
        if (mayBeMentioned)
            out.append(id);
    }
    return out;
}

} // namespace Palaver::Stub
