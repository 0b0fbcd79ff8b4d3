// SPDX-License-Identifier: MIT
// Security checks (issue 9): TLS verification (unknown CA, wrong host name, expired
// certificate refused; accepted with the CA), no token / pid / message content in any log line,
// TokenStore refusing to store without a keychain (and writing nothing), and the stub's own
// defences: room ACLs, size and rate limits, and a user id taken from the token only.
#include "faultproxy.h"
#include "rawserver.h"
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/room.h>
#include <Palaver/tokenstore.h>

#include <QCoreApplication>
#include <QDirIterator>
#include <QFile>
#include <QLoggingCategory>
#include <QMutex>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using namespace Palaver;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;
using Palaver::Test::FaultProxy;

namespace {

// Set by main() before anything reads them: HOME and the XDG dirs point into a scratch dir, so
// that a plain-text fallback would be seen, and the session bus points nowhere.
QTemporaryDir *scratchHome = nullptr;

QMutex logMutex;
QStringList *logLines = nullptr;
int infoLinesLogged = 0; // SDK info lines are off by default: make sure they were on
QtMessageHandler previousHandler = nullptr;
void recordingHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker lock(&logMutex);
        if (logLines) {
            logLines->append(QString::fromLatin1(context.category ? context.category : "")
                + QLatin1Char(' ') + message);
            if (type == QtInfoMsg)
                ++infoLinesLogged;
        }
    }
    if (previousHandler)
        previousHandler(type, context, message);
}

template<typename C> Room *roomOf(C *client, const QString &id)
{
    if constexpr (requires { client->room(id); })
        return client->room(id);
    else
        return nullptr;
}

StubConfig stubConfig()
{
    StubConfig config;
    config.secret = QByteArrayLiteral("security-secret");
    config.rooms = { { QStringLiteral("general"), QStringLiteral("General"), false, {} },
        { QStringLiteral("staff"), QStringLiteral("Staff"), true, { QStringLiteral("alice") } } };
    return config;
}

//! A request through the Client, waited for.
AckResult ask(Client &client, const QString &event, const QVariantList &args)
{
    AckResult result;
    bool done = false;
    client.request(event, args, [&](const AckResult &r) {
        result = r;
        done = true;
    });
    if (!QTest::qWaitFor([&] { return done; }, 15000))
        return AckResult::failure(AckResult::Error::Timeout, QStringLiteral("no answer in 15 s"));
    return result;
}

QString errorCode(const AckResult &r)
{
    return r.reply()
        .value(QStringLiteral("error"))
        .toMap()
        .value(QStringLiteral("code"))
        .toString();
}

} // namespace

class TestSecurity : public QObject {
    Q_OBJECT

    QTemporaryDir m_certs;
    QSslCertificate m_ca;
    QMap<QString, QSslConfiguration> m_serverConfigs;

    bool openssl(const QStringList &args)
    {
        QProcess p;
        p.setWorkingDirectory(m_certs.path());
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(QStringLiteral("openssl"), args);
        if (!p.waitForFinished(60000) || p.exitCode() != 0) {
            qWarning() << "openssl" << args << "failed:" << p.readAll();
            return false;
        }
        return true;
    }
    QByteArray read(const QString &name)
    {
        QFile f(m_certs.filePath(name));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }
    bool write(const QString &name, const QByteArray &data)
    {
        QFile f(m_certs.filePath(name));
        return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
    }
    bool makeCa(const QString &name)
    {
        return openssl({ QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
            name + QStringLiteral(".key"), QStringLiteral("-out"), name + QStringLiteral(".pem"),
            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
            QStringLiteral("/CN=") + name, QStringLiteral("-addext"),
            QStringLiteral("basicConstraints=critical,CA:TRUE"), QStringLiteral("-addext"),
            QStringLiteral("keyUsage=critical,keyCertSign,cRLSign") });
    }
    //! A server certificate `name` for `host`, signed by `ca` (with `openssl ca` when dates are
    //! given, since `openssl x509 -req` cannot backdate).
    bool makeServerCert(const QString &name, const QString &ca, const QString &host,
        const QString &start = {}, const QString &end = {})
    {
        const QString ext = name + QStringLiteral(".ext");
        if (!write(ext,
                QByteArray("basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
                           "subjectAltName=DNS:")
                    + host.toUtf8()
                    + (host == QLatin1String("localhost") ? ",IP:127.0.0.1\n" : "\n")))
            return false;
        if (!openssl({ QStringLiteral("req"), QStringLiteral("-newkey"), QStringLiteral("rsa:2048"),
                QStringLiteral("-nodes"), QStringLiteral("-keyout"), name + QStringLiteral(".key"),
                QStringLiteral("-out"), name + QStringLiteral(".csr"), QStringLiteral("-subj"),
                QStringLiteral("/CN=") + host }))
            return false;
        if (start.isEmpty()) {
            return openssl({ QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
                name + QStringLiteral(".csr"), QStringLiteral("-CA"), ca + QStringLiteral(".pem"),
                QStringLiteral("-CAkey"), ca + QStringLiteral(".key"),
                QStringLiteral("-CAcreateserial"), QStringLiteral("-out"),
                name + QStringLiteral(".pem"), QStringLiteral("-days"), QStringLiteral("2"),
                QStringLiteral("-extfile"), ext });
        }
        // A minimal `openssl ca` setup, for explicit validity dates.
        QDir(m_certs.path()).mkpath(QStringLiteral("newcerts"));
        write(QStringLiteral("index.txt"), {});
        write(QStringLiteral("serial"), "1000\n");
        const QByteArray conf = "[ca]\ndefault_ca=test\n[test]\ndir=.\ndatabase=index.txt\n"
                                "new_certs_dir=newcerts\nserial=serial\ndefault_md=sha256\n"
                                "policy=anything\nunique_subject=no\ncopy_extensions=none\n"
                                "[anything]\ncommonName=supplied\n";
        write(QStringLiteral("ca.cnf"), conf);
        return openssl({ QStringLiteral("ca"), QStringLiteral("-batch"), QStringLiteral("-config"),
            QStringLiteral("ca.cnf"), QStringLiteral("-cert"), ca + QStringLiteral(".pem"),
            QStringLiteral("-keyfile"), ca + QStringLiteral(".key"), QStringLiteral("-in"),
            name + QStringLiteral(".csr"), QStringLiteral("-out"), name + QStringLiteral(".pem"),
            QStringLiteral("-startdate"), start, QStringLiteral("-enddate"), end,
            QStringLiteral("-extfile"), ext, QStringLiteral("-notext") });
    }
    bool addServerConfig(const QString &name)
    {
        const auto certs = QSslCertificate::fromData(read(name + QStringLiteral(".pem")));
        const QSslKey key(read(name + QStringLiteral(".key")), QSsl::Rsa);
        if (certs.size() != 1 || key.isNull())
            return false;
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setLocalCertificate(certs.first());
        c.setPrivateKey(key);
        c.setPeerVerifyMode(QSslSocket::VerifyNone);
        m_serverConfigs.insert(name, c);
        return true;
    }

    //! Connects a Client trusting our CA to a wss server presenting `cert`.
    void tlsAttempt(const QString &cert, bool expectConnected)
    {
        RawServer server(QWebSocketServer::SecureMode);
        server.server()->setSslConfiguration(m_serverConfigs.value(cert));
        QVERIFY(server.listen());
        Client client;
        client.setUrl(server.url()); // wss://localhost:PORT
        client.addCaCertificates({ m_ca });
        client.open();
        if (expectConnected) {
            QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Connected, 15000);
            return;
        }
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Failed, 15000);
        QCOMPARE(client.error(), Client::Error::TlsError);
        QVERIFY(!client.errorString().isEmpty());
        QCOMPARE(server.connectCount, 0); // not a byte of Socket.IO went over it
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Client::State>();
        qRegisterMetaType<Client::Error>();
        qRegisterMetaType<TokenStore::Error>();
        QVERIFY(m_certs.isValid());
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            return; // the TLS rows skip themselves
        QVERIFY(makeCa(QStringLiteral("ca")));
        QVERIFY(makeCa(QStringLiteral("stranger")));
        QVERIFY(makeServerCert(
            QStringLiteral("good"), QStringLiteral("ca"), QStringLiteral("localhost")));
        QVERIFY(makeServerCert(
            QStringLiteral("unknownca"), QStringLiteral("stranger"), QStringLiteral("localhost")));
        QVERIFY(makeServerCert(
            QStringLiteral("wronghost"), QStringLiteral("ca"), QStringLiteral("wrong.example")));
        QVERIFY(makeServerCert(QStringLiteral("expired"), QStringLiteral("ca"),
            QStringLiteral("localhost"), QStringLiteral("20200101000000Z"),
            QStringLiteral("20200102000000Z")));
        for (const char *name : { "good", "unknownca", "wronghost", "expired" })
            QVERIFY2(addServerConfig(QLatin1String(name)), name);
        const auto cas = QSslCertificate::fromData(read(QStringLiteral("ca.pem")));
        QCOMPARE(cas.size(), 1);
        m_ca = cas.first();
        const auto expired = QSslCertificate::fromData(read(QStringLiteral("expired.pem")));
        QCOMPARE(expired.size(), 1);
        QVERIFY(expired.first().expiryDate() < QDateTime::currentDateTimeUtc());
    }

    void tls_data()
    {
        QTest::addColumn<QString>("cert");
        QTest::addColumn<bool>("accepted");
        QTest::newRow("unknown CA refused") << QStringLiteral("unknownca") << false;
        QTest::newRow("wrong host name refused") << QStringLiteral("wronghost") << false;
        QTest::newRow("expired certificate refused") << QStringLiteral("expired") << false;
        QTest::newRow("accepted with the CA added") << QStringLiteral("good") << true;
    }
    void tls()
    {
        if (m_serverConfigs.isEmpty())
            QSKIP("the openssl CLI is not installed");
        QFETCH(QString, cert);
        QFETCH(bool, accepted);
        tlsAttempt(cert, accepted);
    }

    // Every palaver.* category at every level (the SDK's info is off by default) through a whole
    // session with recovery on: messages sent and received, a cut connection that is recovered.
    // No line holds the token (or its signature), the pid the server gave (read off the wire), or
    // any message content.
    void secretsNeverReachTheLog()
    {
        QLoggingCategory::setFilterRules(QStringLiteral("palaver.*=true"));
        StubConfig config = stubConfig();
        config.recovery = true;
        StubServer stub(config);
        QVERIFY(stub.start(QHostAddress::LocalHost, 0));
        FaultProxy proxy;
        proxy.setTarget(QHostAddress::LocalHost, stub.serverPort());
        proxy.setCapture(true);
        QVERIFY(proxy.listen());

        QStringList lines;
        {
            QMutexLocker lock(&logMutex);
            logLines = &lines;
        }
        previousHandler = qInstallMessageHandler(recordingHandler);
        const QString aliceToken = QString::fromUtf8(stub.makeToken(QStringLiteral("alice")));
        const QString bobToken = QString::fromUtf8(stub.makeToken(QStringLiteral("bob")));
        const QStringList contents { QStringLiteral("zebra-content-1931"),
            QStringLiteral("okapi-content-2718"), QStringLiteral("quokka-content-3141") };
        bool recovered = false;
        {
            Client alice;
            Client bob;
            alice.setUrl(proxy.url());
            alice.setToken(aliceToken);
            bob.setUrl(stub.url());
            bob.setToken(bobToken);
            ReconnectPolicy fast;
            fast.setInitialDelay(50);
            fast.setMaxDelay(200);
            alice.setReconnectPolicy(fast);
            QSignalSpy bobGot(&bob, &Client::messageReceived);
            QSignalSpy aliceAcked(&alice, &Client::messageAcked);
            alice.open();
            bob.open();
            Room *aliceRoom = roomOf(&alice, QStringLiteral("general"));
            Room *bobRoom = roomOf(&bob, QStringLiteral("general"));
            if (aliceRoom && bobRoom) {
                aliceRoom->join();
                bobRoom->join();
                QTRY_COMPARE(aliceRoom->joinState(), Room::JoinState::Joined);
                QTRY_COMPARE(bobRoom->joinState(), Room::JoinState::Joined);
                aliceRoom->send(contents.at(0));
            } else {
                alice.joinRoom(QStringLiteral("general"));
                bob.joinRoom(QStringLiteral("general"));
                QTRY_COMPARE(alice.joinedRooms().size(), 1);
                QTRY_COMPARE(bob.joinedRooms().size(), 1);
                alice.sendMessage(QStringLiteral("general"), contents.at(0));
            }
            QTRY_COMPARE(aliceAcked.size(), 1);
            QTRY_COMPARE(bobGot.size(), 1);
            // Cut alice's connection: she reconnects with pid and offset, and recovers.
            QSignalSpy aliceDropped(&alice, &Client::disconnected);
            QVERIFY(proxy.cutAll() >= 1);
            QTRY_VERIFY(!aliceDropped.isEmpty());
            QTRY_COMPARE(alice.state(), Client::State::Connected);
            recovered = alice.isRecovered();
            QVERIFY(recovered); // so the pid and offset did go out
            alice.sendMessage(QStringLiteral("general"), contents.at(1));
            bob.sendMessage(QStringLiteral("general"), contents.at(2));
            QTRY_COMPARE(aliceAcked.size(), 2);
            QTRY_COMPARE(bobGot.size(), 3);
            alice.close();
            bob.close();
        }
        qInstallMessageHandler(previousHandler);
        {
            QMutexLocker lock(&logMutex);
            logLines = nullptr;
        }
        // The pid, from the CONNECT ack on the wire: 40{"sid":"...","pid":"..."}.
        const QString wire = QString::fromLatin1(proxy.capturedDown());
        const auto match = QRegularExpression(QStringLiteral("\"pid\":\"([^\"]+)\"")).match(wire);
        QVERIFY2(match.hasMatch(), "no pid in the CONNECT ack");
        const QString pid = match.captured(1);
        QVERIFY(pid.size() >= 8);
        QVERIFY(lines.size() > 10);
        qInfo("log lines checked: %d (recovered: %s)", int(lines.size()), recovered ? "yes" : "no");
        QVERIFY(infoLinesLogged > 0);
        bool sawClient = false;
        for (const auto &line : std::as_const(lines)) {
            sawClient |= line.startsWith(QLatin1String("palaver.client"));
            for (const QString &token : { aliceToken, bobToken }) {
                QVERIFY2(!line.contains(token), qPrintable(line));
                QVERIFY2(!line.contains(token.section(QLatin1Char('.'), 2)), qPrintable(line));
            }
            QVERIFY2(!line.contains(pid), qPrintable(line));
            for (const QString &content : contents)
                QVERIFY2(!line.contains(content), qPrintable(line));
        }
        QVERIFY(sawClient);
    }

    // No Secret Service on the bus (main() points DBUS_SESSION_BUS_ADDRESS nowhere): storing
    // fails with an error, and no file under the scratch HOME/XDG dirs appears or holds it.
    void tokenStoreRefusesWithoutKeychain()
    {
        QVERIFY(scratchHome);
        const QString secret
            = QStringLiteral("tok-never-on-disk-") + QUuid::createUuid().toString(QUuid::Id128);
        TokenStore store(QStringLiteral("palaver-security"));
        QSignalSpy stored(&store, &TokenStore::stored);
        QSignalSpy failed(&store, &TokenStore::failed);
        int calls = 0;
        TokenStore::Result result;
        store.store(QStringLiteral("mallory"), secret, [&](const TokenStore::Result &r) {
            ++calls;
            result = r;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 30000);
        QVERIFY(!result.ok());
        QVERIFY(!result.errorString.isEmpty());
        QCOMPARE(stored.size(), 0);
        QCOMPARE(failed.size(), 1);
        int loads = 0;
        store.load(QStringLiteral("mallory"), [&](const TokenStore::Result &r) {
            ++loads;
            QVERIFY(!r.ok());
            QVERIFY(r.token.isEmpty());
        });
        QTRY_COMPARE_WITH_TIMEOUT(loads, 1, 30000);
        QStringList files;
        QDirIterator it(
            scratchHome->path(), QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            files.append(f.fileName());
            QVERIFY(f.open(QIODevice::ReadOnly));
            QVERIFY2(!f.readAll().contains(secret.toUtf8()), qPrintable(f.fileName()));
        }
        QVERIFY2(files.isEmpty(), qPrintable(files.join(QLatin1Char(' '))));
    }

    // The stub's own checks, asked through a Client as any client could.
    void stubEnforcesAclsLimitsAndIdentity()
    {
        StubConfig config = stubConfig();
        config.maxContent = 50;
        config.maxPayload = 4096;
        config.rateBurst = 3;
        config.ratePerSec = 0.5;
        StubServer stub(config);
        QVERIFY(stub.start(QHostAddress::LocalHost, 0));
        Client eve;
        eve.setUrl(stub.url());
        eve.setToken(
            QString::fromUtf8(stub.makeToken(QStringLiteral("eve"), QStringLiteral("Eve"))));
        eve.open();
        QTRY_COMPARE(eve.state(), Client::State::Connected);

        // ACLs: a private room eve is not a member of.
        QCOMPARE(errorCode(ask(eve, QStringLiteral("room:join"), { QStringLiteral("staff") })),
            QStringLiteral("access_denied"));
        QCOMPARE(errorCode(ask(eve, QStringLiteral("room:history"),
                     { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("staff") } } })),
            QStringLiteral("access_denied"));
        QCOMPARE(errorCode(ask(eve, QStringLiteral("message:send"),
                     { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("staff") },
                         { QStringLiteral("content"), QStringLiteral("let me in") },
                         { QStringLiteral("clientId"), QStringLiteral("c-acl") } } })),
            QStringLiteral("access_denied"));
        // Not joined yet: not_joined; then joined.
        QCOMPARE(errorCode(ask(eve, QStringLiteral("message:send"),
                     { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("general") },
                         { QStringLiteral("content"), QStringLiteral("early") },
                         { QStringLiteral("clientId"), QStringLiteral("c-early") } } })),
            QStringLiteral("not_joined"));
        QVERIFY(ask(eve, QStringLiteral("room:join"), { QStringLiteral("general") })
                    .reply()
                    .value(QStringLiteral("ok"))
                    .toBool());

        // Identity: a forged userId/userName in the payload is ignored; the token's sub wins.
        const AckResult forged = ask(eve, QStringLiteral("message:send"),
            { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("general") },
                { QStringLiteral("content"), QStringLiteral("I am alice") },
                { QStringLiteral("clientId"), QStringLiteral("c-forged") },
                { QStringLiteral("userId"), QStringLiteral("alice") },
                { QStringLiteral("userName"), QStringLiteral("Alice") } } });
        const QVariantMap message = forged.reply().value(QStringLiteral("message")).toMap();
        QCOMPARE(message.value(QStringLiteral("userId")).toString(), QStringLiteral("eve"));
        QCOMPARE(message.value(QStringLiteral("userName")).toString(), QStringLiteral("Eve"));
        const AckResult history = ask(eve, QStringLiteral("room:history"),
            { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("general") } } });
        const QVariantList stored = history.reply().value(QStringLiteral("messages")).toList();
        QCOMPARE(stored.size(), 1);
        QCOMPARE(stored.first().toMap().value(QStringLiteral("userId")).toString(),
            QStringLiteral("eve"));

        // Size: content over maxContent is too_long.
        QCOMPARE(errorCode(ask(eve, QStringLiteral("message:send"),
                     { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("general") },
                         { QStringLiteral("content"), QString(51, QLatin1Char('x')) },
                         { QStringLiteral("clientId"), QStringLiteral("c-long") } } })),
            QStringLiteral("too_long"));

        // Rate: the burst (3, one used above) then rate_limited with a retryAfterMs.
        QString lastCode;
        qint64 retryAfter = -1;
        for (int i = 0; i < 5 && lastCode != QLatin1String("rate_limited"); ++i) {
            const AckResult r = ask(eve, QStringLiteral("message:send"),
                { QVariantMap { { QStringLiteral("roomId"), QStringLiteral("general") },
                    { QStringLiteral("content"), QStringLiteral("spam %1").arg(i) },
                    { QStringLiteral("clientId"), QStringLiteral("c-spam-%1").arg(i) } } });
            lastCode = errorCode(r);
            retryAfter = r.reply()
                             .value(QStringLiteral("error"))
                             .toMap()
                             .value(QStringLiteral("retryAfterMs"), -1)
                             .toLongLong();
        }
        QCOMPARE(lastCode, QStringLiteral("rate_limited"));
        QVERIFY(retryAfter > 0);
        eve.close();

        // Frame size: a raw client sending more than maxPayload is closed with 1009, and the
        // server keeps serving others.
        QWebSocket raw;
        QUrl url = stub.url();
        url.setPath(QStringLiteral("/socket.io/"));
        url.setQuery(QStringLiteral("EIO=4&transport=websocket"));
        QSignalSpy rawClosed(&raw, &QWebSocket::disconnected);
        raw.open(url);
        QTRY_COMPARE(raw.state(), QAbstractSocket::ConnectedState);
        raw.sendTextMessage(QStringLiteral("40{\"token\":\"")
            + QString::fromUtf8(stub.makeToken(QStringLiteral("bob"))) + QStringLiteral("\"}"));
        raw.sendTextMessage(QStringLiteral("42[\"typing\",\"") + QString(8192, QLatin1Char('x'))
            + QStringLiteral("\"]"));
        QTRY_VERIFY_WITH_TIMEOUT(!rawClosed.isEmpty(), 10000);
        QCOMPARE(int(raw.closeCode()), int(QWebSocketProtocol::CloseCodeTooMuchData));

        Client after;
        after.setUrl(stub.url());
        after.setToken(QString::fromUtf8(stub.makeToken(QStringLiteral("carol"))));
        after.open();
        QTRY_COMPARE(after.state(), Client::State::Connected);
    }
};

int main(int argc, char **argv)
{
    // Before Qt reads any of them.
    QTemporaryDir home(QDir::tempPath() + QStringLiteral("/palaver-security-XXXXXX"));
    scratchHome = &home;
    qputenv("HOME", home.path().toUtf8());
    qputenv("XDG_CONFIG_HOME", (home.path() + QStringLiteral("/config")).toUtf8());
    qputenv("XDG_DATA_HOME", (home.path() + QStringLiteral("/data")).toUtf8());
    qputenv("XDG_CACHE_HOME", (home.path() + QStringLiteral("/cache")).toUtf8());
    qputenv("XDG_STATE_HOME", (home.path() + QStringLiteral("/state")).toUtf8());
    qputenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/palaver-no-bus");
    QCoreApplication app(argc, argv);
    TestSecurity test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_security.moc"
