// SPDX-License-Identifier: MIT
// palaver-bot end to end: the binary (QProcess) against the in-process StubServer. Commands and
// their replies, the --json event stream, --stdin across a server restart (each line stored
// exactly once), the exit codes, and the bot kit's parsers. One test runs palaver-stub as a
// process too, to kill it: a --json listener must print every line of a --stdin sender once
// across a SIGKILL and a SIGTERM of the server.
#include "faultproxy.h"
#include <Palaver/Bot/standardcommands.h>
#include <Palaver/Stub/jwtverifier.h>
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>
#include <memory>

using namespace Palaver;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;

namespace {

const QString BotPath = QStringLiteral(PALAVER_BOT_PATH);
const QString StubPath = QStringLiteral(PALAVER_STUB_PATH);

StubConfig testConfig(const QString &dbPath = QStringLiteral(":memory:"))
{
    StubConfig config;
    config.secret = QByteArrayLiteral("bot-test-secret");
    config.dbPath = dbPath;
    config.rooms = {
        { QStringLiteral("general"), QStringLiteral("General"), false, {} },
        { QStringLiteral("lobby"), QStringLiteral("Lobby"), false, {} },
    };
    config.rateBurst = 200; // the stdin test sends lines faster than people type
    config.ratePerSec = 100;
    return config;
}

ReconnectPolicy fastPolicy()
{
    ReconnectPolicy p;
    p.setInitialDelay(100);
    p.setMaxDelay(400);
    return p;
}

const QElapsedTimer &testClock()
{
    static const QElapsedTimer timer = [] {
        QElapsedTimer t;
        t.start();
        return t;
    }();
    return timer;
}

// palaver-bot as a child process; stdout is read as JSON lines (with --json).
class BotProcess {
public:
    QProcess process;
    QList<QJsonObject> events;
    QList<qint64> arrivals; // when each event was read, on testClock()
    QStringList badLines;
    QByteArray buffer;
    QByteArray log; // standard error: the bot's log lines

    BotProcess()
    {
        process.setProgram(BotPath);
        // Every palaver.* category at every level (the SDK's info is off by default), so that a
        // secret that leaks into a log cannot hide.
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_LOGGING_RULES"), QStringLiteral("palaver.*=true"));
        env.remove(QStringLiteral("PALAVER_TOKEN"));
        process.setProcessEnvironment(env);
        process.setProcessChannelMode(QProcess::SeparateChannels);
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [this] {
            buffer += process.readAllStandardOutput();
            qsizetype nl;
            while ((nl = buffer.indexOf('\n')) >= 0) {
                const QByteArray line = buffer.left(nl);
                buffer.remove(0, nl + 1);
                QJsonParseError error;
                const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
                if (error.error != QJsonParseError::NoError || !doc.isObject())
                    badLines.append(QString::fromUtf8(line));
                else {
                    events.append(doc.object());
                    arrivals.append(testClock().elapsed());
                }
            }
        });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process, [this] {
            // The bot's log, shown with the test's output for diagnosis.
            const QByteArray err = process.readAllStandardError();
            log += err;
            std::fwrite(err.constData(), 1, size_t(err.size()), stderr);
        });
    }
    ~BotProcess()
    {
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    void start(const QStringList &args)
    {
        process.setArguments(args);
        process.start();
    }
    int count(
        const QString &event, const std::function<bool(const QJsonObject &)> &match = {}) const
    {
        int n = 0;
        for (const auto &e : events)
            if (e.value(QStringLiteral("event")).toString() == event && (!match || match(e)))
                ++n;
        return n;
    }
    bool waitFor(const QString &event, const std::function<bool(const QJsonObject &)> &match = {},
        int count = 1, int timeout = 15000)
    {
        return QTest::qWaitFor([&] { return this->count(event, match) >= count; }, timeout);
    }
    bool waitForExit(int timeout = 20000)
    {
        return QTest::qWaitFor([&] { return process.state() == QProcess::NotRunning; }, timeout);
    }
};

// palaver-stub as a child process that can be killed and started again, after an outage, on
// the port it picked with --port 0 the first time.
class StubProcess {
public:
    QProcess process;
    QByteArray output;
    QByteArray log;
    quint16 port = 0; // from the "listening on" line of the current run; 0 while not listening
    quint16 firstPort = 0;
    int starts = 0;
    QList<QProcess::ExitStatus> exitStatuses;
    QList<int> exitCodes;

    explicit StubProcess(QStringList arguments) : m_arguments(std::move(arguments))
    {
        process.setProgram(StubPath);
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("QT_LOGGING_RULES")); // --verbose says what to log
        process.setProcessEnvironment(env);
        m_outage.setSingleShot(true);
        QObject::connect(&m_outage, &QTimer::timeout, &process, [this] { start(firstPort); });
        QObject::connect(&process, &QProcess::readyReadStandardOutput, &process, [this] {
            output += process.readAllStandardOutput();
            static const QRegularExpression re(QStringLiteral("listening on \\S+:(\\d+)"));
            const auto m = re.match(QString::fromUtf8(output));
            if (m.hasMatch() && port == 0) {
                port = quint16(m.captured(1).toUInt());
                if (firstPort == 0)
                    firstPort = port;
            }
        });
        QObject::connect(&process, &QProcess::readyReadStandardError, &process, [this] {
            const QByteArray err = process.readAllStandardError();
            log += err;
            std::fwrite(err.constData(), 1, size_t(err.size()), stderr);
        });
        QObject::connect(
            &process, &QProcess::finished, &process, [this](int code, QProcess::ExitStatus status) {
                exitCodes.append(code);
                exitStatuses.append(status);
                port = 0;
                if (m_outageMs >= 0)
                    m_outage.start(m_outageMs);
                m_outageMs = -1;
            });
    }
    ~StubProcess()
    {
        m_outage.stop();
        process.disconnect(); // no restart, no callbacks from the dying process
        if (process.state() != QProcess::NotRunning) {
            process.kill();
            process.waitForFinished(5000);
        }
    }

    //! `listenPort` 0 picks a free one; a restart passes the first run's port explicitly.
    void start(quint16 listenPort)
    {
        output.clear();
        port = 0;
        ++starts;
        process.setArguments(
            m_arguments + QStringList { QStringLiteral("--port"), QString::number(listenPort) });
        process.start();
    }
    //! Ends the server (SIGKILL or SIGTERM) and starts it again `outageMs` after it exited.
    void restart(bool kill, int outageMs)
    {
        m_outageMs = outageMs;
        kill ? process.kill() : process.terminate();
    }

private:
    QStringList m_arguments;
    QTimer m_outage;
    int m_outageMs = -1;
};

} // namespace

class TestBot : public QObject {
    Q_OBJECT

    std::unique_ptr<StubServer> m_server;
    QTemporaryDir m_dir;
    QByteArray m_lastToken; // the last token written by tokenFile()

    void startServer(StubConfig config = testConfig())
    {
        m_server = std::make_unique<StubServer>(std::move(config));
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }

    QString tokenFile(const QString &user, const QByteArray &token = {})
    {
        const QString path = m_dir.filePath(user + QStringLiteral(".token"));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return {};
        m_lastToken = token.isEmpty() ? m_server->makeToken(user, user) : token;
        file.write(m_lastToken + '\n');
        return path;
    }

    QStringList botArgs(const QStringList &more)
    {
        return QStringList { QStringLiteral("--url"), m_server->url().toString(),
            QStringLiteral("--token-file"), tokenFile(QStringLiteral("robot")) }
        + more;
    }

    std::unique_ptr<Client> connectedClient(const QString &user, const QString &room)
    {
        auto client = std::make_unique<Client>();
        client->setUrl(m_server->url());
        client->setToken(QString::fromUtf8(m_server->makeToken(user, user)));
        client->setReconnectPolicy(fastPolicy());
        client->open();
        if (!QTest::qWaitFor([&] { return client->state() == Client::State::Connected; }, 10000))
            return nullptr;
        QFuture<AckResult> join = client->joinRoom(room);
        if (!QTest::qWaitFor([&] { return join.isFinished(); }, 10000) || !join.result().ok())
            return nullptr;
        return client;
    }

    // Sends `command` as `client` and returns the bot's first reply to it ("" on timeout).
    QString ask(Client *client, QSignalSpy &received, const QString &command)
    {
        const qsizetype before = received.size();
        client->sendMessage(QStringLiteral("general"), command);
        QString reply;
        [[maybe_unused]] const bool answered = QTest::qWaitFor(
            [&] {
                for (qsizetype i = before; i < received.size(); ++i) {
                    const auto m = received.at(i).at(0).value<Message>();
                    if (m.authorId == QLatin1String("robot")) {
                        reply = m.content;
                        return true;
                    }
                }
                return false;
            },
            15000);
        return reply;
    }

    QVariantList history(const QString &room)
    {
        auto reader = connectedClient(QStringLiteral("reader"), room);
        if (!reader)
            return {};
        QFuture<AckResult> page = reader->request(QStringLiteral("room:history"),
            { QVariantMap {
                { QStringLiteral("roomId"), room }, { QStringLiteral("limit"), 100 } } });
        if (!QTest::qWaitFor([&] { return page.isFinished(); }, 10000) || !page.result().ok())
            return {};
        return page.result().reply().value(QStringLiteral("messages")).toList();
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Message>();
        QVERIFY(m_dir.isValid());
        QVERIFY2(QFile::exists(BotPath), qPrintable(BotPath));
    }
    void cleanup() { m_server.reset(); }

    void diceAndDurations()
    {
        using Bot::parseDice;
        QVERIFY(parseDice(QStringLiteral("2d6")));
        QCOMPARE(parseDice(QStringLiteral("2d6"))->count, 2);
        QCOMPARE(parseDice(QStringLiteral("100D1000"))->sides, 1000);
        for (const char *bad : { "0d6", "101d6", "1d1", "1d1001", "d6", "2d", "2x6", "-1d6", " 2d6",
                 "2d6 ", "1000000000d6", "" })
            QVERIFY2(!parseDice(QString::fromLatin1(bad)), bad);
        QCOMPARE(Bot::formatDuration(42'000), QStringLiteral("42s"));
        QCOMPARE(Bot::formatDuration(5 * 60'000 + 3'000), QStringLiteral("5m 03s"));
        QCOMPARE(Bot::formatDuration(90'061'000), QStringLiteral("1d 01h 01m 01s"));
    }

    void commandsAreAnswered()
    {
        startServer();
        BotProcess bot;
        bot.start(botArgs(
            { QStringLiteral("--join"), QStringLiteral("general"), QStringLiteral("--json") }));
        QVERIFY(bot.waitFor(QStringLiteral("joined")));

        auto alice = connectedClient(QStringLiteral("alice"), QStringLiteral("general"));
        QVERIFY(alice);
        QSignalSpy received(alice.get(), &Client::messageReceived);

        QCOMPARE(ask(alice.get(), received, QStringLiteral("/echo hi")),
            QStringLiteral("[palaver-bot] hi"));
        QCOMPARE(ask(alice.get(), received, QStringLiteral("/echo")),
            QStringLiteral("[palaver-bot] usage: /echo TEXT"));

        const QString roll = ask(alice.get(), received, QStringLiteral("/roll 2d6"));
        const auto m = QRegularExpression(
            QStringLiteral("^\\[palaver-bot\\] 2d6: (\\d+) \\+ (\\d+) = (\\d+)$"))
                           .match(roll);
        QVERIFY2(m.hasMatch(), qPrintable(roll));
        const int a = m.captured(1).toInt(), b = m.captured(2).toInt();
        QVERIFY(a >= 1 && a <= 6 && b >= 1 && b <= 6);
        QCOMPARE(m.captured(3).toInt(), a + b);
        for (const char *bad : { "/roll", "/roll 0d6", "/roll 2d1", "/roll 101d6", "/roll 2d1001",
                 "/roll abc", "/roll 2d6 3d6" })
            QVERIFY2(ask(alice.get(), received, QString::fromLatin1(bad))
                         .startsWith(QStringLiteral("[palaver-bot] usage: /roll NdM")),
                bad);

        const QString pong = ask(alice.get(), received, QStringLiteral("/ping"));
        QVERIFY2(QRegularExpression(QStringLiteral("^\\[palaver-bot\\] pong: \\d+\\.\\d ms$"))
                     .match(pong)
                     .hasMatch(),
            qPrintable(pong));

        auto bob = connectedClient(QStringLiteral("bob"), QStringLiteral("general"));
        QVERIFY(bob);
        QVERIFY(bot.waitFor(QStringLiteral("member"), [](const QJsonObject &e) {
            return e.value(QStringLiteral("userId")).toString() == QLatin1String("bob");
        }));
        QCOMPARE(ask(alice.get(), received, QStringLiteral("/who")),
            QStringLiteral("[palaver-bot] online in general (3): alice, bob, robot"));
        bob.reset(); // bob's socket goes: he leaves the room
        QVERIFY(bot.waitFor(QStringLiteral("member"), [](const QJsonObject &e) {
            return e.value(QStringLiteral("userId")).toString() == QLatin1String("bob")
                && !e.value(QStringLiteral("joined")).toBool();
        }));
        QCOMPARE(ask(alice.get(), received, QStringLiteral("/who")),
            QStringLiteral("[palaver-bot] online in general (2): alice, robot"));

        QVERIFY(ask(alice.get(), received, QStringLiteral("/uptime"))
                    .startsWith(QStringLiteral("[palaver-bot] up ")));
        const QString help = ask(alice.get(), received, QStringLiteral("/help"));
        for (const char *c : { "/echo", "/help", "/ping", "/roll NdM", "/uptime", "/who" })
            QVERIFY2(help.contains(QLatin1String(c)), qPrintable(help));
        QCOMPARE(ask(alice.get(), received, QStringLiteral("/nope")),
            QStringLiteral("[palaver-bot] unknown command /nope; try /help"));

        // Nothing that looks like a bot's reply is answered (two bots cannot loop), and plain
        // chat is not either: the next reply is the marker's.
        alice->sendMessage(QStringLiteral("general"), QStringLiteral("[palaver-bot] /echo loop"));
        alice->sendMessage(QStringLiteral("general"), QStringLiteral("just chatting"));
        QCOMPARE(ask(alice.get(), received, QStringLiteral("/echo marker")),
            QStringLiteral("[palaver-bot] marker"));

        // The bot never answered itself: every message it sent answers one of alice's.
        int replies = 0;
        for (const auto &args : std::as_const(received))
            if (args.at(0).value<Message>().authorId == QLatin1String("robot"))
                ++replies;
        const int commands = bot.count(QStringLiteral("command"));
        QCOMPARE(replies, commands);
        QCOMPARE(bot.count(QStringLiteral("command"),
                     [](const QJsonObject &e) {
                         return e.value(QStringLiteral("userId")).toString()
                             != QLatin1String("alice");
                     }),
            0);

        QCOMPARE(ask(alice.get(), received, QStringLiteral("/echo private-words-7f3a")),
            QStringLiteral("[palaver-bot] private-words-7f3a"));
        QCOMPARE(ask(alice.get(), received, QStringLiteral("/secretive-cmd-9b1c")),
            QStringLiteral("[palaver-bot] unknown command /secretive-cmd-9b1c; try /help"));

        bot.process.terminate(); // SIGTERM: leave, flush, exit 0
        QVERIFY(bot.waitForExit());
        QCOMPARE(bot.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(bot.process.exitCode(), 0);
        QVERIFY(bot.count(QStringLiteral("exit")) == 1);

        // Logged at every level, yet no token and no message content in the log.
        QVERIFY(bot.log.contains("palaver.bot"));
        QVERIFY(bot.log.contains("palaver.client")); // the SDK's lines were there to check
        QVERIFY(!m_lastToken.isEmpty());
        QVERIFY(!bot.log.contains(m_lastToken.split('.').at(2))); // the signature, anywhere
        QVERIFY(!bot.log.contains("private-words-7f3a"));
        QVERIFY(!bot.log.contains("secretive-cmd-9b1c"));
    }

    void commandsOverMessagePack()
    {
        StubConfig config = testConfig();
        config.parser = StubConfig::Parser::Msgpack;
        startServer(config);
        BotProcess bot;
        bot.start(botArgs({ QStringLiteral("--join"), QStringLiteral("general"),
            QStringLiteral("--json"), QStringLiteral("--parser"), QStringLiteral("msgpack") }));
        QVERIFY(bot.waitFor(QStringLiteral("joined")));
        auto alice = std::make_unique<Client>();
        alice->setUrl(m_server->url());
        alice->setToken(QString::fromUtf8(m_server->makeToken(QStringLiteral("alice"))));
        alice->setParser(Client::Parser::MessagePack);
        QSignalSpy received(alice.get(), &Client::messageReceived);
        alice->joinRoom(QStringLiteral("general"));
        alice->open();
        QCOMPARE(ask(alice.get(), received, QStringLiteral("/echo über msgpack")),
            QStringLiteral("[palaver-bot] über msgpack"));
    }

    void jsonLinesAreEvents()
    {
        startServer();
        BotProcess bot;
        bot.start(botArgs({ QStringLiteral("--join"), QStringLiteral("general"),
            QStringLiteral("--json"), QStringLiteral("--name"), QStringLiteral("jbot") }));
        QVERIFY(bot.waitFor(QStringLiteral("joined")));
        auto alice = connectedClient(QStringLiteral("alice"), QStringLiteral("general"));
        QVERIFY(alice);
        QSignalSpy received(alice.get(), &Client::messageReceived);
        QCOMPARE(ask(alice.get(), received, QStringLiteral("/echo json")),
            QStringLiteral("[jbot] json"));
        QVERIFY(bot.waitFor(QStringLiteral("acked")));
        m_server->dropClient(QStringLiteral("robot")); // a transient failure, then a re-join
        QVERIFY(bot.waitFor(QStringLiteral("joined"),
            [](const QJsonObject &e) { return e.value(QStringLiteral("rejoined")).toBool(); }));
        bot.process.terminate();
        QVERIFY(bot.waitForExit());
        QCOMPARE(bot.process.exitCode(), 0);

        QVERIFY2(bot.badLines.isEmpty(), qPrintable(bot.badLines.join(QLatin1Char('\n'))));
        const auto is = [](const char *key, const char *value) {
            return [key, value](const QJsonObject &e) {
                return e.value(QLatin1String(key)).toString() == QLatin1String(value);
            };
        };
        QVERIFY(bot.count(QStringLiteral("state"), is("state", "Connecting")) >= 2);
        QVERIFY(bot.count(QStringLiteral("state"), is("state", "Connected")) >= 2);
        QVERIFY(bot.count(QStringLiteral("state"), is("state", "Reconnecting")) >= 1);
        QVERIFY(bot.count(QStringLiteral("disconnected")) >= 1);
        QVERIFY(bot.count(QStringLiteral("error")) >= 1);
        QVERIFY(bot.count(QStringLiteral("session"), is("userId", "robot")) >= 2);
        QVERIFY(bot.count(QStringLiteral("presence"), is("userId", "alice")) >= 1);
        QVERIFY(bot.count(QStringLiteral("member"), is("userId", "alice")) >= 1);
        QVERIFY(bot.count(QStringLiteral("command"), is("command", "echo")) == 1);
        QCOMPARE(
            bot.count(QStringLiteral("message"),
                [](const QJsonObject &e) {
                    return e.value(QStringLiteral("content")).toString()
                        == QLatin1String("/echo json")
                        && e.value(QStringLiteral("roomId")).toString() == QLatin1String("general")
                        && e.value(QStringLiteral("userId")).toString() == QLatin1String("alice")
                        && e.value(QStringLiteral("seq")).toInteger() >= 1;
                }),
            1);
        QCOMPARE(bot.count(QStringLiteral("exit"),
                     [](const QJsonObject &e) {
                         return e.value(QStringLiteral("code")).toInt(-1) == 0;
                     }),
            1);
        QCOMPARE(
            bot.events.last().value(QStringLiteral("event")).toString(), QStringLiteral("exit"));
    }

    void jsonPrintsChangesAsUpdateLines()
    {
        startServer();
        BotProcess bot;
        bot.start(botArgs({ QStringLiteral("--join"), QStringLiteral("general"),
            QStringLiteral("--json"), QStringLiteral("--no-commands") }));
        QVERIFY(bot.waitFor(QStringLiteral("joined")));
        auto alice = connectedClient(QStringLiteral("alice"), QStringLiteral("general"));
        QVERIFY(alice);
        Room *room = alice->room(QStringLiteral("general"));
        QSignalSpy acked(alice.get(), &Client::messageAcked);
        room->send(QStringLiteral("tpyo"));
        QTRY_COMPARE(acked.size(), 1);
        const Message sent = acked.at(0).at(1).value<Message>();
        room->edit(sent.id, QStringLiteral("typo"));
        room->react(sent.id, QStringLiteral("ok"));
        QVERIFY(bot.waitFor(QStringLiteral("update"),
            [](const QJsonObject &e) { return e.value(QStringLiteral("rev")).toInteger() == 2; }));
        const auto updates = [&] {
            QList<QJsonObject> out;
            for (const QJsonObject &e : bot.events) {
                if (e.value(QStringLiteral("event")).toString() == QLatin1String("update"))
                    out.append(e);
            }
            return out;
        }();
        QCOMPARE(updates.size(), 2);
        QCOMPARE(updates.at(0).value(QStringLiteral("id")).toString(), sent.id);
        QCOMPARE(updates.at(0).value(QStringLiteral("content")).toString(), QStringLiteral("typo"));
        QVERIFY(updates.at(0).value(QStringLiteral("edited")).toBool());
        QVERIFY(updates.at(0).contains(QStringLiteral("editedAt")));
        QCOMPARE(updates.at(1).value(QStringLiteral("reactions")).toObject(),
            (QJsonObject { { QStringLiteral("ok"), QJsonArray { QStringLiteral("alice") } } }));
        QVERIFY2(bot.badLines.isEmpty(), qPrintable(bot.badLines.join(QLatin1Char('\n'))));
    }

    // --react-to-mentions (what run-demo.sh gives the demo bot): one reaction per live message
    // that mentions the bot, none for other messages, a command that mentions it (it gets its
    // reply), the history a join brings, the bot's own messages (its reply to "/echo @robot"
    // mentions it too) or a replay after a re-join.
    void reactsOncePerMessageThatMentionsIt()
    {
        startServer();
        const QString eyes = QString::fromUtf8("\xF0\x9F\x91\x80");
        auto alice = connectedClient(QStringLiteral("alice"), QStringLiteral("general"));
        QVERIFY(alice);
        QSignalSpy acked(alice.get(), &Client::messageAcked);
        {
            // The bot's user must be known to be mentioned (contract v1.1 "Mentions").
            auto robot = connectedClient(QStringLiteral("robot"), QStringLiteral("general"));
            QVERIFY(robot);
        }
        alice->sendMessage(QStringLiteral("general"), QStringLiteral("@robot before you came"));
        QTRY_COMPARE(acked.size(), 1);

        BotProcess bot;
        bot.start(botArgs({ QStringLiteral("--join"), QStringLiteral("general"),
            QStringLiteral("--json"), QStringLiteral("--react-to-mentions"), eyes }));
        QVERIFY(bot.waitFor(QStringLiteral("joined")));
        QSignalSpy received(alice.get(), &Client::messageReceived);

        const QStringList mentioning
            = { QStringLiteral("hi @robot, are you there?"), QStringLiteral("@robot again") };
        alice->sendMessage(QStringLiteral("general"), mentioning.at(0));
        alice->sendMessage(QStringLiteral("general"), QStringLiteral("just chatting"));
        alice->sendMessage(QStringLiteral("general"), QStringLiteral("@robotics is not a name"));
        QCOMPARE(ask(alice.get(), received, QStringLiteral("/echo @robot")),
            QStringLiteral("[palaver-bot] @robot"));
        alice->sendMessage(QStringLiteral("general"), mentioning.at(1));
        QVERIFY(bot.waitFor(QStringLiteral("reacted"), {}, 2));

        // A re-join replays the room's page: nothing in it is reacted to again.
        m_server->dropClient(QStringLiteral("robot"));
        QVERIFY(bot.waitFor(QStringLiteral("joined"),
            [](const QJsonObject &e) { return e.value(QStringLiteral("rejoined")).toBool(); }));
        const QString afterRejoin = QStringLiteral("@robot after the re-join");
        alice->sendMessage(QStringLiteral("general"), afterRejoin);
        QVERIFY(bot.waitFor(QStringLiteral("reacted"), {}, 3));
        bot.process.terminate(); // flushes the outbox: every reaction is on the server after it
        QVERIFY(bot.waitForExit());
        QCOMPARE(bot.process.exitCode(), 0);
        QCOMPARE(bot.count(QStringLiteral("reacted")), 3);
        QVERIFY2(bot.badLines.isEmpty(), qPrintable(bot.badLines.join(QLatin1Char('\n'))));

        const QStringList expected = mentioning + QStringList { afterRejoin };
        QSet<QString> reactedIds;
        for (const QJsonObject &e : std::as_const(bot.events)) {
            if (e.value(QStringLiteral("event")).toString() != QLatin1String("reacted"))
                continue;
            QCOMPARE(e.value(QStringLiteral("emoji")).toString(), eyes);
            QCOMPARE(e.value(QStringLiteral("roomId")).toString(), QStringLiteral("general"));
            reactedIds.insert(e.value(QStringLiteral("messageId")).toString());
        }
        QCOMPARE(reactedIds.size(), 3); // three messages, once each

        int ownMentions = 0;
        const QVariantList messages = history(QStringLiteral("general"));
        QVERIFY(!messages.isEmpty());
        for (const QVariant &v : messages) {
            const QVariantMap m = v.toMap();
            const QString content = m.value(QStringLiteral("content")).toString();
            const QVariantMap reactions = m.value(QStringLiteral("reactions")).toMap();
            const bool mentionsBot = m.value(QStringLiteral("mentions"))
                                         .toStringList()
                                         .contains(QStringLiteral("robot"));
            const bool own = m.value(QStringLiteral("userId")).toString() == QLatin1String("robot");
            if (own && mentionsBot)
                ++ownMentions;
            if (expected.contains(content)) {
                QVERIFY2(mentionsBot, qPrintable(content));
                QVERIFY2(reactedIds.contains(m.value(QStringLiteral("id")).toString()),
                    qPrintable(content));
                QCOMPARE(reactions.keys(), QStringList { eyes });
                QCOMPARE(
                    reactions.value(eyes).toStringList(), QStringList { QStringLiteral("robot") });
            } else {
                QVERIFY2(reactions.isEmpty(), qPrintable(content));
                QVERIFY(!reactedIds.contains(m.value(QStringLiteral("id")).toString()));
            }
        }
        QCOMPARE(ownMentions, 1); // the reply to "/echo @robot" was a case the bot had to skip
    }

    void stdinLinesArriveOnceAcrossRestart()
    {
        const QString db = m_dir.filePath(QStringLiteral("stdin.sqlite"));
        startServer(testConfig(db));
        const quint16 port = m_server->serverPort();
        BotProcess bot;
        bot.start(botArgs({ QStringLiteral("--stdin"), QStringLiteral("lobby"),
            QStringLiteral("--json"), QStringLiteral("--no-commands") }));
        const auto feed = [&](int from, int to) {
            QByteArray lines;
            for (int i = from; i <= to; ++i)
                lines += "line " + QByteArray::number(i) + " \xc3\xa9t\xc3\xa9\n";
            bot.process.write(lines);
        };
        feed(1, 10);
        QVERIFY(bot.waitFor(QStringLiteral("acked"), {}, 10));

        m_server->stop();
        QVERIFY(bot.waitFor(QStringLiteral("disconnected")));
        feed(11, 20); // typed while the server is down
        QVERIFY(bot.waitFor(QStringLiteral("queued"), {}, 20));
        QCOMPARE(bot.count(QStringLiteral("acked")), 10);
        QVERIFY2(
            m_server->start(QHostAddress::LocalHost, port), qPrintable(m_server->errorString()));
        feed(21, 25);
        bot.process.write("line 26 without newline");
        bot.process.closeWriteChannel();
        QVERIFY(bot.waitForExit(30000));
        QCOMPARE(bot.process.exitCode(), 0);
        QVERIFY(bot.count(QStringLiteral("eof"), [](const QJsonObject &e) {
            return e.value(QStringLiteral("lines")).toInt() == 26;
        }) == 1);

        const QVariantList stored = history(QStringLiteral("lobby"));
        QMap<QString, int> seen;
        for (const QVariant &m : stored)
            ++seen[m.toMap().value(QStringLiteral("content")).toString()];
        QCOMPARE(stored.size(), 26);
        for (int i = 1; i <= 25; ++i)
            QCOMPARE(seen.value(QStringLiteral("line %1 été").arg(i)), 1);
        QCOMPARE(seen.value(QStringLiteral("line 26 without newline")), 1);
    }

    // The SDK's categories stay at Warning unless --verbose asks for their info lines; the user's
    // QT_LOGGING_RULES still beat --verbose.
    void verboseTurnsOnTheSdkInfoLines_data()
    {
        QTest::addColumn<bool>("verbose");
        QTest::addColumn<QString>("rules"); // QT_LOGGING_RULES; empty: unset
        QTest::addColumn<bool>("clientInfo");
        QTest::newRow("quiet by default") << false << QString() << false;
        QTest::newRow("--verbose") << true << QString() << true;
        QTest::newRow("--verbose, rules win")
            << true << QStringLiteral("palaver.client.info=false") << false;
        QTest::newRow("rules without --verbose")
            << false << QStringLiteral("palaver.client.info=true") << true;
    }
    void verboseTurnsOnTheSdkInfoLines()
    {
        QFETCH(bool, verbose);
        QFETCH(QString, rules);
        QFETCH(bool, clientInfo);
        startServer();
        BotProcess bot;
        QProcessEnvironment env = bot.process.processEnvironment();
        env.remove(QStringLiteral("QT_LOGGING_RULES"));
        if (!rules.isEmpty())
            env.insert(QStringLiteral("QT_LOGGING_RULES"), rules);
        bot.process.setProcessEnvironment(env);
        QStringList args = botArgs(
            { QStringLiteral("--join"), QStringLiteral("general"), QStringLiteral("--json") });
        if (verbose)
            args << QStringLiteral("--verbose");
        bot.start(args);
        QVERIFY(bot.waitFor(QStringLiteral("joined")));
        bot.process.terminate();
        QVERIFY(bot.waitForExit());
        QCOMPARE(bot.process.exitCode(), 0);
        // palaver.bot is the program's own category: Info in every case.
        QVERIFY2(bot.log.contains("palaver.bot: connecting to"), bot.log.constData());
        QVERIFY2(bot.log.contains("palaver.client: state") == clientInfo, bot.log.constData());
        QVERIFY2(!bot.log.contains("palaver.protocol"), bot.log.constData()); // debug only
    }

    // A --json listener stays in general while palaver-stub is killed (SIGKILL) and stopped
    // (SIGTERM), each time for about 1.5 s while a --stdin sender keeps getting a line every
    // 10 ms: each outage spans more messages than the 50 a join brings. The listener must print
    // each of the 1000 lines exactly once, as a gap-free run of seqs, and nothing but JSON.
    void listenerPrintsEveryLineOnceAcrossStubRestarts_data()
    {
        QTest::addColumn<QString>("parser");
        QTest::newRow("json") << QStringLiteral("json");
        QTest::newRow("msgpack") << QStringLiteral("msgpack");
    }
    void listenerPrintsEveryLineOnceAcrossStubRestarts()
    {
        QFETCH(QString, parser);
        constexpr int Lines = 1000;
        constexpr int KillAt = 300; // SIGKILL after this line was written
        constexpr int TermAt = 650; // SIGTERM after this one
        constexpr int OutageMs = 1500;
        QElapsedTimer clock;
        clock.start();

        const QByteArray secret = QByteArrayLiteral("restart-test-secret");
        const QString db = m_dir.filePath(QStringLiteral("restarts-%1.sqlite").arg(parser));
        QFile::remove(db);
        StubProcess stub(
            { QStringLiteral("--db"), db, QStringLiteral("--secret"), QString::fromLatin1(secret),
                QStringLiteral("--parser"), parser, QStringLiteral("--rate-burst"),
                QStringLiteral("100000"), QStringLiteral("--rate-per-sec"),
                QStringLiteral("100000"), QStringLiteral("--verbose") });
        stub.start(0);
        QVERIFY(QTest::qWaitFor([&] { return stub.port != 0; }, 20000));
        const QString url = QStringLiteral("ws://127.0.0.1:%1").arg(stub.port);

        const auto tokenOf = [&](const QString &user) {
            const QString path = m_dir.filePath(user + QStringLiteral("-restarts.token"));
            QFile file(path);
            if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
                file.write(Stub::JwtVerifier::mint(secret, user, user, 3600) + '\n');
            return path;
        };
        const auto unsetRules = [](BotProcess &bot) { // --verbose says what to log
            QProcessEnvironment env = bot.process.processEnvironment();
            env.remove(QStringLiteral("QT_LOGGING_RULES"));
            bot.process.setProcessEnvironment(env);
        };
        // Both bots reconnect fast. Which one comes back first after a restart would be up to
        // their jitter, and a listener that is back first sees every line live: so the listener
        // goes through a proxy that refuses it from each restart until the sender has had
        // HeldBack more lines stored, more than a join page. The 1.5 s outage puts about 150
        // lines in the sender's outbox, which it flushes as soon as the stub is back.
        constexpr int HeldBack = 100;
        Palaver::Test::FaultProxy proxy;
        proxy.setTarget(QHostAddress::LocalHost, stub.port);
        QVERIFY(proxy.listen());
        BotProcess listener;
        unsetRules(listener);
        listener.start({ QStringLiteral("--url"), proxy.url().toString(),
            QStringLiteral("--token-file"), tokenOf(QStringLiteral("listener")),
            QStringLiteral("--json"), QStringLiteral("--join"), QStringLiteral("general"),
            QStringLiteral("--parser"), parser, QStringLiteral("--reconnect-delay"),
            QStringLiteral("100"), QStringLiteral("--verbose") });
        QVERIFY(listener.waitFor(QStringLiteral("joined")));
        BotProcess sender;
        unsetRules(sender);
        sender.start({ QStringLiteral("--url"), url, QStringLiteral("--token-file"),
            tokenOf(QStringLiteral("sender")), QStringLiteral("--stdin"), QStringLiteral("general"),
            QStringLiteral("--no-commands"), QStringLiteral("--json"), QStringLiteral("--parser"),
            parser, QStringLiteral("--reconnect-delay"), QStringLiteral("50"),
            QStringLiteral("--verbose") });
        QVERIFY(sender.waitFor(QStringLiteral("joined")));

        const auto acked = [&] { return sender.count(QStringLiteral("acked")); };
        int holdFrom = -1; // the sender's acks when the listener was last held back
        QObject gate; // goes before the locals it uses, even when a check returns early
        QObject::connect(&sender.process, &QProcess::readyReadStandardOutput, &gate,
            [&] { // after BotProcess's own handler: the events are parsed
                if (holdFrom >= 0 && stub.port != 0 && acked() >= holdFrom + HeldBack) {
                    proxy.setRefuse(false);
                    holdFrom = -1;
                }
            });
        const auto restartStub = [&](bool kill) {
            proxy.setRefuse(true);
            holdFrom = acked();
            stub.restart(kill, OutageMs);
        };

        const auto line
            = [](int i) { return QStringLiteral("restart line %1 \u00e9t\u00e9").arg(i); };
        int written = 0;
        bool secondRestartTooEarly = false;
        QTimer feed;
        feed.setTimerType(Qt::PreciseTimer);
        feed.setInterval(10);
        QObject::connect(&feed, &QTimer::timeout, &feed, [&] {
            ++written;
            sender.process.write((line(written) + QLatin1Char('\n')).toUtf8());
            if (written == KillAt)
                restartStub(true);
            if (written == TermAt) {
                secondRestartTooEarly = stub.port == 0 || holdFrom >= 0; // first not over
                restartStub(false);
            }
            if (written == Lines) {
                feed.stop();
                sender.process.closeWriteChannel();
            }
        });
        feed.start();

        // A real event loop while lines are fed: QTest::qWaitFor naps 10 ms between its rounds,
        // which would stretch the 10 ms cadence. The sender exits once every line is
        // acknowledged; the guard only bounds a hang.
        QEventLoop loop;
        QObject::connect(&sender.process, &QProcess::finished, &loop, &QEventLoop::quit);
        QTimer guard;
        guard.setSingleShot(true);
        QObject::connect(&guard, &QTimer::timeout, &loop, &QEventLoop::quit);
        guard.start(40000);
        loop.exec();
        QVERIFY2(
            written == Lines, qPrintable(QStringLiteral("only %1 lines written").arg(written)));
        QVERIFY(!secondRestartTooEarly);
        QVERIFY2(sender.process.state() == QProcess::NotRunning, "the sender did not finish");
        QCOMPARE(sender.process.exitCode(), 0);
        const qint64 senderDoneMs = clock.elapsed();

        const auto printed = [&] {
            QHash<QString, int> n;
            for (const auto &e : std::as_const(listener.events))
                if (e.value(QStringLiteral("event")).toString() == QLatin1String("message"))
                    ++n[e.value(QStringLiteral("content")).toString()];
            return n;
        };
        // Lines still on their way to the listener (it may reconnect after the sender).
        [[maybe_unused]] const bool complete = QTest::qWaitFor(
            [&] {
                const auto n = printed();
                for (int i = 1; i <= Lines; ++i)
                    if (!n.contains(line(i)))
                        return false;
                return true;
            },
            8000);
        listener.process.terminate();
        QVERIFY(listener.waitForExit());
        QCOMPARE(listener.process.exitCode(), 0);
        stub.process.terminate();
        QVERIFY(stub.process.waitForFinished(10000));
        qInfo("row %s: sender done after %lld ms, whole run %lld ms", qPrintable(parser),
            senderDoneMs, clock.elapsed());

        // The restarts happened as planned: killed, stopped cleanly, back on the same port.
        QCOMPARE(stub.starts, 3);
        QCOMPARE(stub.exitStatuses.size(), 3);
        QCOMPARE(stub.exitStatuses.at(0), QProcess::CrashExit); // SIGKILL
        QCOMPARE(stub.exitStatuses.at(1), QProcess::NormalExit); // SIGTERM: a clean exit
        QCOMPARE(stub.exitCodes.at(1), 0);
        QVERIFY(listener.count(QStringLiteral("joined"), [](const QJsonObject &e) {
            return e.value(QStringLiteral("rejoined")).toBool();
        }) >= 2);

        // The listener was away while more than a join page of lines was stored: count the
        // sender's acks that arrived between a drop of the listener and its re-join.
        int mostAckedWhileAway = 0;
        qint64 awaySince = -1;
        for (qsizetype i = 0; i < listener.events.size(); ++i) {
            const QString event = listener.events.at(i).value(QStringLiteral("event")).toString();
            if (event == QLatin1String("disconnected") && awaySince < 0)
                awaySince = listener.arrivals.at(i);
            if (event == QLatin1String("joined") && awaySince >= 0) {
                int acked = 0;
                for (qsizetype k = 0; k < sender.events.size(); ++k)
                    acked += sender.arrivals.at(k) >= awaySince
                        && sender.arrivals.at(k) <= listener.arrivals.at(i)
                        && sender.events.at(k).value(QStringLiteral("event")).toString()
                            == QLatin1String("acked");
                mostAckedWhileAway = qMax(mostAckedWhileAway, acked);
                awaySince = -1;
            }
        }
        qInfo("at most %d lines were acknowledged while the listener was away", mostAckedWhileAway);
        QVERIFY(mostAckedWhileAway >= HeldBack);

        // The sender's side: 1000 lines read, each acknowledged, with 1000 distinct seqs.
        QCOMPARE(sender.count(QStringLiteral("eof"),
                     [&](const QJsonObject &e) {
                         return e.value(QStringLiteral("lines")).toInt() == Lines
                             && e.value(QStringLiteral("refused")).toInt() == 0;
                     }),
            1);
        QSet<QString> ackedIds;
        QSet<qint64> ackedSeqs;
        for (const auto &e : std::as_const(sender.events))
            if (e.value(QStringLiteral("event")).toString() == QLatin1String("acked")) {
                ackedIds.insert(e.value(QStringLiteral("clientId")).toString());
                ackedSeqs.insert(e.value(QStringLiteral("seq")).toInteger());
            }
        QCOMPARE(ackedIds.size(), Lines);
        QCOMPARE(ackedSeqs.size(), Lines);

        // The listener's stdout: JSON lines only.
        QVERIFY2(listener.badLines.isEmpty(),
            qPrintable(QStringLiteral("%1 lines that are not JSON objects, the first: %2")
                           .arg(listener.badLines.size())
                           .arg(listener.badLines.value(0))));
        QVERIFY2(listener.buffer.isEmpty(), listener.buffer.constData()); // no unfinished line

        // Every line exactly once.
        const QHash<QString, int> n = printed();
        QList<int> missing;
        QStringList duplicated;
        for (int i = 1; i <= Lines; ++i) {
            const int times = n.value(line(i));
            if (times == 0)
                missing.append(i);
            else if (times > 1)
                duplicated.append(QStringLiteral("%1 (%2 times)").arg(i).arg(times));
        }
        int strangers = 0;
        for (auto it = n.cbegin(); it != n.cend(); ++it)
            if (!it.key().startsWith(QLatin1String("restart line ")))
                strangers += it.value();
        QStringList missingRuns; // "300-511": where the listener lost the stream
        for (qsizetype i = 0; i < missing.size();) {
            qsizetype j = i;
            while (j + 1 < missing.size() && missing.at(j + 1) == missing.at(j) + 1)
                ++j;
            missingRuns.append(i == j
                    ? QString::number(missing.at(i))
                    : QStringLiteral("%1-%2").arg(missing.at(i)).arg(missing.at(j)));
            i = j + 1;
        }
        const QString report
            = QStringLiteral("listener (%1): of %2 lines %3 missing, %4 duplicated, %5 other "
                             "messages; missing lines: %6; duplicated e.g. %7")
                  .arg(parser)
                  .arg(Lines)
                  .arg(missing.size())
                  .arg(duplicated.size())
                  .arg(strangers)
                  .arg(missingRuns.mid(0, 10).join(QStringLiteral(", ")),
                      duplicated.mid(0, 6).join(QStringLiteral(", ")));
        qInfo("%s", qPrintable(report));
        QVERIFY2(missing.isEmpty() && duplicated.isEmpty() && strangers == 0, qPrintable(report));

        // Per room, the printed seqs go up by exactly 1.
        QHash<QString, qint64> lastSeq;
        QStringList jumps;
        for (const auto &e : std::as_const(listener.events)) {
            if (e.value(QStringLiteral("event")).toString() != QLatin1String("message"))
                continue;
            const QString room = e.value(QStringLiteral("roomId")).toString();
            const qint64 seq = e.value(QStringLiteral("seq")).toInteger();
            if (lastSeq.contains(room) && seq != lastSeq.value(room) + 1)
                jumps.append(
                    QStringLiteral("%1: %2 -> %3").arg(room).arg(lastSeq.value(room)).arg(seq));
            lastSeq.insert(room, seq);
        }
        QVERIFY2(jumps.isEmpty(),
            qPrintable(QStringLiteral("%1 seq jumps, e.g. %2")
                           .arg(jumps.size())
                           .arg(jumps.mid(0, 8).join(QStringLiteral(", ")))));
    }

    void badTokenExitsWithThree()
    {
        startServer();
        BotProcess bot;
        const QByteArray forged
            = Stub::JwtVerifier::mint("another-secret", QStringLiteral("robot"), {}, 3600);
        bot.start({ QStringLiteral("--url"), m_server->url().toString(),
            QStringLiteral("--token-file"), tokenFile(QStringLiteral("forged"), forged),
            QStringLiteral("--join"), QStringLiteral("general") });
        QVERIFY(bot.waitForExit());
        QCOMPARE(bot.process.exitCode(), 3);
    }

    void unreachableServerExitsWithFour()
    {
        quint16 port = 0;
        {
            QTcpServer probe; // a port that was free a moment ago and has nobody listening now
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            port = probe.serverPort();
        }
        startServer(); // only for its token
        BotProcess bot;
        bot.start({ QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:%1").arg(port),
            QStringLiteral("--token-file"), tokenFile(QStringLiteral("robot")),
            QStringLiteral("--max-attempts"), QStringLiteral("2"), QStringLiteral("--json") });
        QVERIFY(bot.waitForExit(30000));
        QCOMPARE(bot.process.exitCode(), 4);
        QVERIFY(bot.count(QStringLiteral("state"), [](const QJsonObject &e) {
            return e.value(QStringLiteral("state")).toString() == QLatin1String("Failed");
        }) == 1);
    }

    void unackedMessagesExitWithFive()
    {
        startServer();
        const QUrl url = m_server->url();
        const QString token = tokenFile(QStringLiteral("robot"));
        m_server->stop(); // nobody listens: the line can only wait in the outbox
        BotProcess bot;
        bot.start({ QStringLiteral("--url"), url.toString(), QStringLiteral("--token-file"), token,
            QStringLiteral("--stdin"), QStringLiteral("general"), QStringLiteral("--json"),
            QStringLiteral("--flush-timeout"), QStringLiteral("300") });
        bot.process.write("never delivered\n");
        QVERIFY(bot.waitFor(QStringLiteral("queued")));
        bot.process.terminate(); // SIGTERM: a bounded wait for the outbox, then exit 5
        QVERIFY(bot.waitForExit());
        QCOMPARE(bot.process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(bot.process.exitCode(), 5);
        QCOMPARE(bot.count(QStringLiteral("exit"),
                     [](const QJsonObject &e) {
                         return e.value(QStringLiteral("pending")).toInt() == 1;
                     }),
            1);
    }

    void storeKeepsUnsentLinesForTheNextRun()
    {
        // --store: a line queued while the server is down survives the bot's exit and is sent,
        // once, by the next run of the same account.
        startServer(testConfig(m_dir.filePath(QStringLiteral("store.sqlite"))));
        const QUrl url = m_server->url();
        const quint16 port = m_server->serverPort();
        const QString token = tokenFile(QStringLiteral("robot"));
        const QString store = m_dir.filePath(QStringLiteral("bot-store"));
        const QStringList args { QStringLiteral("--url"), url.toString(),
            QStringLiteral("--token-file"), token, QStringLiteral("--store"), store,
            QStringLiteral("--stdin"), QStringLiteral("general"), QStringLiteral("--json"),
            QStringLiteral("--no-commands"), QStringLiteral("--flush-timeout"),
            QStringLiteral("300") };
        m_server->stop();
        {
            BotProcess bot;
            bot.start(args);
            bot.process.write("kept for later\n");
            QVERIFY(bot.waitFor(QStringLiteral("queued")));
            bot.process.terminate();
            QVERIFY(bot.waitForExit());
            QCOMPARE(bot.process.exitCode(), 5); // unsent at exit, as without --store
        }
        const QStringList files = QDir(store).entryList({ QStringLiteral("robot@*.sqlite") });
        QCOMPARE(files.size(), 1);

        QVERIFY2(
            m_server->start(QHostAddress::LocalHost, port), qPrintable(m_server->errorString()));
        BotProcess again;
        again.start(args);
        again.process.closeWriteChannel(); // nothing new: it exits once the old line is acked
        QVERIFY(again.waitForExit(30000));
        QCOMPARE(again.process.exitCode(), 0);
        QCOMPARE(again.count(QStringLiteral("acked")), 1);
        auto reader = connectedClient(QStringLiteral("reader"), QStringLiteral("general"));
        QVERIFY(reader);
        Room *room = reader->room(QStringLiteral("general"));
        QTRY_COMPARE(room->joinState(), Room::JoinState::Joined);
        int kept = 0;
        for (int row = 0; row < room->messages()->count(); ++row)
            kept += room->messages()->message(row).content == QStringLiteral("kept for later");
        QCOMPARE(kept, 1);
    }

    void storeResumesWhereTheLastRunStopped()
    {
        // --store: a restarted bot is caught up from where it stopped. Each message it missed is
        // printed once, and none it printed before.
        startServer();
        const QString store = m_dir.filePath(QStringLiteral("resume-store"));
        const QStringList args = botArgs(
            { QStringLiteral("--join"), QStringLiteral("general"), QStringLiteral("--json"),
                QStringLiteral("--no-commands"), QStringLiteral("--store"), store });
        auto alice = connectedClient(QStringLiteral("alice"), QStringLiteral("general"));
        QVERIFY(alice);
        const auto content = [](const char *text) {
            return [text](const QJsonObject &e) {
                return e.value(QStringLiteral("content")).toString() == QLatin1String(text);
            };
        };
        {
            BotProcess bot;
            bot.start(args);
            QVERIFY(bot.waitFor(QStringLiteral("joined")));
            alice->sendMessage(QStringLiteral("general"), QStringLiteral("one"));
            alice->sendMessage(QStringLiteral("general"), QStringLiteral("two"));
            QVERIFY(bot.waitFor(QStringLiteral("message"), content("two")));
            bot.process.terminate();
            QVERIFY(bot.waitForExit());
            QCOMPARE(bot.process.exitCode(), 0);
        }
        for (int i = 1; i <= 60; ++i) // more than a join page while it is away
            alice->sendMessage(QStringLiteral("general"), QStringLiteral("missed %1").arg(i));
        QTRY_COMPARE_WITH_TIMEOUT(alice->pendingMessageCount(), 0, 20000);

        BotProcess again;
        again.start(args);
        QVERIFY(again.waitFor(QStringLiteral("message"), content("missed 60"), 1, 20000));
        alice->sendMessage(QStringLiteral("general"), QStringLiteral("live again"));
        QVERIFY(again.waitFor(QStringLiteral("message"), content("live again")));
        again.process.terminate();
        QVERIFY(again.waitForExit());
        QVERIFY2(again.badLines.isEmpty(), qPrintable(again.badLines.join(QLatin1Char('\n'))));
        QStringList printed;
        for (const QJsonObject &e : std::as_const(again.events)) {
            if (e.value(QStringLiteral("event")).toString() == QLatin1String("message"))
                printed.append(e.value(QStringLiteral("content")).toString());
        }
        QStringList expected;
        for (int i = 1; i <= 60; ++i)
            expected.append(QStringLiteral("missed %1").arg(i));
        expected.append(QStringLiteral("live again"));
        QCOMPARE(printed, expected);
    }

    void usageErrorsExitWithTwo()
    {
        for (const QStringList &args :
            { QStringList {}, QStringList { QStringLiteral("--url"), QStringLiteral("ftp://x") },
                QStringList { QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1"),
                    QStringLiteral("--parser"), QStringLiteral("xml") },
                QStringList { QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1"),
                    QStringLiteral("--load"), QStringLiteral("2") },
                QStringList { QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1"),
                    QStringLiteral("--url"), QStringLiteral("ftp://x") },
                QStringList { QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1"),
                    QStringLiteral("--reconnect-delay"), QStringLiteral("0") },
                QStringList { QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1"),
                    QStringLiteral("--join"), QStringLiteral("general"),
                    QStringLiteral("general") },
                QStringList { QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1"),
                    QStringLiteral("--react-to-mentions"), QStringLiteral("two words") },
                QStringList { QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:1"),
                    QStringLiteral("--react-to-mentions"), QStringLiteral("ok"),
                    QStringLiteral("--no-commands") },
                QStringList { QStringLiteral("--bogus") } }) {
            BotProcess bot;
            bot.start(args);
            QVERIFY(bot.waitForExit());
            QVERIFY2(bot.process.exitCode() == 2, qPrintable(args.join(QLatin1Char(' '))));
        }
    }

    // ROOM is a positional argument of --load only; the other modes take it as an option value.
    void helpNamesTheModes()
    {
        BotProcess bot;
        bot.start({ QStringLiteral("--help") });
        QVERIFY(bot.waitForExit());
        QCOMPARE(bot.process.exitCode(), 0);
        const QString help = QString::fromUtf8(bot.buffer) + bot.badLines.join(QLatin1Char('\n'));
        for (const char *usage :
            { "palaver-bot [options] --url URL... [--join ROOM]... [--stdin ROOM]",
                "palaver-bot [options] --url URL... --load N ROOM", "--verbose" })
            QVERIFY2(help.contains(QLatin1String(usage)), qPrintable(help));
    }

    // Several --url: a server nobody listens on first, the real one second. The refused attempt
    // moves the bot to the next URL, where it joins.
    void urlsFailOverToTheNext()
    {
        quint16 deadPort = 0;
        {
            QTcpServer probe;
            QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
            deadPort = probe.serverPort();
        }
        startServer();
        BotProcess bot;
        bot.start({ QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:%1").arg(deadPort),
            QStringLiteral("--url"), m_server->url().toString(), QStringLiteral("--token-file"),
            tokenFile(QStringLiteral("robot")), QStringLiteral("--join"), QStringLiteral("general"),
            QStringLiteral("--json") });
        QVERIFY(bot.waitFor(QStringLiteral("joined")));
        QCOMPARE(bot.count(QStringLiteral("error"),
                     [](const QJsonObject &e) {
                         return e.value(QStringLiteral("error")).toString()
                             == QLatin1String("ConnectionRefused");
                     }),
            1);
        bot.process.terminate();
        QVERIFY(bot.waitForExit());
        QCOMPARE(bot.process.exitCode(), 0);
    }

    void linksNeitherGuiNorQml()
    {
        QProcess ldd;
        ldd.start(QStringLiteral("ldd"), { BotPath });
        if (!ldd.waitForStarted(5000))
            QSKIP("ldd is not available");
        QVERIFY(ldd.waitForFinished(10000));
        const QString libs = QString::fromLocal8Bit(ldd.readAllStandardOutput());
        QVERIFY2(libs.contains(QStringLiteral("libQt6Core")), qPrintable(libs));
        QVERIFY2(!libs.contains(QStringLiteral("libQt6Gui")), qPrintable(libs));
        QVERIFY2(!libs.contains(QStringLiteral("libQt6Qml")), qPrintable(libs));
    }

    void loadRunReportsDeliveries()
    {
        startServer();
        BotProcess bot;
        bot.start({ QStringLiteral("--url"), m_server->url().toString(), QStringLiteral("--load"),
            QStringLiteral("5"), QStringLiteral("--rate"), QStringLiteral("20"),
            QStringLiteral("--duration"), QStringLiteral("1"), QStringLiteral("--secret"),
            QString::fromUtf8(m_server->config().secret), QStringLiteral("--json"),
            QStringLiteral("general") });
        QVERIFY(bot.waitForExit(60000));
        QCOMPARE(bot.process.exitCode(), 0);
        QVERIFY(bot.waitFor(QStringLiteral("load"), {}, 1, 1000));
        QJsonObject r;
        for (const auto &e : std::as_const(bot.events))
            if (e.value(QStringLiteral("event")).toString() == QLatin1String("load"))
                r = e;
        QCOMPARE(r.value(QStringLiteral("joined")).toInt(), 5);
        QCOMPARE(r.value(QStringLiteral("sent")).toInt(), 20);
        QCOMPARE(r.value(QStringLiteral("acked")).toInt(), 20);
        QCOMPARE(r.value(QStringLiteral("delivered")).toInt(), 20);
        QCOMPARE(r.value(QStringLiteral("lost")).toInt(), 0);
        QCOMPARE(r.value(QStringLiteral("receipts")).toInt(), 80);
        const QJsonObject l = r.value(QStringLiteral("latencyMs")).toObject();
        QVERIFY(l.value(QStringLiteral("p50")).toDouble() > 0);
        QVERIFY(
            l.value(QStringLiteral("max")).toDouble() >= l.value(QStringLiteral("p99")).toDouble());
    }

    // Connections are opened a bounded number at a time, with progress on stderr, and the report
    // accounts for exactly the connections that were joined when sending started.
    void loadRunOpensConnectionsBoundedAndAccountsExactly()
    {
        startServer();
        BotProcess bot;
        bot.start({ QStringLiteral("--url"), m_server->url().toString(), QStringLiteral("--load"),
            QStringLiteral("12"), QStringLiteral("--concurrency"), QStringLiteral("3"),
            QStringLiteral("--rate"), QStringLiteral("24"), QStringLiteral("--duration"),
            QStringLiteral("1"), QStringLiteral("--secret"),
            QString::fromUtf8(m_server->config().secret), QStringLiteral("--json"),
            QStringLiteral("general") });
        QVERIFY(bot.waitForExit(60000));
        QCOMPARE(bot.process.exitCode(), 0);
        QJsonObject r;
        for (const auto &e : std::as_const(bot.events))
            if (e.value(QStringLiteral("event")).toString() == QLatin1String("load"))
                r = e;
        QVERIFY2(!r.isEmpty(), "no load event");
        QCOMPARE(r.value(QStringLiteral("opened")).toInt(), 12);
        QCOMPARE(r.value(QStringLiteral("joined")).toInt(), 12);
        QCOMPARE(r.value(QStringLiteral("failed")).toInt(), 0);
        QCOMPARE(r.value(QStringLiteral("lateJoined")).toInt(), 0);
        QCOMPARE(r.value(QStringLiteral("sent")).toInt(), 24);
        QCOMPARE(r.value(QStringLiteral("lost")).toInt(), 0);
        QCOMPARE(r.value(QStringLiteral("expectedReceipts")).toInt(), 24 * 11);
        QCOMPARE(r.value(QStringLiteral("lostReceipts")).toInt(), 0);
        QCOMPARE(r.value(QStringLiteral("duplicates")).toInt(), 0);
        QVERIFY(r.value(QStringLiteral("rssPerConnectionKiB")).toDouble() > 0);
        // Every progress line: never more than 3 connecting, and the last says all 12 joined.
        static const QRegularExpression progress(
            QStringLiteral("load: (\\d+) of 12 joined, (\\d+) failed, (\\d+) connecting"));
        int lines = 0;
        int lastJoined = -1;
        for (auto it = progress.globalMatch(QString::fromUtf8(bot.log)); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            ++lines;
            QVERIFY2(m.captured(3).toInt() <= 3, qPrintable(m.captured(0)));
            QVERIFY(m.captured(1).toInt() >= lastJoined);
            lastJoined = m.captured(1).toInt();
        }
        QVERIFY(lines >= 1);
        QCOMPARE(lastJoined, 12);
    }
};

QTEST_GUILESS_MAIN(TestBot)
#include "tst_bot.moc"
