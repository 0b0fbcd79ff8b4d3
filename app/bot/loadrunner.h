// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/client.h>

#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QTimer>
#include <QUrl>

#include <memory>
#include <vector>

namespace Palaver::Bot {

struct LoadOptions {
    QList<QUrl> urls; //!< every connection fails over along the same list
    QString roomId;
    int connections = 10;
    double rate = 10; //!< messages per second, all connections together
    double durationSecs = 10;
    QString token; //!< shared by every connection, when no secret is given
    QByteArray secret; //!< mints one user per connection (load-1 ... load-N)
    Client::Parser parser = Client::Parser::Json;
    int connectTimeoutMs = 60000;
    int drainMs = 10000; //!< after the last send, how long receipts may still arrive
    int concurrency = 64; //!< connections being opened at once, at most
};

//! `--load`: N Clients in this process join one room; together they send `rate` messages per
//! second for `duration` seconds, spread round-robin over the clients. Each message carries its
//! send time (this process's monotonic clock) and a unique number; every other client that
//! joined records the time to its receipt. Then it reports deliveries, losses and latency
//! percentiles.
//!
//! Connections are opened `concurrency` at a time (the next one when one has joined or failed),
//! with a progress line on stderr. The run is measured on the connections that had joined when
//! sending started: they send, and they are the receivers every message is expected at; a
//! connection that joins later is counted as late and takes no part. Before sending starts the
//! resident memory per joined connection is taken (what an idle joined Client costs).
class LoadRunner : public QObject {
    Q_OBJECT
public:
    explicit LoadRunner(LoadOptions options, QObject *parent = nullptr);
    ~LoadRunner() override;

    void start();
    //! Ends the run now (SIGINT/SIGTERM) and reports what was measured so far.
    void stop();
    QJsonObject results() const { return m_results; }
    //! The results as a few lines for people.
    QString summary() const;

    //! An HS256 JWT for `secret` (what palaver-stub's `token` subcommand prints).
    static QString mintToken(
        const QByteArray &secret, const QString &userId, const QString &name, qint64 ttlSecs);

Q_SIGNALS:
    //! Done; `exitCode` as the CLI's: 0, 3 (auth refused), 4 (no connection), 5 (unacked).
    void finished(int exitCode);

private:
    void connectAll();
    void openNext();
    void onJoined(int i);
    void onFailed(int i, Client::Error error);
    void reportProgress(bool last = false);
    void startSending();
    void tick();
    void drainCheck();
    void finish(int exitCode);
    void onReceived(int receiver, const Message &message);

    LoadOptions m_options;
    std::vector<std::unique_ptr<Client>> m_clients;
    std::vector<bool> m_joined;
    std::vector<bool> m_settled; // joined or failed while connecting
    std::vector<int> m_senders; // the connections joined when sending started
    std::vector<bool> m_isReceiver; // by connection: one of m_senders
    int m_opened = 0;
    int m_inFlight = 0;
    int m_joinedCount = 0;
    int m_failedCount = 0;
    int m_lateJoined = 0;
    qint64 m_rssBeforeBytes = 0;
    qint64 m_lastProgressMs = -1;
    QString m_run;
    QElapsedTimer m_clock;
    QTimer m_ticker;
    QTimer m_deadline;
    qint64 m_sendStartNs = 0;
    double m_cpuAtStart = 0;
    qint64 m_sent = 0;
    qint64 m_total = 0;
    qint64 m_acked = 0;
    qint64 m_refused = 0;
    qint64 m_expectedReceipts = 0;
    qint64 m_receipts = 0;
    qint64 m_duplicates = 0;
    qint64 m_lastSendNs = 0;
    std::vector<qint64> m_latencyNs;
    std::vector<int> m_receiptsPerMessage; // by message number
    std::vector<int> m_expectedPerMessage;
    std::vector<std::vector<bool>> m_seen; // [receiver] by message number, for duplicates
    QJsonObject m_results;
    bool m_done = false;
};

} // namespace Palaver::Bot
