// SPDX-License-Identifier: MIT
// palaver-chat: the command line, the application's names (for QSettings), the Client, and the
// Palaver.Chat QML module's Main.qml. Everything visible lives in qml/.
#include "demousers.h"
#include "logging_p.h"
#include <Palaver/client.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlExtensionPlugin>
#include <QQuickStyle>
#include <QStandardPaths>
#include <QTextStream>
#include <QUrl>

#include <cstdio>

Q_IMPORT_QML_PLUGIN(Palaver_ChatPlugin)

namespace {

struct Options {
    QCommandLineOption url { QStringLiteral("url"),
        QCoreApplication::translate("main", "Server address (ws://, wss://, http:// or https://)."),
        QStringLiteral("URL") };
    QCommandLineOption demo { QStringLiteral("demo"),
        QCoreApplication::translate("main",
            "Offer one-click sign-in for the demo users of the environment variable "
            "PALAVER_DEMO_TOKENS ([{\"id\",\"name\",\"token\"}], as set by run-demo.sh).") };
    QCommandLineOption demoUser { QStringLiteral("demo-user"),
        QCoreApplication::translate("main", "With --demo: sign in as this demo user at once."),
        QStringLiteral("ID") };
    QCommandLineOption verbose { QStringLiteral("verbose"),
        QCoreApplication::translate("main",
            "Log the connection's state changes (palaver.*.info) on stderr; QT_LOGGING_RULES "
            "still wins.") };
};

void setNames()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Palaver"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("palaver.example"));
    QCoreApplication::setApplicationName(QStringLiteral("palaver-chat"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PALAVER_VERSION));
}

void setUpParser(QCommandLineParser &parser, const Options &options)
{
    parser.setApplicationDescription(
        QCoreApplication::translate("main", "Palaver chat: a desktop client for Palaver servers."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({ options.url, options.demo, options.demoUser, options.verbose });
}

bool asksForHelpOrVersion(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const QByteArray arg(argv[i]);
        if (arg == "-h" || arg == "--help" || arg == "-?" || arg == "--help-all" || arg == "-v"
            || arg == "--version")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char *argv[])
{
    // --help and --version answer without a display: no QGuiApplication for them.
    if (asksForHelpOrVersion(argc, argv)) {
        QCoreApplication core(argc, argv);
        setNames();
        QCommandLineParser parser;
        const Options options;
        setUpParser(parser, options);
        parser.process(core); // prints and exits
        return 0;
    }

    QGuiApplication app(argc, argv);
    setNames();
    QGuiApplication::setApplicationDisplayName(QStringLiteral("Palaver"));
    QGuiApplication::setDesktopFileName(QStringLiteral("palaver-chat"));

    QCommandLineParser parser;
    const Options options;
    setUpParser(parser, options);
    parser.process(app);
    if (parser.isSet(options.verbose))
        Palaver::Log::enableVerbose();
    const QCommandLineOption &urlOption = options.url;
    const QCommandLineOption &demoOption = options.demo;
    const QCommandLineOption &demoUserOption = options.demoUser;

    QTextStream err(stderr);
    QUrl url;
    if (parser.isSet(urlOption)) {
        url = QUrl::fromUserInput(parser.value(urlOption));
        if (!Palaver::Client::endpointUrl(url).isValid()) {
            err << QGuiApplication::translate("main", "palaver-chat: not a server address: %1")
                       .arg(parser.value(urlOption))
                << Qt::endl;
            return 2;
        }
    }

    QVariantList demoUsers;
    if (parser.isSet(demoOption)) {
        const QByteArray json = qgetenv("PALAVER_DEMO_TOKENS");
        QString error;
        if (json.isEmpty())
            err << QGuiApplication::translate(
                "main", "palaver-chat: --demo without PALAVER_DEMO_TOKENS: no demo users to offer")
                << Qt::endl;
        else
            demoUsers = Palaver::Chat::parseDemoUsers(json, &error);
        if (!error.isEmpty())
            err << QGuiApplication::translate(
                "main", "palaver-chat: PALAVER_DEMO_TOKENS is not usable: %1")
                       .arg(error)
                << Qt::endl;
    }

    // Fusion draws the stock controls from the palette, which the app's theme sets.
    if (qEnvironmentVariableIsEmpty("QT_QUICK_CONTROLS_STYLE"))
        QQuickStyle::setStyle(QStringLiteral("Fusion"));

    Palaver::Client client;
    // Messages, edits and reactions queued offline survive closing the app: one file per server
    // and user. Not for the demo, whose server and database last one run.
    if (!parser.isSet(demoOption)) {
        client.setStoreDirectory(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)
            + QStringLiteral("/accounts"));
    }

    QQmlApplicationEngine engine;
    // Run from the build tree, the SDK's QML module sits in <build>/qml (installed, it is in Qt's
    // QML directory). Added first: later paths take precedence, and the linked-in Palaver.Chat
    // in the resources must win.
    const QString buildTreeQml = QDir(QCoreApplication::applicationDirPath())
                                     .absoluteFilePath(QStringLiteral("../../qml"));
    if (QFileInfo::exists(buildTreeQml + QStringLiteral("/Palaver/qmldir")))
        engine.addImportPath(QDir::cleanPath(buildTreeQml));
    engine.addImportPath(QStringLiteral("qrc:/qt/qml"));
    engine.setInitialProperties({
        { QStringLiteral("client"), QVariant::fromValue(&client) },
        { QStringLiteral("initialUrl"), url.isValid() ? url.toString() : QString() },
        { QStringLiteral("demoUsers"), demoUsers },
        { QStringLiteral("autoSignInUser"),
            parser.isSet(demoOption) ? parser.value(demoUserOption) : QString() },
    });
    QObject::connect(
        &engine, &QQmlApplicationEngine::objectCreationFailed, &app,
        [] { QCoreApplication::exit(1); }, Qt::QueuedConnection);
    engine.load(QUrl(QStringLiteral("qrc:/qt/qml/Palaver/Chat/Main.qml")));
    if (engine.rootObjects().isEmpty())
        return 1;
    return app.exec();
}
