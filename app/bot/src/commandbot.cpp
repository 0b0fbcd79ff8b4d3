// SPDX-License-Identifier: MIT
#include "logging_p.h"
#include <Palaver/Bot/commandbot.h>
#include <Palaver/Bot/roompresence.h>
#include <Palaver/client.h>
#include <Palaver/room.h>

#include <QMap>
#include <QRegularExpression>

#include <algorithm>

namespace Palaver::Bot {

namespace {

struct Command {
    QString usage;
    CommandBot::Handler handler;
};

// Cuts `text` to at most `max` code points without splitting a surrogate pair.
QString truncated(const QString &text, int max)
{
    if (max <= 0 || text.size() <= max) // UTF-16 length >= code points
        return text;
    int points = 0;
    for (int i = 0; i < text.size(); ++i) {
        if (text.at(i).isLowSurrogate())
            continue;
        if (++points > max)
            return text.left(i);
    }
    return text;
}

} // namespace

class CommandBot::Private {
public:
    Client *client = nullptr;
    RoomPresence *presence = nullptr;
    QMap<QString, Command> commands; // sorted for /help
    QString replyPrefix = QStringLiteral("[palaver-bot] ");
    QString mentionReaction;
    QHash<QString, qint64> lastSeq; // per room: live messages at or below were seen
    int maxContent = 4000;
    QElapsedTimer uptime;
};

void CommandContext::reply(const QString &text) const
{
    if (bot)
        bot->reply(message.roomId, text);
}

CommandBot::CommandBot(Client *client, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->client = client;
    d->presence = new RoomPresence(client, this);
    d->uptime.start();

    connect(client, &Client::sessionReady, this, [this](const QVariantMap &session) {
        const int max = session.value(QStringLiteral("limits"))
                            .toMap()
                            .value(QStringLiteral("maxContentLength"))
                            .toInt();
        if (max > 0)
            d->maxContent = max;
    });
    // The join ack carries the room's latest messages: they are history, never answered, and
    // they set where live messages start (again after every re-join, so a server that lost
    // its history does not silence the bot).
    const auto onJoined = [this](const QString &roomId, const QVariantMap &ack) {
        qint64 last = 0;
        for (const QVariant &m : ack.value(QStringLiteral("messages")).toList())
            last = std::max(last, m.toMap().value(QStringLiteral("seq")).toLongLong());
        d->lastSeq.insert(roomId, last);
    };
    connect(client, &Client::roomJoined, this, onJoined);
    connect(client, &Client::roomRejoined, this, onJoined);
    connect(client, &Client::messageReceived, this, &CommandBot::handleMessage);

    addCommand(QStringLiteral("help"), QStringLiteral("- list the commands"),
        [](const CommandContext &ctx) { ctx.reply(ctx.bot->helpText()); });
}

CommandBot::~CommandBot() = default;

Client *CommandBot::client() const
{
    return d->client;
}

RoomPresence *CommandBot::presence() const
{
    return d->presence;
}

void CommandBot::addCommand(const QString &name, const QString &usage, Handler handler)
{
    d->commands.insert(name.toLower(), { usage, std::move(handler) });
}

bool CommandBot::hasCommand(const QString &name) const
{
    return d->commands.contains(name.toLower());
}

QStringList CommandBot::commandNames() const
{
    return d->commands.keys();
}

QString CommandBot::helpText() const
{
    QStringList lines;
    for (auto it = d->commands.cbegin(); it != d->commands.cend(); ++it)
        lines.append(QLatin1Char('/') + it.key()
            + (it->usage.isEmpty() ? QString() : QLatin1Char(' ') + it->usage));
    return QStringLiteral("commands: ") + lines.join(QStringLiteral("; "));
}

QString CommandBot::replyPrefix() const
{
    return d->replyPrefix;
}

void CommandBot::setReplyPrefix(const QString &prefix)
{
    d->replyPrefix = prefix;
}

QString CommandBot::userId() const
{
    const QString id = d->client->userId();
    return id.isEmpty() ? d->presence->userId() : id;
}

qint64 CommandBot::uptimeMs() const
{
    return d->uptime.elapsed();
}

QString CommandBot::mentionReaction() const
{
    return d->mentionReaction;
}

void CommandBot::setMentionReaction(const QString &emoji)
{
    d->mentionReaction = emoji;
}

void CommandBot::reactToMention(const Message &message)
{
    // The server says who is mentioned (the users it knows), so an e-mail address or "@botany"
    // does not count.
    if (d->mentionReaction.isEmpty() || message.id.isEmpty()
        || !message.mentions.contains(userId()))
        return;
    Room *room = d->client->room(message.roomId);
    if (!room)
        return;
    const Message reacted = room->react(message.id, d->mentionReaction);
    if (reacted.status == Message::Status::Failed) {
        qCWarning(Log::bot) << "cannot react to a mention in" << message.roomId << ":"
                            << reacted.error;
        return;
    }
    Q_EMIT mentionReacted(message.roomId, message.id, d->mentionReaction);
}

bool CommandBot::reply(const QString &roomId, const QString &text)
{
    const QUuid id
        = d->client->sendMessage(roomId, truncated(d->replyPrefix + text, d->maxContent));
    if (id.isNull()) {
        qCWarning(Log::bot) << "a reply to" << roomId << "could not be queued";
        return false;
    }
    return true;
}

bool CommandBot::handleMessage(const Message &message)
{
    if (message.status != Message::Status::Sent)
        return false;
    // Never ourselves, never a bot's reply (ours or one with the same prefix): no loops.
    if (!userId().isEmpty() && message.authorId == userId())
        return false;
    if (!d->replyPrefix.isEmpty() && message.content.startsWith(d->replyPrefix))
        return false;
    if (message.seq > 0) {
        auto it = d->lastSeq.find(message.roomId);
        if (it != d->lastSeq.end()) {
            if (message.seq <= *it)
                return false; // replayed or already answered
            *it = message.seq;
        } else {
            d->lastSeq.insert(message.roomId, message.seq);
        }
    }
    static const QRegularExpression nameRe(QStringLiteral("^/([A-Za-z0-9_-]{1,32})(?:\\s+|$)"));
    const QRegularExpressionMatch match = message.content.startsWith(QLatin1Char('/'))
        ? nameRe.match(message.content)
        : QRegularExpressionMatch();
    if (!match.hasMatch()) {
        // A command is answered by its reply; only other messages get the reaction.
        reactToMention(message);
        return false;
    }
    CommandContext ctx;
    ctx.bot = this;
    ctx.message = message;
    ctx.command = match.captured(1).toLower();
    ctx.argument = message.content.mid(match.capturedEnd()).trimmed();
    ctx.arguments
        = ctx.argument.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);

    const auto it = d->commands.constFind(ctx.command);
    // Only a registered name is logged: anything else is the user's text.
    qCDebug(Log::bot) << "command"
                      << (it == d->commands.cend() ? QStringLiteral("(unknown)") : ctx.command)
                      << "in" << message.roomId;
    if (it == d->commands.cend())
        ctx.reply(QStringLiteral("unknown command /%1; try /help").arg(ctx.command));
    else
        it->handler(ctx);
    Q_EMIT commandHandled(message.roomId, ctx.command, message.authorId);
    return true;
}

} // namespace Palaver::Bot
