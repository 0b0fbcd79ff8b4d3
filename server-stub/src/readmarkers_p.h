// SPDX-License-Identifier: MIT
#pragma once

#include <QString>

#include <optional>

namespace Palaver::Stub {

class MessageStore;

//! contract v1.1 read markers: per user and room, in the store's file, only ever moving forward.
class ReadMarkers {
public:
    explicit ReadMarkers(MessageStore *store);

    //! The user's marker in the room, 0 if none; nullopt on a database error.
    std::optional<qint64> get(const QString &userId, const QString &roomId);
    struct Advanced {
        qint64 readSeq = 0; //!< the stored marker
        bool moved = false;
    };
    //! Stores `max(old, min(seq, lastSeq))`; nullopt on a database error.
    std::optional<Advanced> advance(
        const QString &userId, const QString &roomId, qint64 seq, qint64 lastSeq);

private:
    MessageStore *m_store;
};

} // namespace Palaver::Stub
