// SPDX-License-Identifier: MIT
// The stub's request handling, in-process and without sockets: each input is one session of
// frames fed to an EngineConnection + ChatService (the stub's own classes) through the signals
// of a QWebSocket that is never connected; what the stub answers goes nowhere.
//
// Input: lines separated by '\n'. An optional first line "#flags" picks the session:
//   r  connection state recovery on      m  the msgpack parser
//   n  no automatic CONNECT (the input must authenticate itself; the token is "$TOKEN")
//   2  a second socket (bob) joined to "general" first, so broadcasts have a receiver
// A line starting with 'b' is a binary frame (the rest of the line); any other is a text frame.
// "$TOKEN" in a text frame becomes a valid token for alice, "$EXPIRED" an expired one.
#include "chatservice_p.h"
#include "engineconnection_p.h"
#include "messagestore_p.h"
#include <Palaver/Stub/jwtverifier.h>
#include <Palaver/Stub/stubconfig.h>

#include <QCoreApplication>
#include <QWebSocket>

#include <cstdint>
#include <cstdlib>
#include <memory>

using namespace Palaver::Stub;

namespace {

void quiet(QtMsgType type, const QMessageLogContext &, const QString &message)
{
    if (type == QtFatalMsg) {
        fprintf(stderr, "fatal: %s\n", qPrintable(message));
        abort();
    }
}

QCoreApplication *application()
{
    static int argc = 1;
    static char name[] = "fuzz_stub_session";
    static char *argv[] = { name, nullptr };
    static QCoreApplication *app = [] {
        qInstallMessageHandler(quiet);
        return new QCoreApplication(argc, argv);
    }();
    return app;
}

const QByteArray secret = QByteArrayLiteral("fuzz-secret");

struct Peer {
    QWebSocket *socket = nullptr;
    EngineConnection *connection = nullptr;
};

Peer attach(ChatService &chat, const EngineConnection::Options &options)
{
    Peer p;
    p.socket = new QWebSocket();
    p.connection = new EngineConnection(p.socket, options);
    chat.attach(p.connection);
    return p;
}

void text(Peer &p, const QString &frame)
{
    if (!p.connection->isClosed())
        Q_EMIT p.socket->textMessageReceived(frame);
}

void frames(Peer &p, const Palaver::Protocol::Result<Palaver::Protocol::Frames> &encoded)
{
    if (!encoded)
        abort(); // our own packets always encode
    for (const auto &f : encoded.value()) {
        if (p.connection->isClosed())
            return;
        if (f.binary)
            Q_EMIT p.socket->binaryMessageReceived(
                QByteArray(f.bytes.data(), qsizetype(f.bytes.size())));
        else
            Q_EMIT p.socket->textMessageReceived(
                QString::fromUtf8(f.bytes.data(), qsizetype(f.bytes.size())));
    }
}

void connectAs(Peer &p, Palaver::Protocol::ParserKind parser, const QString &token)
{
    frames(p,
        Palaver::Protocol::encodePacket(parser, Palaver::Protocol::PacketType::Connect,
            nlohmann::json { { "token", token.toStdString() } }));
}

void finish(Peer &p)
{
    if (!p.connection->isClosed())
        Q_EMIT p.socket->disconnected();
    delete p.connection; // owns the socket
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    application();
    // Fixed claims (exp in 2100), so that a corpus may hold the token verbatim.
    static const QString token = QString::fromUtf8(JwtVerifier::mintClaims(
        secret, { { "sub", "alice" }, { "name", "Alice" }, { "exp", 4102444800 } }));
    static const QString bobToken = QString::fromUtf8(
        JwtVerifier::mintClaims(secret, { { "sub", "bob" }, { "exp", 4102444800 } }));
    static const QString expired = QString::fromUtf8(
        JwtVerifier::mintClaims(secret, { { "sub", "alice" }, { "exp", 1000 } }));

    QList<QByteArray> lines
        = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size))
              .split('\n');
    QByteArray flags;
    if (!lines.isEmpty() && lines.first().startsWith('#'))
        flags = lines.takeFirst();

    StubConfig config;
    config.secret = secret;
    config.rooms = { { QStringLiteral("general"), QStringLiteral("General"), false, {} },
        { QStringLiteral("staff"), QStringLiteral("Staff"), true, { QStringLiteral("alice") } },
        { QStringLiteral("closed"), QStringLiteral("Closed"), true, { QStringLiteral("dave") } } };
    config.recovery = flags.contains('r');
    config.parser = flags.contains('m') ? StubConfig::Parser::Msgpack : StubConfig::Parser::Json;
    config.maxContent = 200;
    config.maxPayload = 100000;
    config.rateBurst = 50;
    MessageStore store(QStringLiteral(":memory:"));
    if (!store.open())
        abort();
    {
        ChatService chat(config, &store);
        EngineConnection::Options options;
        options.parser = flags.contains('m') ? Palaver::Protocol::ParserKind::Msgpack
                                             : Palaver::Protocol::ParserKind::Json;
        options.maxPayload = config.maxPayload;

        Peer bob;
        if (flags.contains('2')) {
            bob = attach(chat, options);
            connectAs(bob, options.parser, bobToken);
            frames(bob,
                Palaver::Protocol::encodeEvent(
                    options.parser, "room:join", nlohmann::json::array({ "general" }), 0));
        }
        Peer alice = attach(chat, options);
        if (!flags.contains('n'))
            connectAs(alice, options.parser, token);
        for (const QByteArray &line : std::as_const(lines)) {
            if (alice.connection->isClosed())
                break;
            if (line.startsWith('b')) {
                Q_EMIT alice.socket->binaryMessageReceived(line.mid(1));
            } else {
                QString frame = QString::fromUtf8(line);
                frame.replace(QLatin1String("$TOKEN"), token);
                frame.replace(QLatin1String("$EXPIRED"), expired);
                text(alice, frame);
            }
        }
        finish(alice);
        if (bob.connection)
            finish(bob);
    }
    // Queued work (deleteLater, zero timers) of this session, before the next one.
    QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    QCoreApplication::processEvents();
    return 0;
}
