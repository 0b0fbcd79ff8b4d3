// SPDX-License-Identifier: MIT
#pragma once

#include <Palaver/ackresult.h>
#include <Palaver/client.h>
#include <Palaver/message.h>

#include <QList>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QVariantMap>

#include <map>
#include <memory>
#include <vector>

template<typename T> class QPromise;

namespace Palaver {

class ClientCore;

class RoomDirectory;

//! The one stream of one kept-joined room: joining it in every connection, and making what its
//! consumers get gap-free, duplicate-free and in `seq` order whatever the source of a message:
//! live `message:new`, a recovery replay, the page of a re-join, `room:history {after}` pages,
//! or our own send's ack.
//!
//! The first join's page is the baseline (history, not news): from then on every message with a
//! higher `seq` is delivered exactly once, in order, through RoomDirectory::deliver(). A message
//! above a hole waits in `ahead` while the hole is paged in; after a re-join without recovery
//! the stream pages `room:history {after: lastSeq}` until `hasMore` is false. A hole the server
//! cannot fill (its page brings nothing) is skipped with a warning rather than waited on forever.
//!
//! Changes (contract v1.1 `message:updated`: edits, deletes, reactions) are a second stream of
//! the same room, ordered by the room's `rev`: the first join's `rev` is the baseline, every
//! change above it is delivered once, in `rev` order, through RoomDirectory::deliverUpdate(). A
//! `rev` gap seen live and every re-join page `room:updates {afterRev: lastRev}` until `hasMore`
//! is false; then lastRev is the last page's `rev`. A server without revs (v1: its join answer
//! has none) has no such stream.
class RoomStream : public QObject {
    Q_OBJECT

public:
    using Waiter = std::shared_ptr<QPromise<AckResult>>;

    RoomStream(ClientCore &d, RoomDirectory *rooms, const QString &id);
    ~RoomStream() override;

    const QString id;

    //! Joined in this connection (the server answered this connection's `room:join`).
    bool isJoinedNow() const { return m_joinedNow; }
    bool isJoining() const { return m_joining; }
    //! The newest seq delivered (or of the first join's page); 0 before the first join.
    qint64 lastSeq() const { return m_lastSeq; }
    //! The newest rev delivered (or of the join answer); 0 before it or from a v1 server.
    qint64 lastRev() const { return m_lastRev; }

    //! Starts the stream where an earlier run left it (the account's store): the first join
    //! answer is then a re-join, caught up from `lastSeq` and `lastRev`. Only before that answer.
    //! A server whose history is not the stored one (it ends below those markers, or has
    //! another message at the stored seq: a reset, another database) makes the stream start
    //! afresh, and the room's cache is dropped.
    void resumeAt(qint64 lastSeq, qint64 lastRev);
    //! Asks the server now, if connected and not asked or answered in this connection.
    void join();
    //! `waiter` finishes with the next join answer (or a failure).
    void addWaiter(Waiter waiter);
    //! Already joined: asks again (idempotent) for a fresh answer for `waiter`.
    void refresh(Waiter waiter);
    void failWaiters(AckResult::Error error, const QString &message);
    //! A message of this room from any source.
    void accept(const Message &message);
    //! The live stream's next message (`seq` is lastSeq() + 1, nothing waits above a hole, no
    //! change waits for it): counted as delivered, and true; else false and nothing changes.
    //! For a caller that delivers it itself (RoomDirectory::deliverStreamed()).
    bool takeNext(qint64 seq);
    //! A change of a message of this room (`message:updated`, a change's ack), any source.
    void acceptUpdate(const Message &message);
    //! The connection went away: the next one joins again and catches up.
    void connectionLost();
    //! The server says this socket is not in the room: join again.
    void rejoin();
    //! The room is no longer kept: nothing more is asked or delivered.
    void detach();

private:
    void onJoinAnswer(quint64 generation, const AckResult &result);
    bool isAnotherHistory(const QVariantMap &reply, const QList<Message> &page) const;
    void completeWaiters(const AckResult &result);
    void drain();
    void catchUpStep();
    void fetchAfter(qint64 afterSeq);
    void onCatchUpPage(quint64 generation, qint64 afterSeq, const AckResult &result);
    void drainUpdates();
    void updatesStep();
    void fetchUpdates(qint64 afterRev);
    void onUpdatesPage(quint64 generation, qint64 afterRev, const AckResult &result);
    void deliverChange(const Message &message);
    Message newestState(const Message &news);

    ClientCore &d;
    RoomDirectory *m_rooms;

    bool m_detached = false;
    bool m_joinedNow = false;
    bool m_joining = false;
    bool m_baseline = false; //!< the first join answer (or resumeAt()) set lastSeq
    bool m_answered = false; //!< a join answer came in this run
    qint64 m_lastSeq = 0;
    std::map<qint64, Message> m_ahead; //!< arrived above a hole, or before the first answer
    std::vector<Waiter> m_waiters;
    QTimer m_joinRetry;

    bool m_catchUpInFlight = false;
    bool m_catchUpToEnd = false; //!< page until hasMore is false (a re-join without recovery)
    bool m_announce = false; //!< roomCaughtUp() is due once nothing is missing
    qint64 m_lastCatchUpAfter = -1;
    bool m_lastPageBroughtNothing = false;
    QTimer m_catchUpRetry;

    bool m_revs = false; //!< the server keeps revs (its join answer carries one)
    qint64 m_lastRev = 0;
    std::map<qint64, Message> m_revAhead; //!< changes above a rev gap, or before the first answer
    //! By seq: the newest state of messages changed before their news was delivered.
    std::map<qint64, Message> m_changedAhead;
    bool m_updatesInFlight = false;
    bool m_updatesToEnd = false; //!< page room:updates until hasMore is false (a re-join)
    qint64 m_lastUpdatesAfter = -1;
    bool m_lastUpdatesBroughtNothing = false;
    QTimer m_updatesRetry;

    static constexpr int CatchUpPageSize = 100;
    static constexpr int UpdatesPageSize = 100;
    static constexpr int RetryMs = 1000;
};

} // namespace Palaver
