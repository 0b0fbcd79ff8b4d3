// SPDX-License-Identifier: MIT
#include "loadrunner.h"

#include "logging_p.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace Palaver::Bot {

namespace {

// Content of a load message: "load <run> <sender> <number> <sendNs>".
const QLatin1String Tag("load ");
// Stopped before anything was sent: as if no connection had been made in time.
constexpr int ExitGaveUpCode = 4;

// CPU seconds (user + system) this process used so far.
double cpuSeconds()
{
    rusage usage {};
    getrusage(RUSAGE_SELF, &usage);
    const auto secs = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return secs(usage.ru_utime) + secs(usage.ru_stime);
}

// Resident memory of this process now, 0 if unknown.
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return 0;
    const QList<QByteArray> fields = statm.readAll().split(' ');
    return fields.size() > 1 ? fields.at(1).toLongLong() * sysconf(_SC_PAGESIZE) : 0;
}

double percentile(const std::vector<qint64> &sorted, double p)
{
    if (sorted.empty())
        return 0;
    const auto rank = size_t(std::ceil(p * double(sorted.size())));
    return double(sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1]) / 1e6;
}

} // namespace

QString LoadRunner::mintToken(
    const QByteArray &secret, const QString &userId, const QString &name, qint64 ttlSecs)
{
    const auto b64 = [](const QByteArray &bytes) {
        return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    };
    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const QJsonObject claims { { QStringLiteral("sub"), userId }, { QStringLiteral("name"), name },
        { QStringLiteral("iat"), now }, { QStringLiteral("exp"), now + ttlSecs } };
    const QByteArray signingInput = b64(QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})")) + '.'
        + b64(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray signature
        = QMessageAuthenticationCode::hash(signingInput, secret, QCryptographicHash::Sha256);
    return QString::fromLatin1(signingInput + '.' + b64(signature));
}

LoadRunner::LoadRunner(LoadOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    m_run = QString::number(QRandomGenerator::global()->generate(), 36);
    m_total = qint64(std::llround(m_options.rate * m_options.durationSecs));
    m_receiptsPerMessage.assign(size_t(m_total), 0);
    m_expectedPerMessage.assign(size_t(m_total), 0);
    m_latencyNs.reserve(size_t(m_total) * size_t(std::max(1, m_options.connections - 1)));
    m_ticker.setTimerType(Qt::PreciseTimer);
    m_ticker.setInterval(5);
    connect(&m_ticker, &QTimer::timeout, this, &LoadRunner::tick);
    m_deadline.setSingleShot(true);
}

LoadRunner::~LoadRunner() = default;

void LoadRunner::start()
{
    m_clock.start();
    connectAll();
}

void LoadRunner::stop()
{
    if (m_sendStartNs == 0) {
        finish(ExitGaveUpCode);
        return;
    }
    finish(m_acked + m_refused >= m_sent ? 0 : 5);
}

void LoadRunner::connectAll()
{
    const int n = m_options.connections;
    m_joined.assign(size_t(n), false);
    m_settled.assign(size_t(n), false);
    m_isReceiver.assign(size_t(n), false);
    m_seen.assign(size_t(n), std::vector<bool>(size_t(m_total), false));
    m_clients.resize(size_t(n));
    m_rssBeforeBytes = residentBytes();
    qCInfo(Log::bot) << "load: opening" << n << "connections," << m_options.concurrency
                     << "at a time";
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        if (m_sendStartNs == 0) {
            qCWarning(Log::bot) << "load: only" << m_joinedCount << "of" << m_options.connections
                                << "joined in time";
            startSending();
        }
    });
    m_deadline.start(m_options.connectTimeoutMs);
    while (m_inFlight < m_options.concurrency && m_opened < n)
        openNext();
}

void LoadRunner::openNext()
{
    const int i = m_opened++;
    ++m_inFlight;
    auto client = std::make_unique<Client>();
    client->setUrls(m_options.urls);
    client->setParser(m_options.parser);
    const QString user = QStringLiteral("load-%1").arg(i + 1);
    client->setToken(m_options.secret.isEmpty() ? m_options.token
                                                : mintToken(m_options.secret, user, user, 3600));
    client->setOutboxCapacity(100000);
    Client *c = client.get();
    connect(c, &Client::roomJoined, this, [this, i](const QString &) { onJoined(i); });
    connect(c, &Client::failed, this, [this, i](Client::Error error) { onFailed(i, error); });
    connect(c, &Client::messageReceived, this, [this, i](const Message &m) { onReceived(i, m); });
    connect(c, &Client::messageAcked, this, [this] { ++m_acked; });
    connect(c, &Client::messageRefused, this, [this] { ++m_refused; });
    c->joinRoom(m_options.roomId);
    c->open();
    m_clients[size_t(i)] = std::move(client);
}

void LoadRunner::onJoined(int i)
{
    if (m_joined[size_t(i)])
        return; // a re-join after a reconnect
    m_joined[size_t(i)] = true;
    if (m_sendStartNs != 0) {
        ++m_lateJoined;
        return;
    }
    ++m_joinedCount;
    if (!m_settled[size_t(i)]) {
        m_settled[size_t(i)] = true;
        --m_inFlight;
    }
    reportProgress();
    if (m_joinedCount + m_failedCount == m_options.connections)
        startSending();
    else if (m_opened < m_options.connections)
        openNext();
}

void LoadRunner::onFailed(int i, Client::Error error)
{
    qCWarning(Log::bot) << "load: connection" << i + 1 << "failed:" << error;
    if (error == Client::Error::AuthRequired || error == Client::Error::InvalidToken
        || error == Client::Error::TokenExpired) {
        finish(3);
        return;
    }
    if (m_joined[size_t(i)] || m_settled[size_t(i)] || m_sendStartNs != 0)
        return;
    m_settled[size_t(i)] = true;
    --m_inFlight;
    ++m_failedCount;
    reportProgress();
    if (m_joinedCount + m_failedCount == m_options.connections)
        startSending();
    else if (m_opened < m_options.connections)
        openNext();
}

void LoadRunner::reportProgress(bool last)
{
    // One line about every 250 ms while connecting, and a last one.
    const qint64 now = m_clock.elapsed();
    if (!last && m_lastProgressMs >= 0 && now - m_lastProgressMs < 250)
        return;
    m_lastProgressMs = now;
    std::fprintf(stderr, "load: %d of %d joined, %d failed, %d connecting (%.1f s)\n",
        m_joinedCount, m_options.connections, m_failedCount, m_inFlight, double(now) / 1e3);
}

void LoadRunner::startSending()
{
    if (m_done || m_sendStartNs != 0)
        return;
    m_deadline.stop();
    m_deadline.disconnect();
    reportProgress(true);
    m_results.insert(QStringLiteral("connectMs"), double(m_clock.elapsed()));
    for (int i = 0; i < m_options.connections; ++i) {
        if (m_joined[size_t(i)]) {
            m_senders.push_back(i);
            m_isReceiver[size_t(i)] = true;
        }
    }
    if (m_senders.empty()) {
        qCWarning(Log::bot) << "load: no connection joined";
        finish(ExitGaveUpCode);
        return;
    }
    // What the joined, idle connections cost: every Client, its socket and its room.
    const qint64 rss = residentBytes();
    if (rss > 0 && m_rssBeforeBytes > 0)
        m_results.insert(QStringLiteral("rssPerConnectionKiB"),
            double(rss - m_rssBeforeBytes) / 1024.0 / double(m_senders.size()));
    m_results.insert(QStringLiteral("rssMiB"), double(rss) / (1024.0 * 1024.0));
    qCInfo(Log::bot) << "load:" << m_senders.size() << "joined; sending" << m_total << "messages";
    m_sendStartNs = std::max<qint64>(1, m_clock.nsecsElapsed());
    m_cpuAtStart = cpuSeconds();
    m_ticker.start();
}

void LoadRunner::tick()
{
    const qint64 now = m_clock.nsecsElapsed();
    const double elapsed = double(now - m_sendStartNs) / 1e9;
    const qint64 due = std::min(m_total, qint64(std::floor(elapsed * m_options.rate)) + 1);
    while (m_sent < due) {
        // Round-robin over the connections that were joined when sending started; every other
        // one of them is a receiver.
        const int sender = m_senders[size_t(m_sent % qint64(m_senders.size()))];
        const qint64 number = m_sent++;
        const qint64 sendNs = m_clock.nsecsElapsed();
        const int receivers = int(m_senders.size()) - 1;
        m_expectedPerMessage[size_t(number)] = receivers;
        m_expectedReceipts += receivers;
        const QString content = Tag + m_run + QLatin1Char(' ') + QString::number(sender)
            + QLatin1Char(' ') + QString::number(number) + QLatin1Char(' ')
            + QString::number(sendNs);
        m_clients[size_t(sender)]->sendMessage(m_options.roomId, content);
        m_lastSendNs = sendNs;
    }
    if (m_sent >= m_total) {
        m_ticker.stop();
        qCInfo(Log::bot) << "load: all sent; draining";
        m_results.insert(QStringLiteral("sendSecs"), double(m_lastSendNs - m_sendStartNs) / 1e9);
        connect(&m_deadline, &QTimer::timeout, this, &LoadRunner::drainCheck);
        m_deadline.setSingleShot(false);
        m_deadline.start(50);
    }
}

void LoadRunner::drainCheck()
{
    const bool allReceived = m_receipts >= m_expectedReceipts;
    const bool allAcked = m_acked + m_refused >= m_sent;
    const bool timedOut = (m_clock.nsecsElapsed() - m_lastSendNs) / 1000000 > m_options.drainMs;
    if ((allReceived && allAcked) || timedOut)
        finish(allAcked ? 0 : 5);
}

void LoadRunner::onReceived(int receiver, const Message &m)
{
    const qint64 now = m_clock.nsecsElapsed();
    if (!m.content.startsWith(Tag))
        return;
    const QStringList parts = m.content.split(QLatin1Char(' '));
    if (parts.size() != 5 || parts.at(1) != m_run)
        return;
    const int sender = parts.at(2).toInt();
    const qint64 number = parts.at(3).toLongLong();
    const qint64 sentNs = parts.at(4).toLongLong();
    if (!m_isReceiver[size_t(receiver)] || sender == receiver || number < 0 || number >= m_sent)
        return;
    std::vector<bool>::reference seen = m_seen[size_t(receiver)][size_t(number)];
    if (seen) {
        ++m_duplicates;
        return;
    }
    seen = true;
    ++m_receipts;
    ++m_receiptsPerMessage[size_t(number)];
    m_latencyNs.push_back(now - sentNs);
}

void LoadRunner::finish(int exitCode)
{
    if (m_done)
        return;
    m_done = true;
    m_ticker.stop();
    m_deadline.stop();
    std::sort(m_latencyNs.begin(), m_latencyNs.end());
    qint64 complete = 0;
    for (qint64 i = 0; i < m_sent; ++i)
        if (m_receiptsPerMessage[size_t(i)] >= m_expectedPerMessage[size_t(i)])
            ++complete;
    qint64 pending = 0;
    for (const auto &c : m_clients)
        pending += c ? c->pendingMessageCount() : 0;
    m_results.insert(QStringLiteral("cpuSecs"), cpuSeconds() - m_cpuAtStart);
    m_results.insert(
        QStringLiteral("wallSecs"), double(m_clock.nsecsElapsed() - m_sendStartNs) / 1e9);
    m_results.insert(QStringLiteral("connections"), m_options.connections);
    m_results.insert(QStringLiteral("joined"), qint64(m_senders.size()));
    m_results.insert(QStringLiteral("opened"), m_opened);
    m_results.insert(QStringLiteral("failed"), m_failedCount);
    m_results.insert(QStringLiteral("lateJoined"), m_lateJoined);
    m_results.insert(QStringLiteral("rate"), m_options.rate);
    m_results.insert(QStringLiteral("durationSecs"), m_options.durationSecs);
    m_results.insert(QStringLiteral("sent"), m_sent);
    m_results.insert(QStringLiteral("acked"), m_acked);
    m_results.insert(QStringLiteral("refused"), m_refused);
    m_results.insert(QStringLiteral("unacked"), pending);
    m_results.insert(QStringLiteral("delivered"), complete);
    m_results.insert(QStringLiteral("lost"), m_sent - complete);
    m_results.insert(QStringLiteral("receipts"), m_receipts);
    m_results.insert(QStringLiteral("expectedReceipts"), m_expectedReceipts);
    m_results.insert(QStringLiteral("lostReceipts"), m_expectedReceipts - m_receipts);
    m_results.insert(QStringLiteral("duplicates"), m_duplicates);
    QJsonObject latency;
    latency.insert(QStringLiteral("p50"), percentile(m_latencyNs, 0.50));
    latency.insert(QStringLiteral("p95"), percentile(m_latencyNs, 0.95));
    latency.insert(QStringLiteral("p99"), percentile(m_latencyNs, 0.99));
    latency.insert(
        QStringLiteral("max"), m_latencyNs.empty() ? 0.0 : double(m_latencyNs.back()) / 1e6);
    m_results.insert(QStringLiteral("latencyMs"), latency);
    for (const auto &c : m_clients)
        if (c)
            c->close();
    Q_EMIT finished(exitCode);
}

QString LoadRunner::summary() const
{
    const QJsonObject l = m_results.value(QStringLiteral("latencyMs")).toObject();
    const auto num = [this](const char *key) {
        return QString::number(m_results.value(QLatin1String(key)).toDouble(), 'f', 0);
    };
    const auto ms = [&l](const char *key) {
        return QString::number(l.value(QLatin1String(key)).toDouble(), 'f', 1);
    };
    return QStringLiteral("connections %1: joined %2 in %3 s (failed %4, joined late %5), "
                          "%6 KiB resident per joined connection\n"
                          "rate %7 msg/s for %8 s\n"
                          "sent %9, acked %10, refused %11, unacked %12\n")
               .arg(num("connections"), num("joined"),
                   QString::number(
                       m_results.value(QStringLiteral("connectMs")).toDouble() / 1e3, 'f', 2),
                   num("failed"), num("lateJoined"), num("rssPerConnectionKiB"),
                   QString::number(m_options.rate), QString::number(m_options.durationSecs))
               .arg(num("sent"), num("acked"), num("refused"), num("unacked"))
        + QStringLiteral("delivered %1, lost %2 (receipts %3 of %4, duplicates %5)\n"
                         "latency ms: p50 %6, p95 %7, p99 %8, max %9\n"
                         "bot process CPU %10 s over %11 s from the first send\n")
              .arg(num("delivered"), num("lost"), num("receipts"), num("expectedReceipts"),
                  num("duplicates"), ms("p50"), ms("p95"), ms("p99"), ms("max"))
              .arg(QString::number(m_results.value(QStringLiteral("cpuSecs")).toDouble(), 'f', 2),
                  QString::number(m_results.value(QStringLiteral("wallSecs")).toDouble(), 'f', 2));
}

} // namespace Palaver::Bot
