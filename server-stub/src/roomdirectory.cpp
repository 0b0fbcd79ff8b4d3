// SPDX-License-Identifier: MIT
#include "roomdirectory_p.h"

namespace Palaver::Stub {

RoomDirectory::RoomDirectory(const QList<RoomConfig> &rooms) : m_rooms(rooms)
{
    for (qsizetype i = 0; i < m_rooms.size(); ++i) {
        m_index.insert(m_rooms.at(i).id, i);
        if (m_rooms.at(i).isPrivate) {
            for (const QString &member : m_rooms.at(i).members)
                m_members.insert(member);
        }
    }
}

const RoomConfig *RoomDirectory::find(const QString &id) const
{
    const auto it = m_index.constFind(id);
    return it == m_index.cend() ? nullptr : &m_rooms.at(*it);
}

bool RoomDirectory::mayAccess(const RoomConfig &room, const QString &userId)
{
    return !room.isPrivate || room.members.contains(userId);
}

QList<const RoomConfig *> RoomDirectory::accessible(const QString &userId) const
{
    QList<const RoomConfig *> out;
    for (const auto &room : m_rooms) {
        if (mayAccess(room, userId))
            out.append(&room);
    }
    return out;
}

} // namespace Palaver::Stub
