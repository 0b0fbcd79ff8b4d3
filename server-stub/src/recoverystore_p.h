// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/packet.h>

#include <QHash>
#include <QSet>
#include <QString>

#include <deque>
#include <optional>

namespace Palaver::Stub {

//! Connection state recovery, as socket.io's in-memory adapter does it: every persisted emission
//! gets an offset and is kept for the recovery window with the rooms it went to; a session saved
//! at a transport-level disconnect can be restored once, with the emissions it missed.
class RecoveryStore {
public:
    explicit RecoveryStore(qint64 windowMs);

    //! Allocates the next offset.
    QString nextOffset();
    //! Keeps an emission. Empty `rooms` means every socket; `except` rooms are left out.
    void persist(const QString &offset, QSet<QString> rooms, QSet<QString> except,
        Protocol::Frames frames, qint64 nowMs);

    struct Session {
        QString sid;
        QString pid;
        QString userId;
        QSet<QString> rooms; //!< internal room keys, the socket's own included
        qint64 disconnectedAtMs = 0;
    };
    void saveSession(Session session);

    struct Restored {
        Session session;
        std::vector<Protocol::Frames> missed;
    };
    //! Takes the session `pid` if it is still within the window and `offset` is known. The
    //! session is removed whether or not it belongs to `userId`; it is only returned for it.
    std::optional<Restored> restore(
        const QString &pid, const QString &offset, const QString &userId, qint64 nowMs);

    void expire(qint64 nowMs);
    void clear();

private:
    struct Entry {
        QString offset;
        QSet<QString> rooms;
        QSet<QString> except;
        Protocol::Frames frames;
        qint64 atMs;
    };
    qint64 m_windowMs;
    quint64 m_counter = 0;
    QString m_prefix;
    std::deque<Entry> m_packets;
    QHash<QString, qsizetype> m_offsetIndex; //!< offset -> absolute position
    qsizetype m_dropped = 0; //!< packets removed from the front so far
    QHash<QString, Session> m_sessions;
};

} // namespace Palaver::Stub
