// SPDX-License-Identifier: MIT
#include "cli.h"

#include <QCoreApplication>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("palaver-stub"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PALAVER_VERSION));
    const QStringList arguments = QCoreApplication::arguments();
    if (arguments.size() > 1 && arguments.at(1) == QLatin1String("token"))
        return Palaver::Stub::Cli::runToken(arguments.mid(1));
    return Palaver::Stub::Cli::runServer(arguments);
}
