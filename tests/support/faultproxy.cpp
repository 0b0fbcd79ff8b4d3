// SPDX-License-Identifier: MIT
#include "faultproxy.h"

#include <QTcpSocket>

namespace Palaver::Test {

FaultProxy::FaultProxy(QObject *parent) : QObject(parent)
{
    connect(&m_server, &QTcpServer::newConnection, this, &FaultProxy::onNewConnection);
    m_chaosTimer.setSingleShot(true);
    connect(&m_chaosTimer, &QTimer::timeout, this, &FaultProxy::chaosTick);
}

FaultProxy::~FaultProxy()
{
    m_chaosTimer.stop();
    m_server.close();
    const auto pairs = m_pairs;
    for (Pair *p : pairs)
        cut(p);
    qDeleteAll(std::exchange(m_removed, {}));
}

void FaultProxy::setTarget(const QHostAddress &address, quint16 port)
{
    m_targetAddress = address;
    m_targetPort = port;
}

bool FaultProxy::listen()
{
    return m_server.listen(QHostAddress::LocalHost, 0);
}

quint16 FaultProxy::port() const
{
    return m_server.serverPort();
}

QUrl FaultProxy::url() const
{
    QUrl u;
    u.setScheme(QStringLiteral("ws"));
    u.setHost(QStringLiteral("127.0.0.1"));
    u.setPort(m_server.serverPort());
    return u;
}

void FaultProxy::setSeed(quint32 seed)
{
    m_seed = seed;
    m_rng.seed(seed);
}

int FaultProxy::bounded(int lowest, int highest)
{
    if (highest <= lowest)
        return lowest;
    return lowest + int(m_rng.bounded(quint32(highest - lowest + 1)));
}

void FaultProxy::startChaos(const Chaos &chaos)
{
    m_chaos = chaos;
    m_chaosOn = true;
    m_maxFragment = chaos.maxFragment;
    m_maxDelay = chaos.maxDelayMs;
    m_chaosTimer.start(bounded(chaos.cutMinMs, chaos.cutMaxMs));
}

void FaultProxy::stopChaos()
{
    m_chaosOn = false;
    m_chaosTimer.stop();
    m_maxFragment = 0;
    m_maxDelay = 0;
    for (Pair *p : std::as_const(m_pairs)) {
        if (p->stalled) {
            p->stalled = false;
            schedule(p, true);
            schedule(p, false);
        }
    }
}

void FaultProxy::chaosTick()
{
    if (!m_chaosOn)
        return;
    if (!m_pairs.isEmpty()) {
        const double roll = m_rng.generateDouble();
        if (roll < m_chaos.stallChance) {
            Pair *p = m_pairs.at(int(m_rng.bounded(quint32(m_pairs.size()))));
            if (!p->stalled) {
                p->stalled = true;
                ++m_stats.stalls;
                p->up.timer.stop();
                p->down.timer.stop();
                QPointer<QTcpSocket> client = p->client;
                QTimer::singleShot(bounded(100, m_chaos.stallMaxMs), this, [this, p, client] {
                    // The pair may have gone meanwhile; its client socket pointer tells.
                    if (!client || !m_pairs.contains(p))
                        return;
                    p->stalled = false;
                    schedule(p, true);
                    schedule(p, false);
                });
            }
        } else {
            cutRandom();
        }
    }
    m_chaosTimer.start(bounded(m_chaos.cutMinMs, m_chaos.cutMaxMs));
}

int FaultProxy::cutAll()
{
    const auto pairs = m_pairs;
    for (Pair *p : pairs)
        cut(p);
    return int(pairs.size());
}

bool FaultProxy::cutRandom()
{
    if (m_pairs.isEmpty())
        return false;
    cut(m_pairs.at(int(m_rng.bounded(quint32(m_pairs.size())))));
    return true;
}

void FaultProxy::setStalled(bool stalled)
{
    if (m_stalled == stalled)
        return;
    m_stalled = stalled;
    if (stalled)
        ++m_stats.stalls;
    for (Pair *p : std::as_const(m_pairs)) {
        if (stalled) {
            p->up.timer.stop();
            p->down.timer.stop();
        } else {
            schedule(p, true);
            schedule(p, false);
        }
    }
}

void FaultProxy::setMaxDelay(int ms)
{
    m_maxDelay = qMax(0, ms);
}

void FaultProxy::setMaxFragment(int bytes)
{
    m_maxFragment = qMax(0, bytes);
}

void FaultProxy::setRefuse(bool refuse)
{
    m_refuse = refuse;
}

void FaultProxy::setCapture(bool capture)
{
    m_capture = capture;
    if (!capture)
        m_captured.clear();
}

void FaultProxy::onNewConnection()
{
    while (QTcpSocket *client = m_server.nextPendingConnection()) {
        ++m_stats.accepted;
        if (m_refuse) {
            ++m_stats.cuts;
            client->abort();
            client->deleteLater();
            continue;
        }
        auto *p = new Pair;
        p->client = client;
        p->upstream = new QTcpSocket(this);
        p->up.timer.setSingleShot(true);
        p->down.timer.setSingleShot(true);
        connect(&p->up.timer, &QTimer::timeout, this, [this, p] { pump(p, true); });
        connect(&p->down.timer, &QTimer::timeout, this, [this, p] { pump(p, false); });
        m_pairs.append(p);

        connect(client, &QTcpSocket::readyRead, this, [this, p] {
            const QByteArray data = p->client->readAll();
            m_stats.bytesUp += data.size();
            if (!p->upstreamReady)
                p->early += data;
            else
                enqueue(p, true, data);
        });
        connect(p->upstream, &QTcpSocket::connected, this, [this, p] {
            p->upstreamReady = true;
            if (!p->early.isEmpty())
                enqueue(p, true, std::exchange(p->early, {}));
        });
        connect(p->upstream, &QTcpSocket::readyRead, this, [this, p] {
            const QByteArray data = p->upstream->readAll();
            m_stats.bytesDown += data.size();
            if (m_capture)
                m_captured += data;
            enqueue(p, false, data);
        });
        // One end went away: hand over what is still queued for the other end, then close it
        // the ordinary way (a cut is what cut() is for).
        auto endOf = [this, p](bool clientSide) {
            if (!m_pairs.contains(p))
                return;
            QTcpSocket *other = clientSide ? p->upstream : p->client;
            Direction &toOther = clientSide ? p->up : p->down;
            if (other && other->state() == QAbstractSocket::ConnectedState) {
                if (clientSide && !p->early.isEmpty())
                    other->write(std::exchange(p->early, {}));
                while (!toOther.pending.empty()) {
                    other->write(toOther.pending.front());
                    toOther.pending.pop_front();
                }
                // Detached from the pair, so that it can finish writing before it goes.
                (clientSide ? p->upstream : p->client) = nullptr;
                other->disconnect(this);
                connect(other, &QTcpSocket::disconnected, other, &QObject::deleteLater);
                QTimer::singleShot(2000, other, &QTcpSocket::abort);
                other->disconnectFromHost();
                if (other->state() == QAbstractSocket::UnconnectedState)
                    other->deleteLater();
            } else if (other) {
                other->abort();
            }
            remove(p);
        };
        connect(client, &QTcpSocket::disconnected, this, [endOf] { endOf(true); });
        connect(p->upstream, &QTcpSocket::disconnected, this, [endOf] { endOf(false); });
        connect(p->upstream, &QTcpSocket::errorOccurred, this, [this, p, endOf] {
            if (!p->upstreamReady) { // the target is down (e.g. restarting)
                ++m_stats.upstreamFailures;
                if (p->client)
                    p->client->abort();
                remove(p);
                return;
            }
            if (p->upstream && p->upstream->state() != QAbstractSocket::ConnectedState)
                endOf(false);
        });
        p->upstream->connectToHost(m_targetAddress, m_targetPort);
    }
}

void FaultProxy::enqueue(Pair *p, bool up, const QByteArray &data)
{
    if (data.isEmpty())
        return;
    Direction &dir = up ? p->up : p->down;
    QTcpSocket *target = up ? p->upstream : p->client;
    // The fast path: no faults configured, nothing queued.
    if (m_maxFragment == 0 && m_maxDelay == 0 && !m_stalled && !p->stalled && dir.pending.empty()
        && target) {
        ++m_stats.fragments;
        target->write(data);
        return;
    }
    if (m_maxFragment > 0) {
        qsizetype at = 0;
        while (at < data.size()) {
            const qsizetype n = qMin<qsizetype>(bounded(1, m_maxFragment), data.size() - at);
            dir.pending.push_back(data.mid(at, n));
            at += n;
        }
    } else {
        dir.pending.push_back(data);
    }
    schedule(p, up);
}

void FaultProxy::schedule(Pair *p, bool up)
{
    Direction &dir = up ? p->up : p->down;
    if (m_stalled || p->stalled || dir.pending.empty() || dir.timer.isActive())
        return;
    dir.timer.start(m_maxDelay > 0 ? bounded(0, m_maxDelay) : 0);
}

void FaultProxy::pump(Pair *p, bool up)
{
    if (!m_pairs.contains(p) || m_stalled || p->stalled)
        return;
    Direction &dir = up ? p->up : p->down;
    QTcpSocket *target = up ? p->upstream : p->client;
    if (!target || dir.pending.empty())
        return;
    target->write(dir.pending.front());
    dir.pending.pop_front();
    ++m_stats.fragments;
    schedule(p, up);
}

void FaultProxy::cut(Pair *p)
{
    if (!m_pairs.contains(p))
        return;
    ++m_stats.cuts;
    remove(p);
    if (p->client)
        p->client->abort();
    if (p->upstream)
        p->upstream->abort();
}

void FaultProxy::remove(Pair *p)
{
    if (!m_pairs.removeOne(p))
        return;
    p->up.timer.stop();
    p->down.timer.stop();
    for (QTcpSocket *s : { p->client.data(), p->upstream.data() }) {
        if (s) {
            s->disconnect(this);
            s->deleteLater();
        }
    }
    // Not from inside a timer or socket signal of this pair: later (or in the destructor, if
    // the proxy goes first).
    m_removed.append(p);
    QMetaObject::invokeMethod(
        this,
        [this, p] {
            if (m_removed.removeOne(p))
                delete p;
        },
        Qt::QueuedConnection);
}

} // namespace Palaver::Test
