// SPDX-License-Identifier: MIT
#include "cli.h"

#include "Palaver/Stub/jwtverifier.h"
#include "Palaver/Stub/stubserver.h"
#include "logging_p.h"
#include "signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QRandomGenerator>

#include <cstdio>
#include <optional>

namespace Palaver::Stub::Cli {

namespace {

void out(const QString &line)
{
    std::fputs(qPrintable(line + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

int usageError(const QString &message)
{
    std::fputs(qPrintable(QStringLiteral("palaver-stub: %1\n").arg(message)), stderr);
    return 2;
}

std::optional<qint64> integerOption(
    const QCommandLineParser &parser, const QString &name, qint64 min, qint64 max, QString *error)
{
    bool ok = false;
    const qint64 v = parser.value(name).toLongLong(&ok);
    if (!ok || v < min || v > max) {
        *error = QStringLiteral("--%1 needs an integer from %2 to %3, got \"%4\"")
                     .arg(name)
                     .arg(min)
                     .arg(max)
                     .arg(parser.value(name));
        return std::nullopt;
    }
    return v;
}

QList<RoomConfig> demoRooms()
{
    return {
        { QStringLiteral("general"), QStringLiteral("General"), false, {} },
        { QStringLiteral("random"), QStringLiteral("Random"), false, {} },
        { QStringLiteral("staff"), QStringLiteral("Staff"), true,
            { QStringLiteral("alice"), QStringLiteral("dave") } },
    };
}

QByteArray randomSecret()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), 6);
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

} // namespace

int runServer(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Palaver chat server stub: Socket.IO v5 over WebSocket.\n"
        "Subcommand: palaver-stub token --user ID --name NAME [--ttl S] [--secret S]"));
    parser.addHelpOption();
    parser.addVersionOption();
    const auto opt = [](const char *name, const char *help, const char *valueName = nullptr,
                         const char *def = nullptr) {
        QString text = QString::fromLatin1(help);
        if (def)
            text += QStringLiteral(" Default: %1.").arg(QString::fromLatin1(def));
        QCommandLineOption o(QString::fromLatin1(name), text);
        if (valueName)
            o.setValueName(QString::fromLatin1(valueName));
        if (def)
            o.setDefaultValue(QString::fromLatin1(def));
        return o;
    };
    parser.addOptions({
        opt("host", "Address to listen on.", "H", "127.0.0.1"),
        opt("port", "Port; 0 picks a free one (env PALAVER_PORT). Default: 3001.", "N"),
        opt("db", "SQLite database file; :memory: keeps nothing.", "PATH", ":memory:"),
        opt("rooms", "Rooms file (JSON).", "FILE"),
        opt("secret", "HS256 secret (env PALAVER_SECRET).", "S"),
        opt("recovery", "Enable Socket.IO connection state recovery."),
        opt("parser", "Socket.IO parser: json or msgpack.", "json|msgpack", "json"),
        opt("ping-interval", "Engine.IO ping interval.", "MS", "25000"),
        opt("ping-timeout", "Engine.IO ping timeout.", "MS", "20000"),
        opt("connect-timeout", "Close a connection that sends no CONNECT.", "MS", "45000"),
        opt("max-payload", "Largest accepted frame (close 1009 above it).", "BYTES", "1000000"),
        opt("max-content", "Message content limit in code points.", "N", "4000"),
        opt("rate-burst", "Per-user token bucket size for message:send, edits and reactions.", "N",
            "20"),
        opt("rate-per-sec", "Per-user token bucket refill rate.", "R", "5"),
        opt("recovery-window", "Connection state recovery window.", "MS", "120000"),
        opt("v1",
            "Behave as a plain contract v1 server: no session:ready features, no v1.1 "
            "message fields, v1.1 requests (edit, delete, react, updates, read) ignored."),
        opt("demo",
            "Demo rooms and users, each empty demo room seeded with a conversation; prints a "
            "token per user."),
        opt("verbose", "Log info (palaver.*.info) on stderr; QT_LOGGING_RULES still wins."),
    });
    parser.process(arguments);
    if (parser.isSet(QStringLiteral("verbose")))
        Log::enableVerbose();
    if (!parser.positionalArguments().isEmpty())
        return usageError(
            QStringLiteral("unexpected argument %1").arg(parser.positionalArguments().first()));

    StubConfig config;
    QString error;
    if (!config.host.setAddress(parser.value(QStringLiteral("host"))))
        return usageError(QStringLiteral("--host needs an IP address"));
    QString portText = parser.value(QStringLiteral("port"));
    if (!parser.isSet(QStringLiteral("port")))
        portText = qEnvironmentVariable("PALAVER_PORT", QStringLiteral("3001"));
    bool ok = false;
    const uint port = portText.toUInt(&ok);
    if (!ok || port > 65535)
        return usageError(QStringLiteral("--port needs a number from 0 to 65535"));
    config.port = quint16(port);
    config.dbPath = parser.value(QStringLiteral("db"));
    config.secret = parser.isSet(QStringLiteral("secret"))
        ? parser.value(QStringLiteral("secret")).toUtf8()
        : qEnvironmentVariable("PALAVER_SECRET").toUtf8();
    config.recovery = parser.isSet(QStringLiteral("recovery"));
    config.v1 = parser.isSet(QStringLiteral("v1"));
    const QString parserName = parser.value(QStringLiteral("parser"));
    if (parserName == QLatin1String("json"))
        config.parser = StubConfig::Parser::Json;
    else if (parserName == QLatin1String("msgpack"))
        config.parser = StubConfig::Parser::Msgpack;
    else
        return usageError(QStringLiteral("--parser must be json or msgpack"));

    constexpr qint64 IntMax = std::numeric_limits<int>::max();
    struct IntOption {
        const char *name;
        int *target;
    };
    for (const IntOption &o : { IntOption { "ping-interval", &config.pingInterval },
             IntOption { "ping-timeout", &config.pingTimeout },
             IntOption { "connect-timeout", &config.connectTimeout },
             IntOption { "max-content", &config.maxContent },
             IntOption { "rate-burst", &config.rateBurst },
             IntOption { "recovery-window", &config.recoveryWindow } }) {
        const auto v = integerOption(parser, QString::fromLatin1(o.name), 1, IntMax, &error);
        if (!v)
            return usageError(error);
        *o.target = int(*v);
    }
    const auto maxPayload
        = integerOption(parser, QStringLiteral("max-payload"), 1, qint64(1) << 40, &error);
    if (!maxPayload)
        return usageError(error);
    config.maxPayload = *maxPayload;
    config.ratePerSec = parser.value(QStringLiteral("rate-per-sec")).toDouble(&ok);
    if (!ok || !(config.ratePerSec >= 0.001))
        return usageError(QStringLiteral("--rate-per-sec needs a number >= 0.001"));

    const bool demo = parser.isSet(QStringLiteral("demo"));
    if (parser.isSet(QStringLiteral("rooms"))) {
        const auto rooms = StubConfig::loadRooms(parser.value(QStringLiteral("rooms")), &error);
        if (!rooms)
            return usageError(error);
        config.rooms = *rooms;
    } else if (demo) {
        config.rooms = demoRooms();
    }
    config.demoConversation = demo;
    bool randomSecretUsed = false;
    if (config.secret.isEmpty()) {
        if (!demo)
            return usageError(QStringLiteral("--secret (or env PALAVER_SECRET) is required"));
        config.secret = randomSecret();
        randomSecretUsed = true;
    }

    StubServer server(config);
    // Watch the signals before listening: a fixture may send SIGTERM as soon as it reads the line.
    SignalWatcher signals;
    QObject::connect(&signals, &SignalWatcher::terminationRequested, &server, [&server] {
        server.stop();
        QCoreApplication::quit();
    });
    if (!server.start()) {
        std::fputs(qPrintable(QStringLiteral("palaver-stub: cannot listen on %1:%2: %3\n")
                                  .arg(config.host.toString())
                                  .arg(config.port)
                                  .arg(server.errorString())),
            stderr);
        return 1;
    }
    if (demo) {
        if (randomSecretUsed)
            out(QStringLiteral("demo secret (random, pass --secret to choose one): %1")
                    .arg(QString::fromUtf8(config.secret)));
        const QList<std::pair<QString, QString>> users = {
            { QStringLiteral("alice"), QStringLiteral("Alice") },
            { QStringLiteral("bob"), QStringLiteral("Bob") },
            { QStringLiteral("carol"), QStringLiteral("Carol") },
            { QStringLiteral("dave"), QStringLiteral("Dave") },
        };
        for (const auto &[id, name] : users)
            out(QStringLiteral("demo token %1: %2")
                    .arg(id, QString::fromLatin1(server.makeToken(id, name, 7 * 24 * 3600))));
    }
    out(QStringLiteral("palaver-stub listening on %1:%2")
            .arg(server.serverAddress().toString())
            .arg(server.serverPort()));

    return QCoreApplication::exec();
}

int runToken(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Prints an HS256 token for the stub."));
    parser.addHelpOption();
    parser.addOptions({
        QCommandLineOption(
            QStringLiteral("user"), QStringLiteral("User id (sub)."), QStringLiteral("ID")),
        QCommandLineOption(
            QStringLiteral("name"), QStringLiteral("Display name."), QStringLiteral("NAME")),
        QCommandLineOption(QStringLiteral("ttl"), QStringLiteral("Lifetime in seconds."),
            QStringLiteral("SECONDS"), QStringLiteral("86400")),
        QCommandLineOption(QStringLiteral("secret"),
            QStringLiteral("HS256 secret (env PALAVER_SECRET)."), QStringLiteral("S")),
    });
    parser.process(arguments);
    const QString user = parser.value(QStringLiteral("user"));
    if (user.isEmpty())
        return usageError(QStringLiteral("token: --user is required"));
    const QByteArray secret = parser.isSet(QStringLiteral("secret"))
        ? parser.value(QStringLiteral("secret")).toUtf8()
        : qEnvironmentVariable("PALAVER_SECRET").toUtf8();
    if (secret.isEmpty())
        return usageError(QStringLiteral("token: --secret (or env PALAVER_SECRET) is required"));
    bool ok = false;
    const qint64 ttl = parser.value(QStringLiteral("ttl")).toLongLong(&ok);
    if (!ok || ttl < 1)
        return usageError(QStringLiteral("token: --ttl needs a positive integer"));
    const QByteArray token
        = JwtVerifier::mint(secret, user, parser.value(QStringLiteral("name")), ttl);
    if (token.isEmpty())
        return usageError(QStringLiteral("token: cannot sign"));
    out(QString::fromLatin1(token));
    return 0;
}

} // namespace Palaver::Stub::Cli
