// SPDX-License-Identifier: MIT
// Shared fixtures of the interop suite: HS256 tokens, a Node cluster (private redis-server plus
// N server.js nodes, through js/cluster-driver.mjs), a socket.io-client peer (js/peer.mjs).
//
// No process outlives a test: the Node helpers stop their children when their stdin closes, which
// happens when the fixture is destroyed (closeWriteChannel) and also when the test process dies
// for any reason; the destructors then terminate() and finally kill() what is still running.
#pragma once

#include <Palaver/ackresult.h>
#include <Palaver/client.h>
#include <Palaver/message.h>

#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFuture>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QProcess>
#include <QRandomGenerator>
#include <QTest>
#include <QUrl>

#include <functional>
#include <memory>
#include <optional>

namespace Interop {

inline QString interopDir()
{
    return QStringLiteral(PALAVER_INTEROP_DIR);
}
inline QString nodeProgram()
{
    return QStringLiteral(PALAVER_NODE_EXECUTABLE);
}
inline QString roomsFile()
{
    return interopDir() + QStringLiteral("/rooms.json");
}

//! Whether `npm ci` ran in tests/node (packaging/install-deps.sh does it).
inline bool nodePeersInstalled()
{
    const QString modules = interopDir() + QStringLiteral("/../node/node_modules/");
    return QFile::exists(modules + QStringLiteral("socket.io/package.json"))
        && QFile::exists(modules + QStringLiteral("socket.io-client/package.json"));
}

inline QString randomSecret()
{
    return QString::number(QRandomGenerator::global()->generate64(), 36)
        + QString::number(QRandomGenerator::global()->generate64(), 36);
}

//! An HS256 JWT as PROTOCOL.md wants it: `sub`, `name`, `exp` (seconds from now; negative for an
//! expired one).
inline QString mintToken(
    const QString &secret, const QString &sub, qint64 expiresIn = 3600, const QString &name = {})
{
    const auto b64 = [](const QByteArray &data) {
        return data.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    QJsonObject claims { { QStringLiteral("sub"), sub },
        { QStringLiteral("exp"), QDateTime::currentSecsSinceEpoch() + expiresIn } };
    if (!name.isEmpty())
        claims.insert(QStringLiteral("name"), name);
    const QByteArray header = b64(QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})"));
    const QByteArray signingInput
        = header + '.' + b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray signature = QMessageAuthenticationCode::hash(
        signingInput, secret.toUtf8(), QCryptographicHash::Sha256);
    return QString::fromLatin1(QByteArray(signingInput + '.' + b64(signature)));
}

inline QString parserName(Palaver::Client::Parser parser)
{
    return parser == Palaver::Client::Parser::MessagePack ? QStringLiteral("msgpack")
                                                          : QStringLiteral("json");
}

//! Waits (running the event loop) until `done()` or the timeout; returns done().
inline bool waitUntil(const std::function<bool()> &done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done()) {
        if (deadline.hasExpired())
            return done();
        QTest::qWait(10);
    }
    return true;
}

//! The result of a request, waiting for it (every request finishes: answer, timeout or error).
inline Palaver::AckResult await(QFuture<Palaver::AckResult> future, int timeoutMs = 15000)
{
    if (!waitUntil([&] { return future.isFinished(); }, timeoutMs))
        return Palaver::AckResult::failure(
            Palaver::AckResult::Error::Timeout, QStringLiteral("the test gave up waiting"));
    return future.result();
}

//! A PROTOCOL.md `Message` object as the SDK's Message.
inline Palaver::Message messageFromMap(const QVariantMap &m)
{
    Palaver::Message message;
    message.id = m.value(QStringLiteral("id")).toString();
    message.roomId = m.value(QStringLiteral("roomId")).toString();
    message.seq = m.value(QStringLiteral("seq")).toLongLong();
    message.authorId = m.value(QStringLiteral("userId")).toString();
    message.authorName = m.value(QStringLiteral("userName")).toString();
    message.content = m.value(QStringLiteral("content")).toString();
    message.createdAt
        = QDateTime::fromString(m.value(QStringLiteral("createdAt")).toString(), Qt::ISODateWithMs);
    message.clientId = m.value(QStringLiteral("clientId")).toString();
    return message;
}

//! A Node helper speaking JSON lines on stdin/stdout.
class LineProcess {
public:
    LineProcess() = default;
    LineProcess(const LineProcess &) = delete;
    LineProcess &operator=(const LineProcess &) = delete;
    ~LineProcess() { stop(); }

    bool start(const QStringList &arguments)
    {
        m_process.setProgram(nodeProgram());
        m_process.setArguments(arguments);
        m_process.setWorkingDirectory(interopDir());
        // Server logs go to our stderr, where ctest keeps them for a failed run.
        m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        QObject::connect(&m_process, &QProcess::readyReadStandardOutput, [this] { readLines(); });
        m_process.start();
        return m_process.waitForStarted(10000);
    }

    void send(const QJsonObject &command)
    {
        m_process.write(QByteArray(QJsonDocument(command).toJson(QJsonDocument::Compact) + '\n'));
    }

    //! The first line (not yet taken) that satisfies `match`, waiting for it; it is removed.
    std::optional<QJsonObject> take(
        const std::function<bool(const QJsonObject &)> &match, int timeoutMs = 20000)
    {
        std::optional<QJsonObject> found;
        waitUntil(
            [&] {
                for (qsizetype i = 0; i < m_lines.size(); ++i) {
                    if (match(m_lines.at(i))) {
                        found = m_lines.takeAt(i);
                        return true;
                    }
                }
                return m_process.state() == QProcess::NotRunning;
            },
            timeoutMs);
        return found;
    }

    std::optional<QJsonObject> takeType(const QString &type, int timeoutMs = 20000)
    {
        return take([&](const QJsonObject &o) { return o.value(QStringLiteral("type")) == type; },
            timeoutMs);
    }

    //! Lines received and not taken yet.
    const QList<QJsonObject> &lines() const { return m_lines; }
    bool isRunning() const { return m_process.state() != QProcess::NotRunning; }

    //! Closing stdin makes the helper stop its children and exit; terminate() and kill() are the
    //! fallbacks (cluster.mjs stops its children on SIGTERM as well).
    void stop()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        m_process.closeWriteChannel();
        if (m_process.waitForFinished(15000))
            return;
        m_process.terminate();
        if (m_process.waitForFinished(8000))
            return;
        m_process.kill();
        m_process.waitForFinished(3000);
    }

private:
    void readLines()
    {
        while (m_process.canReadLine()) {
            const QByteArray line = m_process.readLine().trimmed();
            QJsonParseError error;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
            if (doc.isObject())
                m_lines.append(doc.object());
            else if (!line.isEmpty())
                qWarning("interop helper: not a JSON line: %s", line.constData());
        }
    }

    QProcess m_process;
    QList<QJsonObject> m_lines;
};

//! A private redis-server and `nodes` server.js processes sharing it (tests/interop/server).
class NodeCluster {
public:
    struct Options {
        int nodes = 1;
        QString adapter = QStringLiteral("pubsub");
        Palaver::Client::Parser parser = Palaver::Client::Parser::Json;
        bool recovery = false;
        QStringList extraArgs; //!< more server.js options
    };

    //! Starts everything and waits for every node to listen; false (with errorString()) if not.
    bool start(const Options &options)
    {
        m_secret = randomSecret();
        QStringList args { QStringLiteral("js/cluster-driver.mjs"), QStringLiteral("--nodes"),
            QString::number(options.nodes), QStringLiteral("--adapter"), options.adapter };
        if (qEnvironmentVariableIsSet("PALAVER_INTEROP_ECHO"))
            args << QStringLiteral("--echo");
        args << QStringLiteral("--") << QStringLiteral("--secret") << m_secret
             << QStringLiteral("--rooms") << roomsFile() << QStringLiteral("--parser")
             << parserName(options.parser) << options.extraArgs;
        if (options.recovery)
            args << QStringLiteral("--recovery");
        if (!m_driver.start(args)) {
            m_error = QStringLiteral("cannot start node");
            return false;
        }
        const auto ready = m_driver.take(
            [](const QJsonObject &o) {
                const QString type = o.value(QStringLiteral("type")).toString();
                return type == QLatin1String("ready") || type == QLatin1String("error");
            },
            60000);
        if (!ready || ready->value(QStringLiteral("type")) != QLatin1String("ready")) {
            m_error = ready ? ready->value(QStringLiteral("message")).toString()
                            : QStringLiteral("the cluster did not start within 60 s");
            return false;
        }
        const QJsonArray urls = ready->value(QStringLiteral("urls")).toArray();
        for (const QJsonValue &url : urls)
            m_urls.append(QUrl(url.toString()));
        return m_urls.size() == options.nodes;
    }

    //! Sends `signal` ("SIGKILL", "SIGTERM") to node `index` and waits until it exited.
    bool killNode(int index, const QString &signal = QStringLiteral("SIGKILL"))
    {
        m_driver.send({ { QStringLiteral("op"), QStringLiteral("kill") },
            { QStringLiteral("node"), index }, { QStringLiteral("signal"), signal } });
        return m_driver.takeType(QStringLiteral("killed"), 20000).has_value();
    }

    //! Starts one more node (index urls().size(), on a free port, same Redis, key and options),
    //! e.g. in place of a killed one; returns its URL, or an invalid one (with errorString()).
    QUrl startNode()
    {
        m_driver.send({ { QStringLiteral("op"), QStringLiteral("start") } });
        const auto line = m_driver.take(
            [](const QJsonObject &o) {
                const QString type = o.value(QStringLiteral("type")).toString();
                return type == QLatin1String("started") || type == QLatin1String("error");
            },
            30000);
        if (!line || line->value(QStringLiteral("type")) != QLatin1String("started")) {
            m_error = line ? line->value(QStringLiteral("message")).toString()
                           : QStringLiteral("the node did not start within 30 s");
            return {};
        }
        const QUrl url(line->value(QStringLiteral("url")).toString());
        m_urls.append(url);
        return url;
    }

    void stop() { m_driver.stop(); }

    QList<QUrl> urls() const { return m_urls; }
    QUrl url(int index) const { return m_urls.value(index); }
    QString secret() const { return m_secret; }
    QString errorString() const { return m_error; }
    QString token(const QString &user, qint64 expiresIn = 3600) const
    {
        return mintToken(m_secret, user, expiresIn);
    }

private:
    LineProcess m_driver;
    QList<QUrl> m_urls;
    QString m_secret;
    QString m_error;
};

//! socket.io-client 4.8.4 in a Node process (js/peer.mjs).
class JsPeer {
public:
    bool connectTo(const QUrl &url, const QString &token, Palaver::Client::Parser parser)
    {
        if (!m_process.start({ QStringLiteral("js/peer.mjs") }))
            return false;
        m_process.send({ { QStringLiteral("op"), QStringLiteral("connect") },
            { QStringLiteral("url"), url.toString() }, { QStringLiteral("token"), token },
            { QStringLiteral("parser"), parserName(parser) } });
        const auto line = m_process.take([](const QJsonObject &o) {
            const QString type = o.value(QStringLiteral("type")).toString();
            return type == QLatin1String("connect") || type == QLatin1String("connect_error");
        });
        return line && line->value(QStringLiteral("type")) == QLatin1String("connect");
    }

    //! Emits with an ack and returns the ack's arguments (empty on timeout).
    QJsonArray request(const QString &event, const QJsonArray &args)
    {
        const int id = ++m_lastAck;
        m_process.send(
            { { QStringLiteral("op"), QStringLiteral("emit") }, { QStringLiteral("event"), event },
                { QStringLiteral("args"), args }, { QStringLiteral("ack"), id } });
        const auto line = m_process.take([id](const QJsonObject &o) {
            return o.value(QStringLiteral("type")) == QLatin1String("ack")
                && o.value(QStringLiteral("ack")).toInt() == id;
        });
        return line ? line->value(QStringLiteral("args")).toArray() : QJsonArray();
    }

    void emitEvent(const QString &event, const QJsonArray &args)
    {
        m_process.send({ { QStringLiteral("op"), QStringLiteral("emit") },
            { QStringLiteral("event"), event }, { QStringLiteral("args"), args } });
    }

    //! The next event `event` that satisfies `match` (its args), waiting for it.
    std::optional<QJsonArray> takeEvent(const QString &event,
        const std::function<bool(const QJsonArray &)> &match = {}, int timeoutMs = 15000)
    {
        const auto line = m_process.take(
            [&](const QJsonObject &o) {
                return o.value(QStringLiteral("type")) == QLatin1String("event")
                    && o.value(QStringLiteral("event")).toString() == event
                    && (!match || match(o.value(QStringLiteral("args")).toArray()));
            },
            timeoutMs);
        if (!line)
            return std::nullopt;
        return line->value(QStringLiteral("args")).toArray();
    }

    //! How many events `event` satisfying `match` arrived and were not taken.
    int countEvents(
        const QString &event, const std::function<bool(const QJsonArray &)> &match) const
    {
        int n = 0;
        for (const QJsonObject &o : m_process.lines()) {
            if (o.value(QStringLiteral("type")) == QLatin1String("event")
                && o.value(QStringLiteral("event")).toString() == event
                && match(o.value(QStringLiteral("args")).toArray()))
                ++n;
        }
        return n;
    }

    void stop() { m_process.stop(); }

private:
    LineProcess m_process;
    int m_lastAck = 0;
};

//! A Client set up for the interop tests: fast reconnects, short timeouts.
inline std::unique_ptr<Palaver::Client> makeClient(
    const QList<QUrl> &urls, const QString &token, Palaver::Client::Parser parser)
{
    auto client = std::make_unique<Palaver::Client>();
    client->setUrls(urls);
    if (!token.isNull())
        client->setToken(token);
    client->setParser(parser);
    Palaver::ReconnectPolicy policy;
    policy.setInitialDelay(100);
    policy.setMaxDelay(500);
    client->setReconnectPolicy(policy);
    client->setRequestTimeout(8000);
    client->setConnectTimeout(8000);
    return client;
}

} // namespace Interop
