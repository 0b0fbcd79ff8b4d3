// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/message.h>

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>

namespace Palaver {
class Client;
}

namespace Palaver::Bot {

class CommandBot;
class RoomPresence;

//! One command as it arrived: who asked, where, and with what. `reply()` answers in the room.
struct CommandContext {
    CommandBot *bot = nullptr;
    Message message; //!< the message that carried the command
    QString command; //!< the command's name, without the slash, lower case
    QString argument; //!< everything after the name, trimmed
    QStringList arguments; //!< `argument` split on white space

    QString roomId() const { return message.roomId; }
    QString userId() const { return message.authorId; }
    QString userName() const { return message.authorName; }
    //! Answers in the command's room, through the Client's outbox, with the bot's reply prefix.
    void reply(const QString &text) const;
};

//! A bot that answers `/commands` in the rooms its Client has joined.
//!
//! \code
//! Palaver::Client client;
//! Palaver::Bot::CommandBot bot(&client);
//! bot.addCommand(QStringLiteral("hello"), QStringLiteral("- say hello"),
//!     [](const Palaver::Bot::CommandContext &ctx) { ctx.reply(QStringLiteral("hello ") +
//!     ctx.userName()); });
//! client.joinRoom(QStringLiteral("general"));
//! client.open();
//! \endcode
//!
//! It never answers itself (messages whose author is the Client's user, as `session:ready`
//! names it) nor anything that starts with its reply prefix (so two bots cannot talk in a loop),
//! answers each live message at most once (by room and seq: a replay after a reconnect is not
//! answered again) and never answers history. `/help` is built in. The same rules hold for the
//! reaction to a mention (setMentionReaction()).
class CommandBot : public QObject {
    Q_OBJECT

public:
    using Handler = std::function<void(const CommandContext &)>;

    //! `client` is not owned; it must outlive the bot.
    explicit CommandBot(Client *client, QObject *parent = nullptr);
    ~CommandBot() override;

    Client *client() const;
    //! Who is in which room and who is online, kept from the Client's events.
    RoomPresence *presence() const;

    //! Registers `/name`. `usage` is shown by /help after the name (e.g. "NdM - roll dice").
    //! A later registration of the same name replaces the earlier one.
    void addCommand(const QString &name, const QString &usage, Handler handler);
    bool hasCommand(const QString &name) const;
    QStringList commandNames() const;
    //! The /help text: one line per command, sorted.
    QString helpText() const;

    //! Put before every reply, and the mark by which the bot ignores replies (its own or another
    //! bot's with the same prefix). Default "[palaver-bot] ".
    QString replyPrefix() const;
    void setReplyPrefix(const QString &prefix);

    //! The user id of the Client's session (empty before the first `session:ready`).
    QString userId() const;
    //! Time since the bot was created, in ms.
    qint64 uptimeMs() const;

    //! The emoji the bot reacts with to a live message that mentions it (its user id among the
    //! message's `mentions`, contract v1.1) and is not a command (a command gets its reply
    //! instead); empty (the default): it does not react.
    QString mentionReaction() const;
    void setMentionReaction(const QString &emoji);

    //! Sends `prefix + text` to `roomId` through the outbox. Returns false when it was not queued.
    bool reply(const QString &roomId, const QString &text);

    //! Handles one message as if it had just arrived (what the bot does for messageReceived()):
    //! runs its command, or reacts to it if it mentions the bot (see setMentionReaction()).
    //! Returns whether a command ran.
    bool handleMessage(const Message &message);

Q_SIGNALS:
    //! A command ran (or an unknown one got its answer); `command` without the slash.
    void commandHandled(const QString &roomId, const QString &command, const QString &userId);
    //! The bot reacted with mentionReaction() to `messageId`, which mentioned it (the reaction
    //! goes through the outbox like a reply).
    void mentionReacted(const QString &roomId, const QString &messageId, const QString &emoji);

private:
    void reactToMention(const Message &message);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace Palaver::Bot
