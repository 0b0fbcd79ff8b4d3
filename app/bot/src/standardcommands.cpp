// SPDX-License-Identifier: MIT
#include <Palaver/Bot/commandbot.h>
#include <Palaver/Bot/roompresence.h>
#include <Palaver/Bot/standardcommands.h>
#include <Palaver/client.h>

#include <QElapsedTimer>
#include <QPointer>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <memory>

namespace Palaver::Bot {

std::optional<DiceSpec> parseDice(const QString &spec)
{
    static const QRegularExpression re(QStringLiteral("^([0-9]{1,3})[dD]([0-9]{1,4})$"));
    const QRegularExpressionMatch m = re.match(spec);
    if (!m.hasMatch())
        return std::nullopt;
    const DiceSpec dice { m.captured(1).toInt(), m.captured(2).toInt() };
    if (dice.count < 1 || dice.count > 100 || dice.sides < 2 || dice.sides > 1000)
        return std::nullopt;
    return dice;
}

QString formatDuration(qint64 ms)
{
    qint64 s = std::max<qint64>(0, ms / 1000);
    const qint64 days = s / 86400;
    const int hours = int(s / 3600 % 24);
    const int minutes = int(s / 60 % 60);
    const int seconds = int(s % 60);
    const auto two = [](int v) { return QStringLiteral("%1").arg(v, 2, 10, QLatin1Char('0')); };
    if (days > 0)
        return QStringLiteral("%1d %2h %3m %4s")
            .arg(days)
            .arg(two(hours), two(minutes), two(seconds));
    if (hours > 0)
        return QStringLiteral("%1h %2m %3s").arg(hours).arg(two(minutes), two(seconds));
    if (minutes > 0)
        return QStringLiteral("%1m %2s").arg(minutes).arg(two(seconds));
    return QStringLiteral("%1s").arg(seconds);
}

void addStandardCommands(CommandBot &bot)
{
    bot.addCommand(QStringLiteral("echo"), QStringLiteral("TEXT - say TEXT back"),
        [](const CommandContext &ctx) {
            if (ctx.argument.isEmpty())
                ctx.reply(QStringLiteral("usage: /echo TEXT"));
            else
                ctx.reply(ctx.argument);
        });

    bot.addCommand(QStringLiteral("ping"), QStringLiteral("- round trip to the server"),
        [](const CommandContext &ctx) {
            // A real request with an ack: the smallest history page of this room.
            auto timer = std::make_shared<QElapsedTimer>();
            timer->start();
            QPointer<CommandBot> bot(ctx.bot);
            const QString roomId = ctx.roomId();
            ctx.bot->client()->request(QStringLiteral("room:history"),
                { QVariantMap {
                    { QStringLiteral("roomId"), roomId }, { QStringLiteral("limit"), 1 } } },
                [bot, roomId, timer](const AckResult &result) {
                    if (!bot)
                        return;
                    const double ms = double(timer->nsecsElapsed()) / 1e6;
                    if (result.ok())
                        bot->reply(roomId, QStringLiteral("pong: %1 ms").arg(ms, 0, 'f', 1));
                    else
                        bot->reply(
                            roomId, QStringLiteral("ping failed: %1").arg(result.errorString));
                });
        });

    bot.addCommand(QStringLiteral("roll"),
        QStringLiteral("NdM - roll N dice of M sides (N 1-100, M 2-1000)"),
        [](const CommandContext &ctx) {
            const auto dice
                = ctx.arguments.size() == 1 ? parseDice(ctx.arguments.first()) : std::nullopt;
            if (!dice) {
                ctx.reply(QStringLiteral("usage: /roll NdM (N 1-100, M 2-1000), e.g. /roll 2d6"));
                return;
            }
            QStringList rolls;
            qint64 total = 0;
            for (int i = 0; i < dice->count; ++i) {
                const int r = int(QRandomGenerator::global()->bounded(dice->sides)) + 1;
                total += r;
                rolls.append(QString::number(r));
            }
            ctx.reply(QStringLiteral("%1d%2: %3 = %4")
                          .arg(dice->count)
                          .arg(dice->sides)
                          .arg(rolls.join(QStringLiteral(" + ")))
                          .arg(total));
        });

    bot.addCommand(QStringLiteral("who"), QStringLiteral("- who is online in this room"),
        [](const CommandContext &ctx) {
            QStringList names;
            for (const auto &m : ctx.bot->presence()->onlineMembers(ctx.roomId()))
                names.append(m.name);
            ctx.reply(QStringLiteral("online in %1 (%2): %3")
                          .arg(ctx.roomId())
                          .arg(names.size())
                          .arg(names.join(QStringLiteral(", "))));
        });

    bot.addCommand(QStringLiteral("uptime"), QStringLiteral("- how long the bot has run"),
        [](const CommandContext &ctx) {
            ctx.reply(QStringLiteral("up %1").arg(formatDuration(ctx.bot->uptimeMs())));
        });
}

} // namespace Palaver::Bot
