// SPDX-License-Identifier: MIT
#include "botapp.h"

#include "jsonevents.h"
#include "loadrunner.h"
#include "logging_p.h"
#include "signalwatcher.h"
#include "stdinsender.h"
#include <Palaver/Bot/commandbot.h>
#include <Palaver/Bot/roompresence.h>
#include <Palaver/Bot/standardcommands.h>
#include <Palaver/tokenstore.h>

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFuture>

#include <algorithm>
#include <cstdio>
#include <memory>

namespace Palaver::Bot {

namespace {

bool isAuthRefusal(Client::Error e)
{
    return e == Client::Error::AuthRequired || e == Client::Error::InvalidToken
        || e == Client::Error::TokenExpired || e == Client::Error::ConnectionRejected;
}

} // namespace

bool parseArguments(const QStringList &arguments, BotOptions *o, QString *error, int *exitNow)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral(
        "Palaver headless bot: answers /help, /echo, /ping, /roll, /who, /uptime in the rooms it "
        "joins (--join ROOM); sends standard input to a room (--stdin ROOM); or load-tests a "
        "server (--load N ROOM).\n"
        "Several --url options form a failover list: each reconnection attempt after a failure "
        "moves to the next URL (in --load mode too).\n"
        "Token: --token-file, else $PALAVER_TOKEN, else the keychain (--account).\n"
        "Exit codes: 0 done, 2 usage, 3 auth refused, 4 gave up connecting, "
        "5 messages left unacked."));
    const QCommandLineOption help = p.addHelpOption();
    const QCommandLineOption version = p.addVersionOption();
    const auto opt = [&p](const char *name, const char *description,
                         const char *valueName = nullptr) {
        QCommandLineOption option(QString::fromLatin1(name), QString::fromLatin1(description));
        if (valueName)
            option.setValueName(QString::fromLatin1(valueName));
        p.addOption(option);
        return option;
    };
    const auto url = opt("url",
        "Server URL (ws, wss, http or https). Repeat it for failover: each reconnection attempt "
        "after a failure moves to the next.",
        "URL");
    const auto tokenFile = opt("token-file", "Read the token from this file.", "F");
    const auto account
        = opt("account", "Keychain account of the token (default palaver-bot).", "NAME");
    const auto join = opt("join", "Join this room and answer commands there (repeatable).", "ROOM");
    const auto name = opt("name", "The bot's name; replies start with \"[NAME] \".", "NAME");
    const auto parser
        = opt("parser", "Socket.IO parser: json (default) or msgpack.", "json|msgpack");
    const auto json = opt("json", "Print every event as one JSON object per line on stdout.");
    const auto noCommands = opt("no-commands", "Answer no commands.");
    const auto reactToMentions = opt("react-to-mentions",
        "React with EMOJI to each live message that mentions the bot (@ and its user id).",
        "EMOJI");
    const auto stdinRoom = opt("stdin",
        "Send each line of standard input to ROOM; exit when all are acknowledged.", "ROOM");
    const auto store = opt("store",
        "Keep the account's data in a file of its own in DIR: its outbox, its rooms and where "
        "each was read to (a restart goes on from there, printing each missed message once).",
        "DIR");
    const auto outbox
        = opt("outbox", "Keep the outbox in this SQLite file (survives restarts).", "FILE");
    const auto maxAttempts
        = opt("max-attempts", "Give up (exit 4) after N failed connection attempts; 0 never.", "N");
    const auto reconnectDelay = opt("reconnect-delay",
        "Wait about MS before the first reconnection attempt, backing off up to 5 x MS "
        "(default 1000; not with --load).",
        "MS");
    const auto flushTimeout = opt("flush-timeout",
        "On SIGINT/SIGTERM, wait this long for unacknowledged messages (default 5000).", "MS");
    const auto verbose = opt("verbose",
        "Log the SDK's state changes (palaver.*.info) on stderr; QT_LOGGING_RULES still wins.");
    const auto load
        = opt("load", "Load test: N connections in this process (room as the argument).", "N");
    const auto rate = opt("rate", "Load test: messages per second, in total (default 10).", "R");
    const auto duration = opt("duration", "Load test: seconds of sending (default 10).", "S");
    const auto concurrency = opt(
        "concurrency", "Load test: connections being opened at once, at most (default 64).", "N");
    const auto secret = opt("secret",
        "Load test: mint a token per connection with this HS256 secret (users load-1..load-N).",
        "S");
    // The usage line names the modes: ROOM is a positional argument of --load only.
    p.addPositionalArgument(QStringLiteral("ROOM"),
        QStringLiteral("With --load only: the room of the load test. (--join and --stdin take "
                       "their room as the option's value.)"),
        QStringLiteral("--url URL... [--join ROOM]... [--stdin ROOM]\n       %1 [options] --url "
                       "URL... --load N ROOM")
            .arg(arguments.value(0, QStringLiteral("palaver-bot"))));

    if (!p.parse(arguments)) {
        *error = p.errorText();
        return false;
    }
    if (p.isSet(help) || p.isSet(QStringLiteral("help-all"))) {
        std::fputs(qPrintable(p.helpText()), stdout);
        *exitNow = ExitOk;
        return false;
    }
    if (p.isSet(version)) {
        std::printf("palaver-bot %s\n", qPrintable(QCoreApplication::applicationVersion()));
        *exitNow = ExitOk;
        return false;
    }

    const auto number = [&](const QCommandLineOption &option, double min, double max, double *out) {
        if (!p.isSet(option))
            return true;
        bool ok = false;
        const double v = p.value(option).toDouble(&ok);
        if (!ok || v < min || v > max) {
            *error = QStringLiteral("--%1 needs a number from %2 to %3")
                         .arg(option.names().first())
                         .arg(min)
                         .arg(max);
            return false;
        }
        *out = v;
        return true;
    };

    const QStringList urls = p.values(url);
    if (urls.isEmpty()) {
        *error = QStringLiteral("--url is required: a ws, wss, http or https URL with a host");
        return false;
    }
    o->urls.clear();
    for (const QString &text : urls) {
        const QUrl u(text, QUrl::StrictMode);
        if (!Client::endpointUrl(u).isValid()) {
            // Without user info and query: they may hold credentials.
            *error = QStringLiteral("--url %1 is not a ws, wss, http or https URL with a host")
                         .arg(u.isValid() ? u.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery)
                                          : QStringLiteral("number %1").arg(o->urls.size() + 1));
            return false;
        }
        o->urls.append(u);
    }
    o->tokenFile = p.value(tokenFile);
    if (p.isSet(account))
        o->keychainAccount = p.value(account);
    o->joinRooms = p.values(join);
    if (p.isSet(name)) {
        o->name = p.value(name).trimmed();
        if (o->name.isEmpty()) {
            *error = QStringLiteral("--name must not be empty");
            return false;
        }
    }
    if (p.isSet(parser)) {
        if (p.value(parser) == QLatin1String("json")) {
            o->parser = Client::Parser::Json;
        } else if (p.value(parser) == QLatin1String("msgpack")) {
            o->parser = Client::Parser::MessagePack;
        } else {
            *error = QStringLiteral("--parser must be json or msgpack");
            return false;
        }
    }
    o->json = p.isSet(json);
    o->commands = !p.isSet(noCommands);
    if (p.isSet(reactToMentions)) {
        o->mentionReaction = p.value(reactToMentions);
        // The server's rule for an emoji (1..16 code points, no white space), checked here so
        // that a typo is a usage error at start rather than a refusal per mention.
        const QString &emoji = o->mentionReaction;
        const auto points = emoji.toUcs4();
        const bool blank = std::any_of(points.begin(), points.end(), [](char32_t c) {
            return QChar::isSpace(c) || QChar::category(c) == QChar::Other_Control;
        });
        if (points.isEmpty() || points.size() > 16 || blank) {
            *error = QStringLiteral(
                "--react-to-mentions needs an emoji of 1 to 16 characters without spaces");
            return false;
        }
        if (!o->commands) {
            *error = QStringLiteral("--react-to-mentions and --no-commands do not go together");
            return false;
        }
    }
    o->stdinRoom = p.value(stdinRoom);
    o->outboxPath = p.value(outbox);
    o->storeDirectory = p.value(store);
    if (!o->outboxPath.isEmpty() && !o->storeDirectory.isEmpty()) {
        *error = QStringLiteral("--store and --outbox do not go together");
        return false;
    }
    o->verbose = p.isSet(verbose);
    double v = 0;
    if (!number(maxAttempts, 0, 1000000, &v))
        return false;
    o->maxAttempts = int(v);
    v = 0;
    if (!number(reconnectDelay, 1, 600000, &v))
        return false;
    o->reconnectDelayMs = int(v);
    v = o->flushTimeoutMs;
    if (!number(flushTimeout, 0, 3600000, &v))
        return false;
    o->flushTimeoutMs = int(v);

    const QStringList positional = p.positionalArguments();
    if (p.isSet(load)) {
        v = 0;
        if (!number(load, 1, 10000, &v) || !number(rate, 0.001, 100000, &o->loadRate)
            || !number(duration, 0.001, 86400, &o->loadDuration))
            return false;
        o->loadConnections = int(v);
        v = o->loadConcurrency;
        if (!number(concurrency, 1, 10000, &v))
            return false;
        o->loadConcurrency = int(v);
        if (positional.size() != 1) {
            *error = QStringLiteral("--load needs exactly one ROOM argument");
            return false;
        }
        o->loadRoom = positional.first();
        o->loadSecret = p.value(secret).toUtf8();
        if (!o->stdinRoom.isEmpty()) {
            *error = QStringLiteral("--load and --stdin do not go together");
            return false;
        }
        if (p.isSet(reconnectDelay)) {
            *error = QStringLiteral("--load and --reconnect-delay do not go together");
            return false;
        }
        if (p.isSet(reactToMentions)) {
            *error = QStringLiteral("--load and --react-to-mentions do not go together");
            return false;
        }
    } else {
        if (!positional.isEmpty()) {
            *error = QStringLiteral("unexpected argument %1").arg(positional.first());
            return false;
        }
        if (p.isSet(rate) || p.isSet(duration) || p.isSet(secret) || p.isSet(concurrency)) {
            *error
                = QStringLiteral("--rate, --duration, --concurrency and --secret belong to --load");
            return false;
        }
    }
    return true;
}

BotApp::BotApp(BotOptions options, QObject *parent) : QObject(parent), m_options(std::move(options))
{
    m_shutdownTimer.setSingleShot(true);
}

BotApp::~BotApp() = default;

void BotApp::start()
{
    m_signals = new SignalWatcher(this);
    connect(m_signals, &SignalWatcher::terminationRequested, this, [this](int signalNumber) {
        if (m_shuttingDown) {
            // A second signal: the user means it.
            exitNow(m_exitCode != ExitOk ? m_exitCode : ExitUnacked);
            return;
        }
        qCInfo(Log::bot) << "signal" << signalNumber << "- leaving";
        shutdown(ExitOk);
    });
    if (m_options.json)
        m_json = new JsonEvents(this);
    resolveToken();
}

void BotApp::resolveToken()
{
    if (m_options.loadConnections > 0 && !m_options.loadSecret.isEmpty()) {
        runLoad({});
        return;
    }
    if (!m_options.tokenFile.isEmpty()) {
        QFile file(m_options.tokenFile);
        if (!file.open(QIODevice::ReadOnly)) {
            qCCritical(Log::bot) << "cannot read the token file" << m_options.tokenFile;
            exitNow(ExitUsage);
            return;
        }
        const QString token = QString::fromUtf8(file.readAll()).trimmed();
        m_options.loadConnections > 0 ? runLoad(token) : run(token);
        return;
    }
    const QString env = qEnvironmentVariable("PALAVER_TOKEN").trimmed();
    if (!env.isEmpty()) {
        m_options.loadConnections > 0 ? runLoad(env) : run(env);
        return;
    }
    qCInfo(Log::bot) << "no --token-file or PALAVER_TOKEN; asking the keychain for account"
                     << m_options.keychainAccount;
    m_tokenStore = std::make_unique<TokenStore>();
    // A secret service that never answers must not hang a headless process.
    connect(&m_shutdownTimer, &QTimer::timeout, this, [this] {
        qCCritical(Log::bot) << "the keychain did not answer";
        exitNow(ExitAuthRefused);
    });
    m_shutdownTimer.start(15000);
    m_tokenStore->load(m_options.keychainAccount, [this](const TokenStore::Result &r) {
        m_shutdownTimer.stop();
        m_shutdownTimer.disconnect();
        if (!r.ok() || r.token.isEmpty()) {
            qCCritical(Log::bot) << "no token: not in the keychain:" << r.errorString;
            exitNow(ExitAuthRefused);
            return;
        }
        m_options.loadConnections > 0 ? runLoad(r.token) : run(r.token);
    });
}

void BotApp::run(const QString &token)
{
    m_client = std::make_unique<Client>();
    Client *client = m_client.get();
    client->setUrls(m_options.urls);
    client->setToken(token);
    client->setParser(m_options.parser);
    ReconnectPolicy policy = client->reconnectPolicy();
    policy.setMaxAttempts(m_options.maxAttempts);
    if (m_options.reconnectDelayMs > 0) {
        policy.setInitialDelay(m_options.reconnectDelayMs);
        policy.setMaxDelay(5 * m_options.reconnectDelayMs);
    }
    client->setReconnectPolicy(policy);
    if (!m_options.storeDirectory.isEmpty()) {
        client->setStoreDirectory(m_options.storeDirectory);
        if (!client->storeFileName().isEmpty())
            qCInfo(Log::bot) << "account store:" << client->storeFileName();
    }
    if (!m_options.outboxPath.isEmpty() && !client->setOutboxPath(m_options.outboxPath)) {
        qCCritical(Log::bot) << "cannot open the outbox" << m_options.outboxPath;
        exitNow(ExitUsage);
        return;
    }

    if (m_options.commands) {
        m_bot = new CommandBot(client, this);
        m_bot->setReplyPrefix(QLatin1Char('[') + m_options.name + QStringLiteral("] "));
        addStandardCommands(*m_bot);
        m_bot->setMentionReaction(m_options.mentionReaction);
        m_presence = m_bot->presence();
    } else {
        m_presence = new RoomPresence(client, this);
    }
    if (m_json) {
        m_json->watch(client);
        m_json->watch(m_presence);
        if (m_bot)
            m_json->watch(m_bot);
    }

    connect(client, &Client::failed, this, [this](Client::Error error) {
        qCWarning(Log::bot) << "gave up:" << error << m_client->errorString();
        if (isAuthRefusal(error))
            shutdown(ExitAuthRefused);
        else if (error == Client::Error::InvalidUrl)
            shutdown(ExitUsage);
        else
            shutdown(ExitGaveUp);
    });
    connect(client, &Client::sessionReady, this, [](const QVariantMap &session) {
        qCInfo(Log::bot)
            << "session ready for user"
            << session.value(QStringLiteral("user")).toMap().value(QStringLiteral("id")).toString();
    });
    connect(client, &Client::roomJoinFailed, this,
        [](const QString &roomId, const QString &code, const QString &) {
            qCWarning(Log::bot) << "cannot join" << roomId << ":" << code;
        });
    connect(client, &Client::messageRefused, this,
        [this](const QUuid &, const QString &code, const QString &) {
            ++m_refused;
            qCWarning(Log::bot) << "a message was refused:" << code;
        });

    for (const QString &room : std::as_const(m_options.joinRooms))
        client->joinRoom(room);
    if (!m_options.stdinRoom.isEmpty()) {
        client->joinRoom(m_options.stdinRoom);
        m_stdin = new StdinSender(client, m_options.stdinRoom, this);
        connect(m_stdin, &StdinSender::finished, this, [this] {
            if (m_json)
                JsonEvents::print(QStringLiteral("eof"),
                    { { QStringLiteral("lines"), m_stdin->linesRead() },
                        { QStringLiteral("refused"), m_refused } });
            shutdown(m_refused > 0 ? ExitUnacked : ExitOk);
        });
        m_stdin->start();
    }
    QStringList servers;
    for (const QUrl &u : std::as_const(m_options.urls))
        servers.append(u.toString(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
    qCInfo(Log::bot) << "connecting to" << servers.join(QStringLiteral(", "));
    client->open();
}

void BotApp::runLoad(const QString &token)
{
    LoadOptions lo;
    lo.urls = m_options.urls;
    lo.roomId = m_options.loadRoom;
    lo.connections = m_options.loadConnections;
    lo.rate = m_options.loadRate;
    lo.durationSecs = m_options.loadDuration;
    lo.concurrency = m_options.loadConcurrency;
    lo.token = token;
    lo.secret = m_options.loadSecret;
    lo.parser = m_options.parser;
    m_load = new LoadRunner(lo, this);
    connect(m_load, &LoadRunner::finished, this, [this](int code) {
        if (m_json)
            JsonEvents::print(QStringLiteral("load"), m_load->results());
        else
            std::fputs(qPrintable(m_load->summary()), stdout);
        std::fflush(stdout);
        // Let the clients' DISCONNECT frames go out before the process ends.
        QTimer::singleShot(200, this, [this, code] { exitNow(code); });
    });
    m_load->start();
}

void BotApp::shutdown(int code)
{
    if (m_shuttingDown) {
        if (m_exitCode == ExitOk)
            m_exitCode = code;
        return;
    }
    m_shuttingDown = true;
    m_exitCode = code;
    if (m_load) {
        m_load->stop(); // its finished() prints the results and exits
        return;
    }
    if (!m_client) { // still waiting for the keychain
        exitNow(code);
        return;
    }
    // 1. Let the outbox drain (bounded): lines and replies already accepted should arrive.
    if (m_client->isActive() && m_client->pendingMessageCount() > 0) {
        qCInfo(Log::bot) << "waiting up to" << m_options.flushTimeoutMs << "ms for"
                         << m_client->pendingMessageCount() << "unacknowledged messages";
        const auto done = [this] {
            if (m_client->pendingMessageCount() == 0 || !m_client->isActive()) {
                m_shutdownTimer.stop();
                m_shutdownTimer.disconnect();
                disconnect(m_client.get(), &Client::pendingMessageCountChanged, this, nullptr);
                leaveAndExit();
            }
        };
        connect(m_client.get(), &Client::pendingMessageCountChanged, this, done);
        connect(&m_shutdownTimer, &QTimer::timeout, this, [this] {
            disconnect(m_client.get(), &Client::pendingMessageCountChanged, this, nullptr);
            m_shutdownTimer.disconnect();
            leaveAndExit();
        });
        m_shutdownTimer.start(m_options.flushTimeoutMs);
        return;
    }
    leaveAndExit();
}

void BotApp::leaveAndExit()
{
    const int pending = m_client->pendingMessageCount();
    const int code = (m_exitCode == ExitOk && pending > 0) ? ExitUnacked : m_exitCode;
    const QStringList rooms = m_client->joinedRooms();
    // With --store the rooms stay kept: the next run joins them again and goes on from where
    // this one stopped (leaving would forget them, and their markers, in the account's file).
    if (m_client->state() != Client::State::Connected || rooms.isEmpty()
        || !m_options.storeDirectory.isEmpty()) {
        m_client->close();
        exitNow(code);
        return;
    }
    // 2. Leave the rooms (bounded), so the others see us go before the socket closes.
    auto remaining = std::make_shared<int>(int(rooms.size()));
    const auto finishOne = [this, remaining, code] {
        if (--*remaining == 0 && !m_exited) {
            m_client->close();
            exitNow(code);
        }
    };
    for (const QString &room : rooms)
        m_client->leaveRoom(room).then(this, [finishOne](const AckResult &) { finishOne(); });
    QTimer::singleShot(2000, this, [this, code] {
        if (!m_exited) {
            m_client->close();
            exitNow(code);
        }
    });
}

void BotApp::exitNow(int code)
{
    if (m_exited)
        return;
    m_exited = true;
    if (m_client && code != ExitOk)
        qCInfo(Log::bot) << "exit" << code << "with" << m_client->pendingMessageCount()
                         << "messages unacknowledged";
    if (m_json)
        JsonEvents::print(QStringLiteral("exit"),
            { { QStringLiteral("code"), code },
                { QStringLiteral("pending"), m_client ? m_client->pendingMessageCount() : 0 } });
    QCoreApplication::exit(code);
}

} // namespace Palaver::Bot
