// SPDX-License-Identifier: MIT
#pragma once

#include "Palaver/Stub/stubconfig.h"

#include <QDateTime>
#include <QList>

#include <optional>

namespace Palaver::Stub {

class KnownUsers;
class MessageStore;

//! The lived-in conversation of `palaver-stub --demo` (issue 18): a few dozen messages per demo
//! room from alice, bob, carol and dave over the two days before `now`, with replies, an edit,
//! reactions and mentions of alice. Stored through MessageStore::append and ::change as live
//! messages are, so `seq`, `rev`, `mentions` and `replyTo` are what the live path would give.
//!
//! Only rooms that have a script (`general`, `random`, `staff`), no messages yet, and whose
//! every author may access them are seeded: a file that already has messages is left alone, so
//! a restart adds nothing. The authors are remembered as known users (they wrote in the room).
//! Returns how many messages were stored, nullopt on a database error.
std::optional<int> seedDemoConversation(MessageStore &store, const QList<RoomConfig> &rooms,
    KnownUsers &known, const QDateTime &now = QDateTime::currentDateTimeUtc());

} // namespace Palaver::Stub
