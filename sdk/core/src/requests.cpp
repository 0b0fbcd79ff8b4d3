// SPDX-License-Identifier: MIT
#include "ackregistry_p.h"
#include "client_p.h"
#include "fromstd_p.h"
#include "logging_p.h"
#include "requests_p.h"
#include "variantjson_p.h"

#include <QElapsedTimer>
#include <QPointer>

namespace Palaver {

using namespace Protocol;

Requests::Requests(ClientCore &d) : d(d), m_acks(new AckRegistry(d.q))
{
}

Requests::~Requests() = default;

Client::Error Requests::write(const QString &event, const QVariantList &args,
    std::optional<std::uint64_t> id, QString *message)
{
    auto frames = encodeEvent(
        d.connection.parserKind(), event.toStdString(), VariantJson::toJson(args), id);
    if (!frames) {
        if (message)
            *message
                = QStringLiteral("Cannot send %1: %2").arg(event, fromStd(frames.error().message));
        return Error::InvalidRequest;
    }
    const qint64 limit = d.connection.transport->maxPayload();
    for (const auto &frame : frames.value()) {
        if (qint64(frame.bytes.size()) > limit) {
            if (message)
                *message = QStringLiteral("%1 is %2 bytes; the server accepts at most %3")
                               .arg(event)
                               .arg(frame.bytes.size())
                               .arg(limit);
            return Error::PayloadTooLarge;
        }
    }
    qCDebug(Log::protocol) << "sending" << event << "frames" << frames.value().size();
    if (!d.connection.transport->sendFrames(frames.value())) {
        if (message)
            *message = QStringLiteral("The connection is not usable");
        return Error::NotConnected;
    }
    return Error::NoError;
}

void Requests::completeLater(Client::AckCallback callback, AckResult result)
{
    if (!callback)
        return;
    QMetaObject::invokeMethod(
        d.q, [callback = std::move(callback), result = std::move(result)] { callback(result); },
        Qt::QueuedConnection);
}

void Requests::start(
    const QString &event, const QVariantList &args, int timeoutMs, Client::AckCallback callback)
{
    if (timeoutMs < 0)
        timeoutMs = requestTimeout;
    if (!d.connection.isConnected()) {
        completeLater(std::move(callback),
            AckResult::failure(AckResult::Error::NotConnected,
                QStringLiteral("Not connected: %1 was not sent").arg(event)));
        return;
    }
    QElapsedTimer clock;
    clock.start();
    QPointer<Client> guard(d.q);
    ClientCore *dp = &d;
    const std::uint64_t id
        = m_acks->add(timeoutMs, [guard, dp, clock, callback](const AckResult &r) {
              if (guard && r.ok())
                  dp->connection.setLatency(int(clock.elapsed()));
              if (callback)
                  callback(r);
          });
    QString message;
    const Error error = write(event, args, id, &message);
    if (error == Error::NoError)
        return;
    // Not sent: finish it now (asynchronously for the caller) with the reason.
    AckResult::Error code = AckResult::Error::InvalidRequest;
    if (error == Error::PayloadTooLarge) {
        code = AckResult::Error::PayloadTooLarge;
        d.connection.raise(Error::PayloadTooLarge, message);
    } else if (error == Error::NotConnected) {
        code = AckResult::Error::Disconnected;
    }
    QMetaObject::invokeMethod(
        m_acks,
        [acks = QPointer<AckRegistry>(m_acks), id, code, message] {
            if (acks)
                acks->fail(id, code, message);
        },
        Qt::QueuedConnection);
}

Client::Error Requests::send(const QString &event, const QVariantList &args)
{
    if (d.connection.isConnected()) {
        QString message;
        const Error error = write(event, args, std::nullopt, &message);
        if (error != Error::NoError)
            d.connection.raise(error, message);
        return error;
    }
    if (!d.connection.active) {
        d.connection.raise(
            Error::NotConnected, QStringLiteral("Not connected: %1 was not sent").arg(event));
        return Error::NotConnected;
    }
    if (int(m_buffered.size()) >= d.outbox.capacity) {
        d.connection.raise(
            Error::OutboxFull, QStringLiteral("Too many events wait for a connection"));
        return Error::OutboxFull;
    }
    m_buffered.emplace_back(event, args);
    return Error::NoError;
}

Client::Error Requests::sendVolatile(const QString &event, const QVariantList &args)
{
    if (!d.connection.isConnected())
        return Error::NotConnected; // dropping is the point: no error event
    QString message;
    const Error error = write(event, args, std::nullopt, &message);
    if (error == Error::PayloadTooLarge || error == Error::InvalidRequest)
        d.connection.raise(error, message);
    return error;
}

void Requests::onAck(const Packet &packet)
{
    if (!packet.id) {
        qCWarning(Log::protocol) << "ACK without an id ignored";
        return;
    }
    auto data = packetData(packet);
    if (!data) {
        d.connection.connectionLost(Error::ProtocolError,
            QStringLiteral("Undecodable ACK: ") + fromStd(data.error().message),
            QStringLiteral("parse error"));
        return;
    }
    if (!m_acks->resolve(*packet.id, VariantJson::listFromJson(data.value())))
        qCDebug(Log::protocol) << "ACK for an unknown or finished request" << *packet.id;
}

void Requests::flushBuffered()
{
    auto buffered = std::exchange(m_buffered, {});
    for (const auto &[event, args] : buffered)
        write(event, args, std::nullopt, nullptr);
}

void Requests::dropBuffered()
{
    m_buffered.clear();
}

void Requests::failAll(const QString &why)
{
    m_acks->failAll(AckResult::Error::Disconnected,
        QStringLiteral("Disconnected before the answer came (%1)").arg(why));
}

} // namespace Palaver
