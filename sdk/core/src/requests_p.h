// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/Protocol/packet.h>
#include <Palaver/ackresult.h>
#include <Palaver/client.h>

#include <QString>
#include <QVariantList>

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace Palaver {

class ClientCore;

class AckRegistry;

//! What the Client writes: events with and without acks. Each request completes exactly once
//! (the AckRegistry: answer, timeout, or disconnected); what send() is given while a connection
//! is being made waits in a bounded buffer and goes out right after the CONNECT ack.
class Requests {
public:
    using Error = Client::Error;

    explicit Requests(ClientCore &d);
    ~Requests();

    int requestTimeout = 10000;

    //! Encodes and writes one event; NoError or why not (with a message for the user).
    Error write(const QString &event, const QVariantList &args, std::optional<std::uint64_t> id,
        QString *message);
    //! A request with an ack. The callback is called once, never from inside this call.
    void start(const QString &event, const QVariantList &args, int timeoutMs,
        Client::AckCallback callback);
    Error send(const QString &event, const QVariantList &args);
    Error sendVolatile(const QString &event, const QVariantList &args);

    //! An ACK packet from the server.
    void onAck(const Protocol::Packet &packet);
    void flushBuffered();
    void dropBuffered();
    //! The connection went away: every waiting request finishes with Disconnected.
    void failAll(const QString &why);

private:
    void completeLater(Client::AckCallback callback, AckResult result);

    ClientCore &d;
    AckRegistry *m_acks;
    std::vector<std::pair<QString, QVariantList>> m_buffered;
};

} // namespace Palaver
