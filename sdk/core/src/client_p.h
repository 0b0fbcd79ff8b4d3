// SPDX-License-Identifier: MIT
#pragma once

#include "connection_p.h"
#include "eventdispatch_p.h"
#include "localstore_p.h"
#include "outboxsender_p.h"
#include "requests_p.h"
#include <Palaver/client.h>

namespace Palaver {

class RoomDirectory;

//! The parts of a Client, each with one job, wired together. The Client itself is the facade.
//! Data flows one way: the connection hands packets to the event dispatcher (events) and to the
//! requests (acks); the dispatcher feeds the rooms layer, which owns every kept-joined room's
//! stream and feeds every consumer (Client::messageReceived, Room, MessageModel).
class ClientCore {
public:
    explicit ClientCore(Client *q);
    virtual ~ClientCore();
    ClientCore(const ClientCore &) = delete;
    ClientCore &operator=(const ClientCore &) = delete;

    Client *q;
    Connection connection; //!< state machine, backoff, URLs, recovery ids, the transport
    Requests requests; //!< events out, acks back
    EventDispatcher events; //!< events in
    OutboxSender outbox; //!< persisted chat messages out
    RoomDirectory *rooms = nullptr; //!< the rooms layer (a child QObject)

    QString storeDirectory; //!< Client::setStoreDirectory()
    QString confirmedUser; //!< the user of this url and token's session:ready, once known
    LocalStore store; //!< the account's markers and history cache, beside its outbox
    QString storeFailedFor; //!< the file that could not be opened (reported once)
    //! Opens the current account's file in storeDirectory as the store and the outbox, when
    //! the account is known and its file is not the open one.
    void followAccount();
    //! Writes what the store collected; a failure is reported and the store closed (the
    //! Client goes on in memory).
    void commitStore();

    //! Whether anyone listens to Client::eventReceived() (only the Client may ask Qt).
    virtual bool listensToEveryEvent() const = 0;
    //! Whether anyone listens to Client::messageReceived().
    virtual bool listensToMessages() const = 0;
};

//! The pimpl of the public class is the core itself.
class Client::Private : public ClientCore {
public:
    using ClientCore::ClientCore;
    bool listensToEveryEvent() const override;
    bool listensToMessages() const override;
};

} // namespace Palaver
