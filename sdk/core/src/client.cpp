// SPDX-License-Identifier: MIT
// The public facade: every call is handed to the part of the Client that does the job (see
// client_p.h).
#include "accountfile_p.h"
#include "client_p.h"
#include "logging_p.h"
#include "roomdirectory_p.h"
#include <Palaver/client.h>

#include <QDir>
#include <QFile>
#include <QMetaMethod>
#include <QPromise>
#include <QUrlQuery>

namespace Palaver {

ClientCore::ClientCore(Client *q)
    : q(q), connection(*this), requests(*this), events(*this), outbox(*this)
{
    rooms = new RoomDirectory(*this);
}

ClientCore::~ClientCore() = default;

void ClientCore::followAccount()
{
    if (storeDirectory.isEmpty())
        return;
    const QString user = confirmedUser.isEmpty() ? jwtSubject(connection.token) : confirmedUser;
    const QUrl server = connection.urls.value(0); // the others are nodes of the same server
    if (user.isEmpty() || !server.isValid() || server.host().isEmpty())
        return; // not known yet: a token provider's token, or session:ready, will tell
    const QString file = QDir(storeDirectory).filePath(accountFileName(server, user));
    if (file == outbox.path || file == storeFailedFor)
        return;
    if (!QDir().mkpath(storeDirectory)) {
        storeFailedFor = file;
        connection.raise(Client::Error::StoreError,
            QStringLiteral("Cannot create the store folder %1").arg(storeDirectory));
        return;
    }
    qCDebug(Log::client) << "store: the account's file is"
                         << QDir(storeDirectory).relativeFilePath(file);
    commitStore(); // what the previous account's file collected
    // Another account's file was open: nothing of that account stays in this Client's rooms,
    // and nothing of it goes into this account's file.
    if (store.isOpen() && store.path() != file)
        rooms->forgetAccount(user);
    const bool existed = QFile::exists(file);
    if (!store.open(file)) {
        // Not a store (corrupted), or not writable: the queue stays in memory, nothing is lost
        // of it, and the file is left as it is for the user to look at.
        storeFailedFor = file;
        connection.raise(Client::Error::StoreError,
            store.errorString() + QStringLiteral("; going on without a local store"));
        return;
    }
    storeFailedFor.clear();
    if (!existed) // chat history and recovery ids: the owner's only
        QFile::setPermissions(file, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    outbox.moveTo(file);
    rooms->restoreFromStore();
    Q_EMIT q->storeFileNameChanged();
}

void ClientCore::commitStore()
{
    if (store.commit())
        return;
    const QString why = store.errorString();
    storeFailedFor = store.path();
    store.close();
    connection.raise(
        Client::Error::StoreError, why + QStringLiteral("; going on without a local store"));
}

bool Client::Private::listensToEveryEvent() const
{
    static const QMetaMethod eventSignal = QMetaMethod::fromSignal(&Client::eventReceived);
    return q->isSignalConnected(eventSignal);
}

bool Client::Private::listensToMessages() const
{
    static const QMetaMethod messageSignal = QMetaMethod::fromSignal(&Client::messageReceived);
    return q->isSignalConnected(messageSignal);
}

// ---------------------------------------------------------------------------------------------
// Client

Client::Client(QObject *parent) : QObject(parent), d(std::make_unique<Private>(this))
{
    connect(d->rooms, &RoomDirectory::userChanged, this, [this] {
        if (const QString user = d->rooms->userId(); !user.isEmpty()) {
            d->confirmedUser = user;
            d->followAccount();
        }
        Q_EMIT userChanged();
    });
    connect(d->rooms, &RoomDirectory::limitsChanged, this, &Client::limitsChanged);
    connect(d->rooms, &RoomDirectory::featuresChanged, this, &Client::featuresChanged);
    connect(d->rooms, &RoomDirectory::onlineUsersChanged, this, &Client::onlineUsersChanged);
    connect(d->rooms, &RoomDirectory::presenceChanged, this, &Client::presenceChanged);
}

Client::~Client()
{
    d->connection.shutdown();
    d->rooms->saveToStore(); // what this turn did, unless the app ends before it ends
    d->store.commit();
}

QUrl Client::url() const
{
    return d->connection.urls.value(d->connection.urlIndex);
}

QList<QUrl> Client::urls() const
{
    return d->connection.urls;
}

void Client::setUrl(const QUrl &url)
{
    setUrls({ url });
}

void Client::setUrls(const QList<QUrl> &urls)
{
    if (d->connection.urls == urls)
        return;
    d->connection.urls = urls;
    d->connection.urlIndex = 0;
    d->confirmedUser.clear();
    d->followAccount();
    Q_EMIT urlChanged();
}

QUrl Client::endpointUrl(const QUrl &input)
{
    QUrl url = input;
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("http"))
        url.setScheme(QStringLiteral("ws"));
    else if (scheme == QLatin1String("https"))
        url.setScheme(QStringLiteral("wss"));
    else if (scheme == QLatin1String("ws") || scheme == QLatin1String("wss"))
        url.setScheme(scheme);
    else
        return {};
    if (url.host().isEmpty() || !url.isValid())
        return {};
    QString path = url.path();
    if (path.isEmpty() || path == QLatin1String("/"))
        path = QStringLiteral("/socket.io/");
    else if (!path.endsWith(QLatin1Char('/')))
        path += QLatin1Char('/'); // servers match the prefix with the slash; without, no answer
    url.setPath(path);
    QUrlQuery query(url);
    query.removeAllQueryItems(QStringLiteral("EIO"));
    query.removeAllQueryItems(QStringLiteral("transport"));
    query.addQueryItem(QStringLiteral("EIO"), QStringLiteral("4"));
    query.addQueryItem(QStringLiteral("transport"), QStringLiteral("websocket"));
    url.setQuery(query);
    url.setFragment(QString());
    return url;
}

void Client::setToken(const QString &token)
{
    d->connection.token = token;
    d->connection.tokenProvider = nullptr;
    d->confirmedUser.clear();
    d->followAccount();
}

void Client::setTokenProvider(TokenProvider provider)
{
    d->connection.tokenProvider = std::move(provider);
}

void Client::setAuthExtras(const QVariantMap &extras)
{
    d->connection.authExtras = extras;
}

ReconnectPolicy Client::reconnectPolicy() const
{
    return d->connection.policy;
}

void Client::setReconnectPolicy(const ReconnectPolicy &policy)
{
    d->connection.policy = policy;
}

int Client::connectTimeout() const
{
    return d->connection.connectTimeout;
}

void Client::setConnectTimeout(int ms)
{
    d->connection.connectTimeout = qMax(1, ms);
}

int Client::maxIncomingMessageSize() const
{
    return d->connection.maxIncomingMessageSize;
}

void Client::setMaxIncomingMessageSize(int bytes)
{
    // Below a few KB not even the handshake fits; the floor keeps a typo from looking like a
    // hostile server.
    d->connection.maxIncomingMessageSize = qMax(1024, bytes);
}

int Client::requestTimeout() const
{
    return d->requests.requestTimeout;
}

void Client::setRequestTimeout(int ms)
{
    d->requests.requestTimeout = qMax(0, ms);
}

Client::Parser Client::parser() const
{
    return d->connection.parser;
}

void Client::setParser(Parser parser)
{
    d->connection.parser = parser;
}

void Client::addCaCertificates(const QList<QSslCertificate> &certificates)
{
    d->connection.caCertificates += certificates;
}

void Client::setPeerVerification(bool verify)
{
    d->connection.peerVerification = verify;
    if (!verify)
        qCWarning(Log::transport) << "TLS peer verification turned OFF for this client";
}

bool Client::peerVerification() const
{
    return d->connection.peerVerification;
}

void Client::setNetworkReachability(NetworkReachability *source)
{
    d->connection.setReachability(source);
}

bool Client::setOutboxPath(const QString &path)
{
    return d->outbox.reopen(path);
}

QString Client::outboxPath() const
{
    return d->outbox.path;
}

void Client::setStoreDirectory(const QString &directory)
{
    if (directory == d->storeDirectory)
        return;
    d->storeDirectory = directory;
    d->followAccount();
    Q_EMIT storeFileNameChanged();
}

QString Client::storeDirectory() const
{
    return d->storeDirectory;
}

QString Client::storeFileName() const
{
    return d->storeDirectory.isEmpty() ? QString() : d->outbox.path;
}

int Client::storeHistoryLimit() const
{
    return d->store.historyLimit();
}

void Client::setStoreHistoryLimit(int limit)
{
    if (limit == d->store.historyLimit())
        return;
    d->store.setHistoryLimit(limit);
    Q_EMIT storeHistoryLimitChanged();
}

bool Client::removeStore()
{
    const QString file = storeFileName();
    if (file.isEmpty())
        return false;
    d->outbox.reopen(QString()); // closes the file; nothing of this account stays in memory
    d->store.close();
    d->rooms->forgetAccount(QString()); // nor its rooms, their timelines and who it was
    bool removed = QFile::remove(file);
    for (const char *suffix : { "-wal", "-shm", "-journal" })
        QFile::remove(file + QLatin1String(suffix));
    removed = removed && !QFile::exists(file);
    if (!removed)
        d->connection.raise(Error::StoreError, QStringLiteral("Cannot delete %1").arg(file));
    Q_EMIT storeFileNameChanged();
    return removed;
}

int Client::outboxCapacity() const
{
    return d->outbox.capacity;
}

void Client::setOutboxCapacity(int capacity)
{
    d->outbox.setCapacity(capacity);
}

Client::State Client::state() const
{
    return d->connection.state;
}

Client::Error Client::error() const
{
    return d->connection.error;
}

QString Client::errorString() const
{
    return d->connection.errorString;
}

int Client::reconnectAttempt() const
{
    return d->connection.attempt;
}

int Client::nextRetryIn() const
{
    return d->connection.nextRetryIn;
}

bool Client::isActive() const
{
    return d->connection.active;
}

bool Client::isRecovered() const
{
    return d->connection.recovered;
}

int Client::latency() const
{
    return d->connection.latency;
}

void Client::open()
{
    d->connection.open();
}

void Client::close()
{
    d->connection.close();
}

void Client::retryNow()
{
    d->connection.retryNow();
}

Client::Error Client::send(const QString &event, const QVariantList &args)
{
    return d->requests.send(event, args);
}

Client::Error Client::sendVolatile(const QString &event, const QVariantList &args)
{
    return d->requests.sendVolatile(event, args);
}

QFuture<AckResult> Client::request(const QString &event, const QVariantList &args, int timeoutMs)
{
    auto promise = std::make_shared<QPromise<AckResult>>();
    promise->start();
    QFuture<AckResult> future = promise->future();
    d->requests.start(event, args, timeoutMs, [promise](const AckResult &r) {
        promise->addResult(r);
        promise->finish();
    });
    return future;
}

void Client::request(
    const QString &event, const QVariantList &args, AckCallback callback, int timeoutMs)
{
    d->requests.start(event, args, timeoutMs, std::move(callback));
}

void Client::setRequestHandler(const QString &event, RequestHandler handler)
{
    if (handler)
        d->events.requestHandlers.insert(event, std::move(handler));
    else
        d->events.requestHandlers.remove(event);
}

QFuture<AckResult> Client::joinRoom(const QString &roomId)
{
    return d->rooms->join(roomId);
}

QFuture<AckResult> Client::leaveRoom(const QString &roomId)
{
    return d->rooms->leave(roomId);
}

QStringList Client::joinedRooms() const
{
    return d->rooms->keptRooms();
}

QUuid Client::sendMessage(const QString &roomId, const QString &content)
{
    return d->outbox.queue(roomId, content);
}

QList<Message> Client::pendingMessages() const
{
    return d->outbox.pending();
}

int Client::pendingMessageCount() const
{
    return d->outbox.count();
}

bool Client::discardMessage(const QUuid &clientId)
{
    return d->outbox.discard(clientId);
}

Room *Client::room(const QString &roomId)
{
    return d->rooms->room(roomId);
}

QList<Room *> Client::rooms() const
{
    return d->rooms->rooms();
}

RoomListModel *Client::roomList() const
{
    return d->rooms->roomList();
}

QString Client::userId() const
{
    return d->rooms->userId();
}

QString Client::userName() const
{
    return d->rooms->userName();
}

QStringList Client::features() const
{
    return d->rooms->features();
}

bool Client::supports(const QString &feature) const
{
    return d->rooms->supports(feature);
}

int Client::maxContentLength() const
{
    return d->rooms->maxContentLength();
}

QStringList Client::onlineUsers() const
{
    return d->rooms->onlineUsers();
}

bool Client::isOnline(const QString &userId) const
{
    return d->rooms->isOnline(userId);
}

} // namespace Palaver
