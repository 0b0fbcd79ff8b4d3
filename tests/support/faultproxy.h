// SPDX-License-Identifier: MIT
#pragma once

// A fault-injecting TCP proxy for tests: listens on 127.0.0.1 (port 0) and forwards every
// connection to a target (the stub), byte for byte, unless told to break it. It can cut
// connections, stall them, delay and fragment the bytes, on command or at random from a seed.
// Only loopback: the target must be a local address too.

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTimer>
#include <QUrl>

#include <deque>
#include <memory>

class QTcpSocket;

namespace Palaver::Test {

class FaultProxy : public QObject {
    Q_OBJECT

public:
    //! What was done so far, for assertions and the figures a test prints.
    struct Stats {
        int accepted = 0; //!< client connections accepted
        int cuts = 0; //!< connections cut (both ends aborted)
        int stalls = 0; //!< stall periods started
        int upstreamFailures = 0; //!< the target refused or vanished
        qint64 fragments = 0; //!< writes made (a chunk split in n pieces counts n)
        qint64 bytesUp = 0; //!< client -> target
        qint64 bytesDown = 0; //!< target -> client
    };

    //! Random faults: every [cutMinMs, cutMaxMs] one random connection is cut, or (with
    //! stallChance) stalled for up to stallMaxMs. Bytes are cut into pieces of at most
    //! maxFragment bytes (0: whole) and each piece waits 0..maxDelayMs.
    struct Chaos {
        int cutMinMs = 200;
        int cutMaxMs = 600;
        double stallChance = 0.2;
        int stallMaxMs = 3000;
        int maxFragment = 0;
        int maxDelayMs = 0;
    };

    explicit FaultProxy(QObject *parent = nullptr);
    ~FaultProxy() override;

    void setTarget(const QHostAddress &address, quint16 port);
    bool listen();
    quint16 port() const;
    //! `ws://127.0.0.1:PORT`.
    QUrl url() const;

    //! The seed of the random faults (and of fragmentation and delays).
    void setSeed(quint32 seed);
    quint32 seed() const { return m_seed; }
    void startChaos(const Chaos &chaos);
    void stopChaos();

    // On command.
    //! Cuts every connection; returns how many.
    int cutAll();
    //! Cuts one connection chosen at random; false when there is none.
    bool cutRandom();
    //! Holds every byte in both directions (connections stay open) until set back to false.
    void setStalled(bool stalled);
    //! Each piece of data waits 0..ms before it is written (order is kept).
    void setMaxDelay(int ms);
    //! Data is written in pieces of 1..bytes (0: as it came).
    void setMaxFragment(int bytes);
    //! New connections are cut at once while set.
    void setRefuse(bool refuse);
    //! Keeps a copy of everything the target sent (for tests that look into the wire).
    void setCapture(bool capture);
    QByteArray capturedDown() const { return m_captured; }

    int connectionCount() const { return int(m_pairs.size()); }
    const Stats &stats() const { return m_stats; }

private:
    struct Direction {
        std::deque<QByteArray> pending;
        QTimer timer;
        bool sourceClosed = false;
    };
    struct Pair {
        QPointer<QTcpSocket> client;
        QPointer<QTcpSocket> upstream;
        bool upstreamReady = false;
        QByteArray early; //!< client bytes before the upstream connected
        Direction up; //!< client -> upstream
        Direction down; //!< upstream -> client
        bool stalled = false;
    };

    void onNewConnection();
    void enqueue(Pair *pair, bool up, const QByteArray &data);
    void pump(Pair *pair, bool up);
    void schedule(Pair *pair, bool up);
    void cut(Pair *pair);
    void remove(Pair *pair);
    void chaosTick();
    int bounded(int lowest, int highest);

    QTcpServer m_server;
    QHostAddress m_targetAddress = QHostAddress::LocalHost;
    quint16 m_targetPort = 0;
    quint32 m_seed = 1;
    QRandomGenerator m_rng { 1 };
    QList<Pair *> m_pairs;
    QList<Pair *> m_removed; //!< cut or closed, to be deleted
    Stats m_stats;
    Chaos m_chaos;
    QTimer m_chaosTimer;
    bool m_chaosOn = false;
    bool m_stalled = false;
    bool m_refuse = false;
    bool m_capture = false;
    int m_maxDelay = 0;
    int m_maxFragment = 0;
    QByteArray m_captured;
};

} // namespace Palaver::Test
