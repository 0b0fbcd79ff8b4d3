// SPDX-License-Identifier: MIT
// The palaver-stub executable: the "listening on" line, clean exit on SIGTERM/SIGINT, the token
// subcommand, usage errors.

#include <Palaver/Stub/jwtverifier.h>

#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

using namespace Palaver::Stub;

namespace {

const QString Exe = QStringLiteral(PALAVER_STUB_EXE);

} // namespace

class TestStubCli : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void listensAndStopsCleanly_data()
    {
        QTest::addColumn<int>("signal");
        QTest::addColumn<QStringList>("more");
        QTest::newRow("SIGTERM") << int(SIGTERM) << QStringList {};
        QTest::newRow("SIGINT") << int(SIGINT) << QStringList {};
        QTest::newRow("SIGTERM, --verbose")
            << int(SIGTERM) << QStringList { QStringLiteral("--verbose") };
        QTest::newRow("SIGTERM, --v1") << int(SIGTERM) << QStringList { QStringLiteral("--v1") };
    }

    void listensAndStopsCleanly()
    {
        QFETCH(int, signal);
        QFETCH(QStringList, more);
        QProcess p;
        p.start(Exe,
            QStringList { QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--secret"),
                QStringLiteral("s") }
                + more);
        QVERIFY(p.waitForStarted());
        static const QRegularExpression re(
            QStringLiteral("^palaver-stub listening on 127\\.0\\.0\\.1:(\\d+)$"),
            QRegularExpression::MultilineOption);
        QString out;
        QTRY_VERIFY_WITH_TIMEOUT(
            (out += QString::fromUtf8(p.readAllStandardOutput()), re.match(out).hasMatch()), 20000);
        QVERIFY(re.match(out).captured(1).toInt() > 0);
        ::kill(pid_t(p.processId()), signal);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitStatus(), QProcess::NormalExit);
        QCOMPARE(p.exitCode(), 0);
    }

    void tokenSubcommand()
    {
        QProcess p;
        p.start(Exe,
            { QStringLiteral("token"), QStringLiteral("--user"), QStringLiteral("alice"),
                QStringLiteral("--name"), QStringLiteral("Alice"), QStringLiteral("--ttl"),
                QStringLiteral("60"), QStringLiteral("--secret"), QStringLiteral("cli-secret") });
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 0);
        const QByteArray token = p.readAllStandardOutput().trimmed();
        const auto r = JwtVerifier(QByteArrayLiteral("cli-secret")).verify(token.toStdString());
        QCOMPARE(r.error, AuthError::None);
        QCOMPARE(r.user.id, QStringLiteral("alice"));
        QCOMPARE(r.user.name, QStringLiteral("Alice"));
    }

    void secretFromTheEnvironment()
    {
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PALAVER_SECRET"), QStringLiteral("env-secret"));
        p.setProcessEnvironment(env);
        p.start(Exe, { QStringLiteral("token"), QStringLiteral("--user"), QStringLiteral("bob") });
        QVERIFY(p.waitForFinished(10000));
        const QByteArray token = p.readAllStandardOutput().trimmed();
        QCOMPARE(JwtVerifier(QByteArrayLiteral("env-secret")).verify(token.toStdString()).user.name,
            QStringLiteral("bob"));
    }

    void usageErrors_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::newRow("no secret") << QStringList { QStringLiteral("--port"), QStringLiteral("0") };
        QTest::newRow("bad parser") << QStringList { QStringLiteral("--secret"),
            QStringLiteral("s"), QStringLiteral("--parser"), QStringLiteral("xml") };
        QTest::newRow("bad number") << QStringList { QStringLiteral("--secret"),
            QStringLiteral("s"), QStringLiteral("--ping-interval"), QStringLiteral("0") };
        QTest::newRow("missing rooms file") << QStringList { QStringLiteral("--secret"),
            QStringLiteral("s"), QStringLiteral("--rooms"), QStringLiteral("/nonexistent.json") };
        QTest::newRow("token without user") << QStringList { QStringLiteral("token"),
            QStringLiteral("--secret"), QStringLiteral("s") };
    }

    void usageErrors()
    {
        QFETCH(QStringList, arguments);
        QProcess p;
        auto env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("PALAVER_SECRET"));
        p.setProcessEnvironment(env);
        p.start(Exe, arguments);
        QVERIFY(p.waitForFinished(10000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(!p.readAllStandardError().isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestStubCli)
#include "tst_stubcli.moc"
