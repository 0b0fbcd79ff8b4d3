// SPDX-License-Identifier: MIT
#pragma once

// QML registrations of the SDK's types. The SDK core does not link QtQml, so its classes carry
// no QML macros; each is registered here through a foreign wrapper.

#include <Palaver/ackresult.h>
#include <Palaver/client.h>
#include <Palaver/member.h>
#include <Palaver/membermodel.h>
#include <Palaver/message.h>
#include <Palaver/messagemodel.h>
#include <Palaver/reconnectpolicy.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>
#include <Palaver/roomsummary.h>
#include <Palaver/tokenstore.h>

#include <QtQml/qqml.h>

namespace Palaver::QmlTypes {

//! `Client { url: ...; Component.onCompleted: { setToken(t); open() } }`
struct ForeignClient {
    Q_GADGET
    QML_FOREIGN(Palaver::Client)
    QML_NAMED_ELEMENT(Client)
};

struct ForeignRoom {
    Q_GADGET
    QML_FOREIGN(Palaver::Room)
    QML_NAMED_ELEMENT(Room)
    QML_UNCREATABLE("Rooms come from Client.room(id)")
};

struct ForeignMessageModel {
    Q_GADGET
    QML_FOREIGN(Palaver::MessageModel)
    QML_NAMED_ELEMENT(MessageModel)
    QML_UNCREATABLE("A MessageModel comes from Room.messages")
};

struct ForeignMemberModel {
    Q_GADGET
    QML_FOREIGN(Palaver::MemberModel)
    QML_NAMED_ELEMENT(MemberModel)
    QML_UNCREATABLE("A MemberModel comes from Room.members")
};

struct ForeignRoomListModel {
    Q_GADGET
    QML_FOREIGN(Palaver::RoomListModel)
    QML_NAMED_ELEMENT(RoomListModel)
    QML_UNCREATABLE("The RoomListModel comes from Client.roomList")
};

struct ForeignTokenStore {
    Q_GADGET
    QML_FOREIGN(Palaver::TokenStore)
    QML_NAMED_ELEMENT(TokenStore)
};

// Value types: QML names them in lower case.
struct ForeignMessage {
    Q_GADGET
    QML_FOREIGN(Palaver::Message)
    QML_VALUE_TYPE(message)
};

struct ForeignMessageReaction {
    Q_GADGET
    QML_FOREIGN(Palaver::MessageReaction)
    QML_VALUE_TYPE(messageReaction)
};

struct ForeignMessageReply {
    Q_GADGET
    QML_FOREIGN(Palaver::MessageReply)
    QML_VALUE_TYPE(messageReply)
};

struct ForeignMember {
    Q_GADGET
    QML_FOREIGN(Palaver::Member)
    QML_VALUE_TYPE(member)
};

struct ForeignRoomSummary {
    Q_GADGET
    QML_FOREIGN(Palaver::RoomSummary)
    QML_VALUE_TYPE(roomSummary)
};

struct ForeignReconnectPolicy {
    Q_GADGET
    QML_FOREIGN(Palaver::ReconnectPolicy)
    QML_VALUE_TYPE(reconnectPolicy)
};

struct ForeignAckResult {
    Q_GADGET
    QML_FOREIGN(Palaver::AckResult)
    QML_VALUE_TYPE(ackResult)
};

//! The enums of the value types, for `Message.Pending`, `AckResult.Timeout`.
namespace MessageEnums {
Q_NAMESPACE
QML_FOREIGN_NAMESPACE(Palaver::Message)
QML_NAMED_ELEMENT(Message)
} // namespace MessageEnums

namespace AckResultEnums {
Q_NAMESPACE
QML_FOREIGN_NAMESPACE(Palaver::AckResult)
QML_NAMED_ELEMENT(AckResult)
} // namespace AckResultEnums

} // namespace Palaver::QmlTypes
