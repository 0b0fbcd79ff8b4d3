// SPDX-License-Identifier: MIT
#include "Palaver/Stub/stubconfig.h"

#include "chattext_p.h"

#include <QFile>
#include <QSet>

#include <nlohmann/json.hpp>

namespace Palaver::Stub {

QList<RoomConfig> StubConfig::defaultRooms()
{
    return { RoomConfig { QStringLiteral("general"), QStringLiteral("General"), false, {} } };
}

std::optional<QList<RoomConfig>> StubConfig::loadRooms(const QString &file, QString *error)
{
    auto fail = [&](const QString &why) -> std::optional<QList<RoomConfig>> {
        if (error)
            *error = QStringLiteral("rooms file %1: %2").arg(file, why);
        return std::nullopt;
    };
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return fail(f.errorString());
    const QByteArray bytes = f.readAll();
    const auto list = nlohmann::json::parse(bytes.constBegin(), bytes.constEnd(), nullptr, false);
    if (!list.is_array())
        return fail(QStringLiteral("expected a JSON array"));
    QList<RoomConfig> rooms;
    QSet<QString> seen;
    int index = 0;
    for (const auto &entry : list) {
        const QString where = QStringLiteral("entry %1").arg(index++);
        if (!entry.is_object())
            return fail(where + QStringLiteral(": not an object"));
        const auto id = entry.value("id", nlohmann::json());
        if (!Text::isValidRoomId(id))
            return fail(where + QStringLiteral(": bad id"));
        RoomConfig room;
        room.id = Text::fromJson(id);
        if (seen.contains(room.id))
            return fail(where + QStringLiteral(": duplicate id ") + room.id);
        seen.insert(room.id);
        const auto name = entry.value("name", nlohmann::json());
        room.name = name.is_string() ? Text::fromJson(name) : room.id;
        room.isPrivate = entry.value("private", nlohmann::json()) == true;
        if (room.isPrivate) {
            const auto members = entry.value("members", nlohmann::json());
            if (members.is_array()) {
                for (const auto &m : members) {
                    if (m.is_string())
                        room.members.append(Text::fromJson(m));
                }
            }
        }
        rooms.append(room);
    }
    return rooms;
}

} // namespace Palaver::Stub
