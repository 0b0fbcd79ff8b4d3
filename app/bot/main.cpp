// SPDX-License-Identifier: MIT
// palaver-bot: a headless bot on Palaver::Sdk (QtCore only: no GUI, no QML).
#include "botapp.h"
#include "logging_p.h"

#include <QCoreApplication>
#include <QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("palaver-bot"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PALAVER_VERSION));

    Palaver::Bot::BotOptions options;
    QString error;
    int exitNow = -1;
    if (!Palaver::Bot::parseArguments(QCoreApplication::arguments(), &options, &error, &exitNow)) {
        if (exitNow >= 0)
            return exitNow;
        std::fprintf(stderr, "palaver-bot: %s\nTry 'palaver-bot --help'.\n", qPrintable(error));
        return Palaver::Bot::ExitUsage;
    }
    if (options.verbose)
        Palaver::Log::enableVerbose();
    Palaver::Bot::BotApp bot(std::move(options));
    QTimer::singleShot(0, &bot, &Palaver::Bot::BotApp::start);
    return app.exec();
}
