// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/client.h>

#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <memory>

namespace Palaver {
class TokenStore;
}

namespace Palaver::Bot {

class CommandBot;
class JsonEvents;
class LoadRunner;
class RoomPresence;
class SignalWatcher;
class StdinSender;

//! The exit codes of palaver-bot.
enum ExitCode {
    ExitOk = 0,
    ExitUsage = 2,
    ExitAuthRefused = 3,
    ExitGaveUp = 4,
    ExitUnacked = 5,
};

struct BotOptions {
    QList<QUrl> urls; //!< the first, then the failover servers, in order
    QString tokenFile;
    QString keychainAccount = QStringLiteral("palaver-bot");
    QStringList joinRooms;
    QString name = QStringLiteral("palaver-bot");
    Client::Parser parser = Client::Parser::Json;
    bool json = false;
    bool commands = true;
    QString mentionReaction; //!< --react-to-mentions; empty: no reactions
    QString stdinRoom;
    QString outboxPath;
    QString storeDirectory; //!< --store: Client::setStoreDirectory()
    int maxAttempts = 0;
    int reconnectDelayMs = 0; //!< 0: the ReconnectPolicy's defaults
    int flushTimeoutMs = 5000;
    bool verbose = false;
    // --load
    int loadConnections = 0;
    double loadRate = 10;
    double loadDuration = 10;
    int loadConcurrency = 64;
    QString loadRoom;
    QByteArray loadSecret;
};

//! Parses the command line. On failure returns false with the message in `error`; `exitNow`
//! is set with the exit code when --help or --version already answered.
bool parseArguments(
    const QStringList &arguments, BotOptions *options, QString *error, int *exitNow);

//! One run of palaver-bot: get a token, connect, answer commands / send stdin / run the load,
//! and leave cleanly on SIGINT/SIGTERM. Ends with QCoreApplication::exit(code).
class BotApp : public QObject {
    Q_OBJECT
public:
    explicit BotApp(BotOptions options, QObject *parent = nullptr);
    ~BotApp() override;

    void start();

private:
    void resolveToken();
    void run(const QString &token);
    void runLoad(const QString &token);
    //! Flush the outbox (bounded), leave the rooms, close, exit with `code` (5 when messages
    //! are still unacknowledged and nothing worse happened).
    void shutdown(int code);
    void leaveAndExit();
    void exitNow(int code);

    BotOptions m_options;
    std::unique_ptr<Client> m_client;
    std::unique_ptr<TokenStore> m_tokenStore;
    CommandBot *m_bot = nullptr;
    RoomPresence *m_presence = nullptr;
    JsonEvents *m_json = nullptr;
    StdinSender *m_stdin = nullptr;
    LoadRunner *m_load = nullptr;
    SignalWatcher *m_signals = nullptr;
    QTimer m_shutdownTimer;
    int m_exitCode = 0;
    int m_refused = 0;
    bool m_shuttingDown = false;
    bool m_exited = false;
};

} // namespace Palaver::Bot
