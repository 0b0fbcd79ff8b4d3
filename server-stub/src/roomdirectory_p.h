// SPDX-License-Identifier: MIT
#pragma once

#include "Palaver/Stub/stubconfig.h"

#include <QHash>
#include <QSet>

namespace Palaver::Stub {

//! The configured rooms and who may access them.
class RoomDirectory {
public:
    explicit RoomDirectory(const QList<RoomConfig> &rooms);

    const RoomConfig *find(const QString &id) const;
    static bool mayAccess(const RoomConfig &room, const QString &userId);
    //! The rooms `userId` may join, in file order.
    QList<const RoomConfig *> accessible(const QString &userId) const;
    //! Whether `userId` is a configured member of some private room.
    bool isConfiguredMember(const QString &userId) const { return m_members.contains(userId); }

private:
    QList<RoomConfig> m_rooms;
    QHash<QString, qsizetype> m_index;
    QSet<QString> m_members;
};

} // namespace Palaver::Stub
