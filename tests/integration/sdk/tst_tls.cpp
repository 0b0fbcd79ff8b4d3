// SPDX-License-Identifier: MIT
// wss:// with a CA made at test time by the openssl CLI: refused by default, accepted once the
// CA is added, and accepted without verification only with a loud warning.
#include "rawserver.h"
#include <Palaver/client.h>

#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSslKey>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Palaver;

namespace {
QStringList *warnings = nullptr;
QtMessageHandler previous = nullptr;
void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (warnings && type == QtWarningMsg)
        warnings->append(message);
    if (previous)
        previous(type, context, message);
}
} // namespace

class TestTls : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QSslCertificate m_ca;
    QSslConfiguration m_serverConfig;

    bool openssl(const QStringList &args)
    {
        QProcess p;
        p.setWorkingDirectory(m_dir.path());
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
        QFile f(m_dir.filePath(name));
        return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
    }

    std::unique_ptr<RawServer> startServer()
    {
        auto server = std::make_unique<RawServer>(QWebSocketServer::SecureMode);
        server->server()->setSslConfiguration(m_serverConfig);
        if (!server->listen())
            return {};
        return server;
    }

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Client::State>();
        qRegisterMetaType<Client::Error>();
        if (QStandardPaths::findExecutable(QStringLiteral("openssl")).isEmpty())
            QSKIP("the openssl CLI is not installed");
        QVERIFY(m_dir.isValid());
        QFile ext(m_dir.filePath(QStringLiteral("server.ext")));
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write("basicConstraints=CA:FALSE\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n"
                  "extendedKeyUsage=serverAuth\n");
        ext.close();
        QVERIFY(openssl({ QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
            QStringLiteral("ca.key"), QStringLiteral("-out"), QStringLiteral("ca.pem"),
            QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
            QStringLiteral("/CN=Palaver Test CA"), QStringLiteral("-addext"),
            QStringLiteral("basicConstraints=critical,CA:TRUE"), QStringLiteral("-addext"),
            QStringLiteral("keyUsage=critical,keyCertSign,cRLSign") }));
        QVERIFY(openssl({ QStringLiteral("req"), QStringLiteral("-newkey"),
            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
            QStringLiteral("server.key"), QStringLiteral("-out"), QStringLiteral("server.csr"),
            QStringLiteral("-subj"), QStringLiteral("/CN=localhost") }));
        QVERIFY(openssl({ QStringLiteral("x509"), QStringLiteral("-req"), QStringLiteral("-in"),
            QStringLiteral("server.csr"), QStringLiteral("-CA"), QStringLiteral("ca.pem"),
            QStringLiteral("-CAkey"), QStringLiteral("ca.key"), QStringLiteral("-CAcreateserial"),
            QStringLiteral("-out"), QStringLiteral("server.pem"), QStringLiteral("-days"),
            QStringLiteral("2"), QStringLiteral("-extfile"), QStringLiteral("server.ext") }));
        const auto cas = QSslCertificate::fromData(read(QStringLiteral("ca.pem")));
        QCOMPARE(cas.size(), 1);
        m_ca = cas.first();
        const auto certs = QSslCertificate::fromData(read(QStringLiteral("server.pem")));
        QCOMPARE(certs.size(), 1);
        const QSslKey key(read(QStringLiteral("server.key")), QSsl::Rsa);
        QVERIFY(!key.isNull());
        m_serverConfig = QSslConfiguration::defaultConfiguration();
        m_serverConfig.setLocalCertificate(certs.first());
        m_serverConfig.setPrivateKey(key);
        m_serverConfig.setPeerVerifyMode(QSslSocket::VerifyNone);
    }

    void refusedByDefault()
    {
        auto server = startServer();
        QVERIFY(server);
        Client client;
        client.setUrl(server->url());
        QSignalSpy failed(&client, &Client::failed);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Failed, 10000);
        QCOMPARE(client.error(), Client::Error::TlsError);
        QVERIFY(!client.errorString().isEmpty());
        QCOMPARE(failed.size(), 1);
        QCOMPARE(server->connectCount, 0);
    }

    void acceptedWithTheCa()
    {
        auto server = startServer();
        QVERIFY(server);
        Client client;
        client.setUrl(server->url());
        client.addCaCertificates({ m_ca });
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Connected, 10000);
        QCOMPARE(server->connectCount, 1);
    }

    void httpsUrlMeansWss()
    {
        auto server = startServer();
        QVERIFY(server);
        QUrl url = server->url();
        url.setScheme(QStringLiteral("https"));
        Client client;
        client.setUrl(url);
        client.addCaCertificates({ m_ca });
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Connected, 10000);
    }

    void noVerificationOnlyWhenAskedAndLoudly()
    {
        auto server = startServer();
        QVERIFY(server);
        QStringList seen;
        warnings = &seen;
        previous = qInstallMessageHandler(handler);
        Client client;
        client.setUrl(server->url());
        client.setPeerVerification(false);
        client.open();
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), Client::State::Connected, 10000);
        qInstallMessageHandler(previous);
        warnings = nullptr;
        const bool loud = std::any_of(seen.begin(), seen.end(),
            [](const QString &w) { return w.contains(QLatin1String("VERIFICATION IS OFF")); });
        QVERIFY2(loud, qPrintable(seen.join(QLatin1Char('\n'))));
    }
};

QTEST_GUILESS_MAIN(TestTls)
#include "tst_tls.moc"
