// SPDX-License-Identifier: MIT
#pragma once

#include "frametext_p.h"
#include "messageconversion_p.h"
#include <Palaver/Protocol/chat.h>
#include <Palaver/Protocol/packet.h>
#include <Palaver/client.h>

#include <QHash>
#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace Palaver {

class ClientCore;

//! Inbound events: where each event from the server goes. `message:new` always takes one typed
//! route, whoever listens: decoded into a Message (in one pass from a text frame, else from the
//! packet), handed to the rooms layer, which owns each room's stream, and to eventReceived()
//! listeners as the message's wire form. `session:ready` and the presence, membership and typing
//! events go to the rooms layer too; every event reaches eventReceived(); events with an ack id
//! are answered by the handler set for them (or with an empty ack).
//!
//! Events that arrive before the CONNECT ack (a recovery replay) are held, bounded, and
//! delivered right after it, before connected().
class EventDispatcher {
public:
    explicit EventDispatcher(ClientCore &d);

    QHash<QString, Client::RequestHandler> requestHandlers;

    //! A text `message:new` the transport read in one pass.
    void onMessageNew(const Protocol::MessageNewView &view, const FrameText &frame);
    //! Any other EVENT packet.
    void onEvent(Protocol::Packet &&packet);
    //! Delivers what was held; false if a handler closed or restarted the connection meanwhile.
    bool releaseEarly();
    void dropEarly();

private:
    //! An event held until the CONNECT ack: a packet, or a `message:new` already decoded.
    struct Early {
        std::optional<Protocol::Packet> packet;
        Message message;
        std::optional<std::string> offset;
    };
    void hold(Early &&early, std::size_t bytes);
    bool holding() const;
    void handle(const Protocol::Packet &packet);
    void deliver(const Message &message);
    //! `everyEvent`: someone listens to Client::eventReceived().
    void deliver(const Message &message, bool everyEvent);
    void answer(std::uint64_t id, const QString &event, const QVariantList &args);

    ClientCore &d;
    MessageConverter m_received; //!< of `message:new`
    std::vector<Early> m_early;
    std::size_t m_earlyBytes = 0;
};

} // namespace Palaver
