// SPDX-License-Identifier: MIT
#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace Palaver::Stub {

//! One room of the rooms file (PROTOCOL.md "Rooms file").
struct RoomConfig {
    QString id;
    QString name;
    bool isPrivate = false;
    QStringList members; //!< only for private rooms

    friend bool operator==(const RoomConfig &, const RoomConfig &) = default;
};

//! Every option of the server contract in tests/README.md, plus the stub's own.
struct StubConfig {
    enum class Parser { Json, Msgpack };

    QHostAddress host = QHostAddress::LocalHost;
    quint16 port = 3001;
    QString path = QStringLiteral("/socket.io/");
    QByteArray secret; //!< HS256 secret; required
    QString dbPath = QStringLiteral(":memory:");
    QList<RoomConfig> rooms = defaultRooms();
    bool recovery = false;
    Parser parser = Parser::Json;
    int pingInterval = 25000; //!< ms
    int pingTimeout = 20000; //!< ms
    int connectTimeout = 45000; //!< ms
    qint64 maxPayload = 1000000; //!< bytes
    int maxContent = 4000; //!< code points
    int rateBurst = 20;
    double ratePerSec = 5;
    int recoveryWindow = 120000; //!< ms
    //! Emit the informational `error {message, code}` event for refused `room:join` requests.
    bool errorEvents = true;
    //! Behave as a plain v1 server: no `features`, no v1.1 fields, v1.1 requests ignored like
    //! any event without a listener (docs/contract-v1.1.md "A v1 server").
    bool v1 = false;
    //! On start, give each demo room that has no messages yet its seeded conversation
    //! (`palaver-stub --demo`; see server-stub/src/demoseed_p.h). A room with a history of its
    //! own is left alone, so a restart on the same file adds nothing.
    bool demoConversation = false;

    //! The built-in `general` room used when no rooms file is given.
    static QList<RoomConfig> defaultRooms();
    //! Reads a rooms file; on failure returns nullopt and says why in `error`.
    static std::optional<QList<RoomConfig>> loadRooms(const QString &file, QString *error);
};

} // namespace Palaver::Stub
