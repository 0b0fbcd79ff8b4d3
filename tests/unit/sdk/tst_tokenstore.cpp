// SPDX-License-Identifier: MIT
// TokenStore on the platform secret store. With a Secret Service (ctest runs a second variant
// inside dbus-run-session with an unlocked gnome-keyring) it round-trips; without one every
// operation fails with an error, and nothing is ever written in plain text.
#include <Palaver/tokenstore.h>

#include <QDirIterator>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTest>
#include <QUuid>

using Palaver::TokenStore;

class TestTokenStore : public QObject {
    Q_OBJECT

    const QString m_secret = QStringLiteral("tok-") + QUuid::createUuid().toString(QUuid::Id128);
    const QString m_account = QStringLiteral("user-") + QUuid::createUuid().toString(QUuid::Id128);

    bool requireBackend() const { return qEnvironmentVariableIsSet("PALAVER_REQUIRE_KEYRING"); }

    // No file under the test-mode config/data locations may hold the secret.
    void verifyNoPlainText()
    {
        for (auto location :
            { QStandardPaths::GenericConfigLocation, QStandardPaths::AppConfigLocation,
                QStandardPaths::AppDataLocation, QStandardPaths::GenericDataLocation }) {
            const QString dir = QStandardPaths::writableLocation(location);
            QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext()) {
                QFile f(it.next());
                if (f.size() > 1024 * 1024 || !f.open(QIODevice::ReadOnly))
                    continue;
                QVERIFY2(!f.readAll().contains(m_secret.toUtf8()), qPrintable(f.fileName()));
            }
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        qRegisterMetaType<TokenStore::Error>();
    }

    void service()
    {
        TokenStore store;
        QCOMPARE(store.service(), QStringLiteral("palaver"));
        QSignalSpy changed(&store, &TokenStore::serviceChanged);
        store.setService(QStringLiteral("palaver-tests"));
        QCOMPARE(store.service(), QStringLiteral("palaver-tests"));
        QCOMPARE(changed.size(), 1);
    }

    void roundTripOrCleanFailure()
    {
        TokenStore store(QStringLiteral("palaver-tests"));
        QSignalSpy stored(&store, &TokenStore::stored);
        QSignalSpy failed(&store, &TokenStore::failed);
        int calls = 0;
        TokenStore::Result result;
        store.store(m_account, m_secret, [&](const TokenStore::Result &r) {
            ++calls;
            result = r;
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 20000);
        verifyNoPlainText();
        if (!result.ok()) {
            if (requireBackend())
                QFAIL(qPrintable(QStringLiteral("no secret store: ") + result.errorString));
            QCOMPARE(failed.size(), 1);
            QCOMPARE(stored.size(), 0);
            QVERIFY(!result.errorString.isEmpty());
            QVERIFY(result.error != TokenStore::Error::NoError);
            // And load fails too rather than reading anything from elsewhere.
            int loads = 0;
            store.load(m_account, [&](const TokenStore::Result &r) {
                ++loads;
                QVERIFY(!r.ok());
                QVERIFY(r.token.isEmpty());
            });
            QTRY_COMPARE_WITH_TIMEOUT(loads, 1, 20000);
            QSKIP("no secret store available here: failures were clean");
        }
        QCOMPARE(stored.size(), 1);

        QSignalSpy loaded(&store, &TokenStore::loaded);
        store.load(m_account);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 20000);
        QCOMPARE(loaded.at(0).at(1).toString(), m_secret);

        QSignalSpy removed(&store, &TokenStore::removed);
        store.remove(m_account);
        QTRY_COMPARE_WITH_TIMEOUT(removed.size(), 1, 20000);

        int calls2 = 0;
        store.load(m_account, [&](const TokenStore::Result &r) {
            ++calls2;
            QCOMPARE(r.error, TokenStore::Error::NotFound);
        });
        QTRY_COMPARE_WITH_TIMEOUT(calls2, 1, 20000);
        verifyNoPlainText();
    }
};

QTEST_GUILESS_MAIN(TestTokenStore)
#include "tst_tokenstore.moc"
