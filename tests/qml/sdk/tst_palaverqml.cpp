// SPDX-License-Identifier: MIT
// Runs tst_*.qml of this directory with `import Palaver` against an in-process stub.
#include <Palaver/Stub/stubserver.h>

#include <QQmlContext>
#include <QQmlEngine>
#include <QtQuickTest>

#include <memory>

using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;

class Setup : public QObject {
    Q_OBJECT

    std::unique_ptr<StubServer> m_server;

public Q_SLOTS:
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        engine->addImportPath(QStringLiteral(PALAVER_QML_IMPORT_DIR));
        if (!m_server) {
            StubConfig config;
            config.secret = QByteArrayLiteral("qml-test-secret");
            config.rooms = {
                { QStringLiteral("general"), QStringLiteral("General"), false, {} },
                { QStringLiteral("staff"), QStringLiteral("Staff"), true,
                    { QStringLiteral("dave") } },
            };
            m_server = std::make_unique<StubServer>(config);
            if (!m_server->start(QHostAddress::LocalHost, 0))
                qFatal("the stub did not start: %s", qPrintable(m_server->errorString()));
        }
        QQmlContext *context = engine->rootContext();
        context->setContextProperty(QStringLiteral("stubUrl"), m_server->url().toString());
        context->setContextProperty(QStringLiteral("aliceToken"),
            QString::fromUtf8(
                m_server->makeToken(QStringLiteral("alice"), QStringLiteral("Alice"))));
        context->setContextProperty(QStringLiteral("bobToken"),
            QString::fromUtf8(m_server->makeToken(QStringLiteral("bob"), QStringLiteral("Bob"))));
    }

    void cleanupTestCase() { m_server.reset(); }
};

QUICK_TEST_MAIN_WITH_SETUP(PalaverQml, Setup)
#include "tst_palaverqml.moc"
