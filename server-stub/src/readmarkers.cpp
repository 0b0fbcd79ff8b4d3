// SPDX-License-Identifier: MIT
#include "chatservice_p.h"
#include "chattext_p.h"
#include "logging_p.h"
#include "messagestore_p.h"
#include "readmarkers_p.h"

#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>

namespace Palaver::Stub {

ReadMarkers::ReadMarkers(MessageStore *store) : m_store(store)
{
}

std::optional<qint64> ReadMarkers::get(const QString &userId, const QString &roomId)
{
    QSqlQuery q(m_store->database());
    q.prepare(QStringLiteral("SELECT seq FROM read_markers WHERE user_id = ? AND room_id = ?"));
    q.addBindValue(QVariant(userId.toUtf8()));
    q.addBindValue(roomId);
    if (!q.exec()) {
        qCWarning(Log::stub) << "cannot read a read marker:" << q.lastError().text();
        return std::nullopt;
    }
    return q.next() ? q.value(0).toLongLong() : 0;
}

std::optional<ReadMarkers::Advanced> ReadMarkers::advance(
    const QString &userId, const QString &roomId, qint64 seq, qint64 lastSeq)
{
    const auto old = get(userId, roomId);
    if (!old)
        return std::nullopt;
    const qint64 wanted = std::max(*old, std::min(seq, lastSeq));
    if (wanted == *old)
        return Advanced { *old, false };
    QSqlQuery q(m_store->database());
    q.prepare(QStringLiteral(
        "INSERT OR REPLACE INTO read_markers (user_id, room_id, seq) VALUES (?, ?, ?)"));
    q.addBindValue(QVariant(userId.toUtf8()));
    q.addBindValue(roomId);
    q.addBindValue(wanted);
    if (!q.exec()) {
        qCWarning(Log::stub) << "cannot store a read marker:" << q.lastError().text();
        return std::nullopt;
    }
    return Advanced { wanted, true };
}

// ---------------------------------------------------------------------------------------------
// room:read

ChatService::Reply ChatService::markRead(Socket *socket, const nlohmann::json &payload)
{
    if (!payload.is_object())
        return Refusal { QStringLiteral("invalid"), QStringLiteral("Expected {roomId, seq}") };
    const nlohmann::json roomIdValue = payload.value("roomId", nlohmann::json());
    if (!Text::isValidRoomId(roomIdValue))
        return Refusal { QStringLiteral("invalid"), QStringLiteral("Bad room id") };
    const auto seq = Text::positiveInteger(payload.value("seq", nlohmann::json()));
    if (!seq)
        return Refusal { QStringLiteral("invalid"), QStringLiteral("seq must be an integer >= 1") };
    const QString roomId = Text::fromJson(roomIdValue);
    // No join needed: a user marks a room read from a room list.
    if (auto refused = checkRoom(socket, roomId, /*needJoined=*/false))
        return *refused;
    const auto lastSeq = m_store->lastSeq(roomId);
    const auto marker
        = lastSeq ? m_readMarkers.advance(socket->user.id, roomId, *seq, *lastSeq) : std::nullopt;
    if (!marker)
        return internalError();
    if (marker->moved)
        emitEvent({ Target::User, socket->user.id, nullptr, nullptr }, "room:read-marker",
            { { "roomId", roomId.toStdString() }, { "readSeq", marker->readSeq } });
    return nlohmann::json { { "readSeq", marker->readSeq } };
}

} // namespace Palaver::Stub
