// SPDX-License-Identifier: MIT
#include "loadrunner.h"

#include "logging_p.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>

#include <sys/resource.h>

#include <algorithm>
#include <cmath>

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
    m_seen.assign(size_t(n), std::vector<bool>(size_t(m_total), false));
    qCInfo(Log::bot) << "load: opening" << n << "connections";
    for (int i = 0; i < n; ++i) {
        auto client = std::make_unique<Client>();
        client->setUrls(m_options.urls);
        client->setParser(m_options.parser);
        const QString user = QStringLiteral("load-%1").arg(i + 1);
        client->setToken(m_options.secret.isEmpty()
                ? m_options.token
                : mintToken(m_options.secret, user, user, 3600));
        client->setOutboxCapacity(100000);
        Client *c = client.get();
        connect(c, &Client::roomJoined, this, [this, i](const QString &) {
            if (m_joined[size_t(i)])
                return;
            m_joined[size_t(i)] = true;
            if (++m_joinedCount + m_failedCount == m_options.connections)
                startSending();
        });
        connect(c, &Client::failed, this, [this, i](Client::Error error) {
            qCWarning(Log::bot) << "load: connection" << i + 1 << "failed:" << error;
            if (error == Client::Error::AuthRequired || error == Client::Error::InvalidToken
                || error == Client::Error::TokenExpired) {
                finish(3);
                return;
            }
            if (!m_joined[size_t(i)] && m_sendStartNs == 0
                && m_joinedCount + ++m_failedCount == m_options.connections)
                startSending();
        });
        connect(
            c, &Client::messageReceived, this, [this, i](const Message &m) { onReceived(i, m); });
        connect(c, &Client::messageAcked, this, [this] { ++m_acked; });
        connect(c, &Client::messageRefused, this, [this] { ++m_refused; });
        c->joinRoom(m_options.roomId);
        c->open();
        m_clients.push_back(std::move(client));
    }
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        if (m_sendStartNs == 0) {
            qCWarning(Log::bot) << "load: only" << m_joinedCount << "of" << m_options.connections
                                << "joined in time";
            startSending();
        }
    });
    m_deadline.start(m_options.connectTimeoutMs);
}

void LoadRunner::startSending()
{
    if (m_done || m_sendStartNs != 0)
        return;
    m_deadline.stop();
    m_deadline.disconnect();
    m_results.insert(QStringLiteral("connectMs"), double(m_clock.elapsed()));
    if (m_joinedCount == 0) {
        qCWarning(Log::bot) << "load: no connection joined";
        finish(ExitGaveUpCode);
        return;
    }
    qCInfo(Log::bot) << "load:" << m_joinedCount << "joined; sending" << m_total << "messages";
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
        // Round-robin over the joined clients.
        const int n = m_options.connections;
        int sender = int(m_sent % n);
        for (int k = 0; k < n && !m_joined[size_t(sender)]; ++k)
            sender = (sender + 1) % n;
        const qint64 number = m_sent++;
        const qint64 sendNs = m_clock.nsecsElapsed();
        m_expectedPerMessage[size_t(number)] = m_joinedCount - 1;
        m_expectedReceipts += m_joinedCount - 1;
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
    if (sender == receiver || number < 0 || number >= m_total)
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
        pending += c->pendingMessageCount();
    m_results.insert(QStringLiteral("cpuSecs"), cpuSeconds() - m_cpuAtStart);
    m_results.insert(
        QStringLiteral("wallSecs"), double(m_clock.nsecsElapsed() - m_sendStartNs) / 1e9);
    m_results.insert(QStringLiteral("connections"), m_options.connections);
    m_results.insert(QStringLiteral("joined"), m_joinedCount);
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
    return QStringLiteral("connections %1 (joined %2), rate %3 msg/s for %4 s\n"
                          "sent %5, acked %6, refused %7, unacked %8\n"
                          "delivered %9, lost %10 (receipts %11 of %12, duplicates %13)\n"
                          "latency ms: p50 %14, p95 %15, p99 %16, max %17\n"
                          "bot process CPU %18 s over %19 s from the first send\n")
        .arg(num("connections"), num("joined"), QString::number(m_options.rate),
            QString::number(m_options.durationSecs), num("sent"), num("acked"), num("refused"),
            num("unacked"), num("delivered"))
        .arg(num("lost"), num("receipts"), num("expectedReceipts"), num("duplicates"), ms("p50"),
            ms("p95"), ms("p99"), ms("max"))
        .arg(QString::number(m_results.value(QStringLiteral("cpuSecs")).toDouble(), 'f', 2),
            QString::number(m_results.value(QStringLiteral("wallSecs")).toDouble(), 'f', 2));
}

} // namespace Palaver::Bot
