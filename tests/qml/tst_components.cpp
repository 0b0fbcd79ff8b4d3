// SPDX-License-Identifier: MIT
// Qt Quick Tests of the Palaver.Chat components (components/tst_*.qml), with the module linked
// in as a static plugin.
#include <QGuiApplication>
#include <QQmlEngine>
#include <QQmlExtensionPlugin>
#include <QQuickStyle>
#include <QtQuickTest>

Q_IMPORT_QML_PLUGIN(Palaver_ChatPlugin)

class Setup : public QObject {
    Q_OBJECT
public Q_SLOTS:
    void applicationAvailable() { QQuickStyle::setStyle(QStringLiteral("Fusion")); }
    void qmlEngineAvailable(QQmlEngine *engine)
    {
        // Later paths take precedence: the linked-in Palaver.Chat (qrc) comes last.
        for (const QString &path : qEnvironmentVariable("PALAVER_TEST_QML_PATH")
                                       .split(QLatin1Char(':'), Qt::SkipEmptyParts))
            engine->addImportPath(path);
        engine->addImportPath(QStringLiteral("qrc:/qt/qml"));
    }
};

QUICK_TEST_MAIN_WITH_SETUP(palaver_chat_components, Setup)

#include "tst_components.moc"
