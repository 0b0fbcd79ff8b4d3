// SPDX-License-Identifier: MIT
#pragma once

#include <QJsonObject>
#include <QObject>

namespace Palaver {
class Client;
}

namespace Palaver::Bot {

class CommandBot;
class RoomPresence;

//! `--json`: every event as one JSON object per line on stdout, flushed per line.
class JsonEvents : public QObject {
    Q_OBJECT
public:
    explicit JsonEvents(QObject *parent = nullptr);

    //! Prints the connection's events: state, session, joins, messages, acks, errors.
    void watch(Client *client);
    void watch(RoomPresence *presence);
    void watch(CommandBot *bot);

    //! One line: `object` with "event" set to `event` first.
    static void print(const QString &event, QJsonObject object = {});
};

} // namespace Palaver::Bot
