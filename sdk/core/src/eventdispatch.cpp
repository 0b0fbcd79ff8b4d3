// SPDX-License-Identifier: MIT
#include "client_p.h"
#include "eventdispatch_p.h"
#include "fromstd_p.h"
#include "logging_p.h"
#include "roomdirectory_p.h"
#include "variantjson_p.h"

#include <QPointer>

namespace Palaver {

using namespace Protocol;

EventDispatcher::EventDispatcher(ClientCore &d) : d(d)
{
}

bool EventDispatcher::holding() const
{
    return d.connection.state == Client::State::Connecting;
}

void EventDispatcher::onMessageNew(const MessageNewView &view, const FrameText &frame)
{
    if (holding()) {
        Early early;
        early.message = m_received(view, frame);
        if (view.offset)
            early.offset = std::string(*view.offset);
        const std::size_t bytes = view.id.size() + view.content.size() + view.userName.size()
            + view.clientId.size() + 64;
        hold(std::move(early), bytes);
        return;
    }
    if (view.offset)
        d.connection.noteOffset(*view.offset);
    const bool everyEvent = d.listensToEveryEvent();
    if (!everyEvent && d.rooms->takesStreamed()) {
        // The common case of an app: only a Room's model takes the message, straight from the
        // frame's bytes into its row.
        StreamedText streamed;
        if (m_received.streamed(view, frame, streamed) && d.rooms->onStreamedMessage(streamed))
            return;
    }
    deliver(m_received(view, frame), everyEvent);
}

void EventDispatcher::onEvent(Packet &&packet)
{
    if (holding()) {
        std::size_t bytes = packet.payload.size();
        for (const auto &attachment : packet.attachments)
            bytes += attachment.size();
        Early early;
        early.packet = std::move(packet);
        hold(std::move(early), bytes);
        return;
    }
    handle(packet);
}

void EventDispatcher::hold(Early &&early, std::size_t bytes)
{
    // Connection state recovery replays missed events before the CONNECT ack. A replay is
    // bounded by what a server keeps (socket.io's stream adapter: 10,000 packets); a server that
    // sends more is misbehaving, and holding it all would let it grow our memory without end.
    // The session is dropped: the next connection starts fresh and catches up by history.
    constexpr std::size_t maxEarlyEvents = 10000;
    constexpr std::size_t maxEarlyBytes = 64 * 1024 * 1024;
    m_earlyBytes += bytes;
    if (m_early.size() >= maxEarlyEvents || m_earlyBytes > maxEarlyBytes) {
        d.connection.abandonSession(
            QStringLiteral("Too many events before the server acknowledged the connection"));
        return;
    }
    m_early.push_back(std::move(early));
}

bool EventDispatcher::releaseEarly()
{
    auto early = std::exchange(m_early, {});
    m_earlyBytes = 0;
    const quint64 gen = d.connection.generation;
    for (const Early &event : early) {
        if (event.packet) {
            handle(*event.packet);
        } else {
            if (event.offset)
                d.connection.noteOffset(*event.offset);
            deliver(event.message);
        }
        if (d.connection.generation != gen || !holding())
            return false;
    }
    return true;
}

void EventDispatcher::dropEarly()
{
    m_early.clear();
    m_earlyBytes = 0;
}

void EventDispatcher::deliver(const Message &message)
{
    deliver(message, d.listensToEveryEvent());
}

void EventDispatcher::deliver(const Message &message, bool everyEvent)
{
    d.rooms->onMessage(message);
    if (everyEvent)
        Q_EMIT d.q->eventReceived(QStringLiteral("message:new"), { messageToVariant(message) });
}

void EventDispatcher::handle(const Packet &packet)
{
    if (auto name = eventName(packet); name && name.value() == "message:new") {
        auto decoded = decodeMessageNew(packet);
        if (decoded) {
            const auto &value = decoded.value();
            if (value.offset && !packet.id) // only an event without an ack id carries one
                d.connection.noteOffset(*value.offset);
            const Message message = m_received(value.message);
            deliver(message);
            if (packet.id)
                answer(*packet.id, QStringLiteral("message:new"), { messageToVariant(message) });
            return;
        }
        // Not a message: listeners of every event still see it, the rooms do not.
        qCWarning(Log::protocol) << "message:new without a valid message ignored:"
                                 << fromStd(decoded.error().message);
    }

    auto decoded = packetData(packet);
    if (!decoded || !decoded.value().is_array() || decoded.value().empty()) {
        d.connection.connectionLost(Client::Error::ProtocolError,
            QStringLiteral("Undecodable event")
                + (decoded ? QString() : QStringLiteral(": ") + fromStd(decoded.error().message)),
            QStringLiteral("parse error"));
        return;
    }
    nlohmann::json &data = decoded.value();
    if (d.connection.recovering() && !packet.id) {
        if (auto taken = takeRecoveryOffset(packet, data))
            d.connection.noteOffset(*taken);
    }
    const auto &head = data.front();
    QString name;
    if (head.is_string())
        name = fromStd(head.get_ref<const std::string &>());
    else if (head.is_number())
        name = fromStd(head.dump());
    else {
        d.connection.connectionLost(Client::Error::ProtocolError,
            QStringLiteral("An event without a name"), QStringLiteral("parse error"));
        return;
    }
    qCDebug(Log::protocol) << "event" << name << "args" << (data.size() - 1)
                           << (packet.id ? "with ack" : "");

    const bool forRooms = RoomDirectory::handles(name);
    const bool isSession = name == QLatin1String("session:ready");
    if (!d.listensToEveryEvent() && !forRooms && !isSession && !packet.id)
        return;
    QVariantList args;
    args.reserve(qsizetype(data.size() - 1));
    for (size_t i = 1; i < data.size(); ++i)
        args.append(VariantJson::fromJson(data[i]));

    if (isSession) {
        d.rooms->onSessionReady(args.value(0).toMap());
        Q_EMIT d.q->sessionReady(args.value(0).toMap());
    } else if (forRooms) {
        d.rooms->onEvent(name, args); // presence, membership, typing
    }
    Q_EMIT d.q->eventReceived(name, args);
    if (packet.id)
        answer(*packet.id, name, args);
}

void EventDispatcher::answer(std::uint64_t id, const QString &event, const QVariantList &args)
{
    const quint64 gen = d.connection.generation;
    QPointer<Client> guard(d.q);
    ClientCore *dp = &d;
    auto answered = std::make_shared<bool>(false);
    Client::Responder respond = [guard, dp, gen, id, answered](const QVariantList &reply) {
        if (!guard || *answered)
            return;
        *answered = true;
        if (dp->connection.generation != gen || !dp->connection.isConnected())
            return; // that connection is gone; the server forgot the id with it
        auto frames = encodePacket(
            dp->connection.parserKind(), PacketType::Ack, VariantJson::toJson(reply), id);
        if (frames)
            dp->connection.transport->sendFrames(frames.value());
    };
    const auto handler = requestHandlers.value(event);
    if (handler)
        handler(args, respond);
    else
        respond({});
}

} // namespace Palaver
