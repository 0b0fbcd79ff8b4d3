// SPDX-License-Identifier: MIT
// Chaos: 20 Clients in 3 rooms send 100 messages each through Room::send while a fault proxy
// cuts and stalls their connections at random and the stub restarts 3 times on the same
// database. During the faults they also edit and delete their own messages (by the clientId
// send() returned, often before the send is acknowledged), react to and take back reactions on
// everyone's messages, and mark rooms read. Afterwards every message is stored exactly once with
// every change made to it, every client's timeline of every room is exactly the stored stream in
// seq order and in its current state (content, edited, deleted, reactions, rev), in its
// MessageModel and through Client::messageReceived + Client::messageUpdated alike, every read
// marker reached the server, and every request has finished.
//
// PALAVER_CHAOS_SEED=<n> replays a seed (it is printed); PALAVER_SOAK=1 runs a longer soak.
#include "faultproxy.h"
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

using namespace Palaver;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;
using Palaver::Test::FaultProxy;

namespace {

// The rooms layer hangs off Client::room(); a tree without it still runs the delivery half of
// the test through Client::sendMessage().
template<typename C> Room *roomOf(C *client, const QString &id)
{
    if constexpr (requires { client->room(id); })
        return client->room(id);
    else
        return nullptr;
}

using Reactions = QMap<QString, QStringList>; //!< emoji -> sorted user ids

struct Stored {
    QString id;
    qint64 seq = 0;
    QUuid clientId;
    QString userId;
    QString content;
    qint64 rev = 0;
    bool edited = false;
    bool deleted = false;
    Reactions reactions;
};

Reactions reactionsOf(const QList<MessageReaction> &list)
{
    Reactions out;
    for (const MessageReaction &r : list)
        out.insert(r.emoji, r.userIds);
    return out;
}

//! Whether a message as a client shows it is the stored one in its current state.
bool sameState(const Message &m, const Stored &s)
{
    return m.status == Message::Status::Sent && m.seq == s.seq && m.id == s.id
        && m.content == s.content && m.rev == s.rev && m.isEdited() == s.edited
        && m.deleted == s.deleted && reactionsOf(m.reactions) == s.reactions;
}

//! The tick a chaos message was sent at, from its text "m <client>/<tick>[*]"; -1 if none.
int tickOf(const QString &content)
{
    const qsizetype slash = content.indexOf(QLatin1Char('/'));
    if (!content.startsWith(QLatin1String("m ")) || slash < 0)
        return -1;
    QString tail = content.mid(slash + 1);
    if (tail.endsWith(QLatin1Char('*')))
        tail.chop(1);
    bool ok = false;
    const int tick = tail.toInt(&ok);
    return ok ? tick : -1;
}

// What the run does to the message a client sent at `tick`: edited one tick later, deleted two
// ticks later (unless the run ends first). Nobody reacts to a message that will be deleted, so no
// change is legitimately refused.
bool editedAtTick(int tick)
{
    return tick % 5 == 0;
}
bool deletedAtTick(int tick)
{
    return tick % 7 == 0;
}

//! Runs `sql` on the stub's database through a connection of our own (WAL: readers do not
//! block it) and hands each row to `onRow`.
template<typename OnRow> void queryStore(const QString &path, const QString &sql, OnRow onRow)
{
    const QString name = QStringLiteral("chaos-check");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (db.open()) {
            QSqlQuery q(db);
            q.exec(sql);
            while (q.next())
                onRow(q);
        }
    }
    QSqlDatabase::removeDatabase(name);
}

//! The stored messages, by room, in seq order.
QHash<QString, QList<Stored>> readStore(const QString &path)
{
    QHash<QString, QList<Stored>> out;
    queryStore(path,
        QStringLiteral("SELECT room_id, seq, id, CAST(client_id AS TEXT), CAST(user_id AS TEXT), "
                       "CAST(content AS TEXT), rev, edited_at, deleted, CAST(reactions AS TEXT) "
                       "FROM messages ORDER BY room_id, seq"),
        [&out](const QSqlQuery &q) {
            Stored s { q.value(2).toString(), q.value(1).toLongLong(), QUuid(q.value(3).toString()),
                q.value(4).toString(), q.value(5).toString(), q.value(6).toLongLong(),
                !q.value(7).isNull(), q.value(8).toInt() != 0, {} };
            const QJsonObject reactions
                = QJsonDocument::fromJson(q.value(9).toString().toUtf8()).object();
            for (auto it = reactions.begin(); it != reactions.end(); ++it) {
                QStringList users;
                for (const QJsonValue &u : it.value().toArray())
                    users.append(u.toString());
                s.reactions.insert(it.key(), users);
            }
            out[q.value(0).toString()].append(s);
        });
    return out;
}

//! The stored read markers: user id -> room id -> seq.
QHash<QString, QHash<QString, qint64>> readMarkers(const QString &path)
{
    QHash<QString, QHash<QString, qint64>> out;
    queryStore(path, QStringLiteral("SELECT CAST(user_id AS TEXT), room_id, seq FROM read_markers"),
        [&out](const QSqlQuery &q) {
            out[q.value(0).toString()][q.value(1).toString()] = q.value(2).toLongLong();
        });
    return out;
}

//! What still waits in a client's outbox file: one line per entry (kind, message id).
QStringList outboxLeft(const QString &path)
{
    QStringList out;
    queryStore(path, QStringLiteral("SELECT kind, message_id, client_id FROM outbox ORDER BY seq"),
        [&out](const QSqlQuery &q) {
            out.append(
                QStringLiteral("kind %1 of %2 (%3)")
                    .arg(q.value(0).toString(), q.value(1).toString(), q.value(2).toString()));
        });
    return out;
}

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok ? v : fallback;
}

} // namespace

class TestChaos : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        qRegisterMetaType<Client::State>();
        qRegisterMetaType<Client::Error>();
    }

    void messagesSurviveChaos()
    {
        const bool soak = qEnvironmentVariableIntValue("PALAVER_SOAK") > 0;
        const int clientCount = envInt("PALAVER_CHAOS_CLIENTS", 20);
        const int perClient = envInt("PALAVER_CHAOS_MESSAGES", soak ? 1000 : 100);
        const int restarts = soak ? 12 : 3;
        const int sendTickMs = 150;
        bool seedGiven = false;
        const quint32 seed
            = quint32(qEnvironmentVariableIntValue("PALAVER_CHAOS_SEED", &seedGiven));
        const quint32 usedSeed = seedGiven ? seed : QRandomGenerator::global()->generate();
        qInfo("chaos seed %u (replay with PALAVER_CHAOS_SEED=%u)", usedSeed, usedSeed);
        QRandomGenerator rng(usedSeed + 1);

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        StubConfig config;
        config.secret = QByteArrayLiteral("chaos-secret");
        config.dbPath = dir.filePath(QStringLiteral("stub.sqlite"));
        config.rooms = { { QStringLiteral("alpha"), QStringLiteral("Alpha"), false, {} },
            { QStringLiteral("beta"), QStringLiteral("Beta"), false, {} },
            { QStringLiteral("gamma"), QStringLiteral("Gamma"), false, {} } };
        config.recovery = true;
        config.pingInterval = 1000;
        config.pingTimeout = 1000;
        config.connectTimeout = 5000;
        config.rateBurst = 100000; // rate limits have their own tests; here they only slow
        config.ratePerSec = 100000;
        StubServer stub(config);
        QVERIFY2(stub.start(QHostAddress::LocalHost, 0), qPrintable(stub.errorString()));

        FaultProxy proxy;
        proxy.setSeed(usedSeed);
        proxy.setTarget(QHostAddress::LocalHost, stub.serverPort());
        QVERIFY(proxy.listen());

        const QStringList roomIds { QStringLiteral("alpha"), QStringLiteral("beta"),
            QStringLiteral("gamma") };
        ReconnectPolicy policy;
        policy.setInitialDelay(100);
        policy.setMaxDelay(1000);

        std::vector<std::unique_ptr<Client>> clients;
        QHash<Client *, int> connects;
        // What each client's Client::messageReceived delivered, per room: the stream every
        // consumer is fed from, checked apart from the Room's model.
        QHash<Client *, QHash<QString, QList<QPair<qint64, QString>>>> delivered;
        // Each message's state as the Client's signals tell it: first messageReceived, then
        // every messageUpdated (a state older than the one held is not applied).
        QHash<Client *, QHash<QString, Message>> signalled;
        QHash<Client *, QString> userOf;
        int refused = 0;
        int changesRefused = 0;
        for (int i = 0; i < clientCount; ++i) {
            auto client = std::make_unique<Client>();
            const QString user = QStringLiteral("u%1").arg(i, 2, 10, QLatin1Char('0'));
            client->setUrl(proxy.url());
            client->setToken(QString::fromUtf8(stub.makeToken(user)));
            client->setReconnectPolicy(policy);
            client->setConnectTimeout(3000);
            client->setRequestTimeout(3000);
            client->setOutboxPath(dir.filePath(user + QStringLiteral(".outbox")));
            Client *c = client.get();
            connect(c, &Client::connected, this, [&connects, c] { ++connects[c]; });
            userOf.insert(c, user);
            connect(
                c, &Client::messageReceived, this, [&delivered, &signalled, c](const Message &m) {
                    delivered[c][m.roomId].append({ m.seq, m.id });
                    Message &held = signalled[c][m.id];
                    if (held.id.isEmpty() || m.rev >= held.rev)
                        held = m;
                });
            connect(c, &Client::messageUpdated, this, [&signalled, c](const Message &m) {
                Message &held = signalled[c][m.id];
                if (held.id.isEmpty() || m.rev >= held.rev)
                    held = m;
            });
            connect(c, &Client::messageRefused, this,
                [&refused](const QUuid &, const QString &code, const QString &message) {
                    ++refused;
                    qWarning() << "refused:" << code << message;
                });
            clients.push_back(std::move(client));
        }
        const bool haveRooms = roomOf(clients.front().get(), roomIds.first()) != nullptr;
        if (!haveRooms)
            qInfo("no Client::room() in this tree: sending through Client::sendMessage, "
                  "timelines are not compared");

        for (auto &c : clients) {
            c->open();
            for (const QString &id : roomIds) {
                if (Room *r = roomOf(c.get(), id)) {
                    r->join();
                    connect(r, &Room::changeFailed, this,
                        [&changesRefused, r, user = userOf.value(c.get())](
                            const QString &messageId, const QString &code, const QString &message) {
                            ++changesRefused;
                            const int row = r->messages()->rowOfId(messageId);
                            qWarning()
                                << "change refused:" << user << r->id() << messageId << code
                                << message << "row" << row
                                << (row >= 0 ? r->messages()->message(row).content : QString());
                        });
                } else {
                    c->joinRoom(id);
                }
            }
        }
        QTRY_VERIFY_WITH_TIMEOUT(
            std::all_of(clients.begin(), clients.end(),
                [](auto &c) { return c->state() == Client::State::Connected; }),
            30000);
        if (haveRooms) {
            QTRY_VERIFY_WITH_TIMEOUT(
                std::all_of(clients.begin(), clients.end(),
                    [&](auto &c) {
                        return std::all_of(roomIds.begin(), roomIds.end(), [&](const QString &id) {
                            return roomOf(c.get(), id)->joinState() == Room::JoinState::Joined;
                        });
                    }),
                30000);
        }

        QElapsedTimer clock;
        clock.start();
        FaultProxy::Chaos chaos;
        chaos.cutMinMs = 150;
        chaos.cutMaxMs = 500;
        chaos.stallChance = 0.15;
        chaos.stallMaxMs = 2500;
        chaos.maxFragment = 700;
        chaos.maxDelayMs = 3;
        proxy.startChaos(chaos);

        // Sending: one message per client per tick, each to the next room; with the rooms
        // layer also the changes (see editedAtTick()/deletedAtTick()), a reaction now and then
        // and a read marker.
        QSet<QUuid> expected;
        QHash<QUuid, QString> expectedContent; //!< by clientId, what the store must end with
        QSet<QUuid> expectedDeleted;
        // Edited on the server; an edit of a send that had not left the outbox yet changes what
        // is sent instead, so that message is never edited there.
        QSet<QUuid> expectedEdited;
        int sent = 0;
        int edits = 0;
        int deletes = 0;
        int reactions = 0;
        int markers = 0;
        int tick = 0;
        int restarted = 0;
        const int ticks = perClient;
        QHash<Client *, QList<QPair<Room *, QString>>> ownSends; //!< per tick: room, clientId
        const QStringList emoji { QStringLiteral("\U0001F44D"), QStringLiteral("\U0001F389"),
            QStringLiteral("\u2764") };
        QTimer sender;
        sender.setInterval(sendTickMs);
        connect(&sender, &QTimer::timeout, this, [&] {
            for (int i = 0; i < clientCount; ++i) {
                Client *c = clients[size_t(i)].get();
                const QString roomId = roomIds.at((tick + i) % roomIds.size());
                const QString text = QStringLiteral("m %1/%2").arg(i).arg(tick);
                QUuid id;
                Room *room = roomOf(c, roomId);
                if (room)
                    id = QUuid(room->send(text).clientId);
                else
                    id = c->sendMessage(roomId, text);
                if (!id.isNull()) {
                    expected.insert(id);
                    expectedContent.insert(id, text);
                    ++sent;
                }
                if (!room)
                    continue;
                auto &own = ownSends[c];
                own.append({ room, id.toString(QUuid::WithoutBraces) });
                if (tick >= 1 && editedAtTick(tick - 1)) {
                    const auto &[r, clientId] = own.at(tick - 1);
                    const QString edited = QStringLiteral("m %1/%2*").arg(i).arg(tick - 1);
                    const Message m = r->edit(clientId, edited);
                    if (m.status == Message::Status::Pending) {
                        expectedContent.insert(QUuid(clientId), edited);
                        if (m.isEdited())
                            expectedEdited.insert(QUuid(clientId));
                        ++edits;
                    }
                }
                if (tick >= 2 && deletedAtTick(tick - 2)) {
                    const auto &[r, clientId] = own.at(tick - 2);
                    if (r->remove(clientId).status == Message::Status::Pending) {
                        expectedDeleted.insert(QUuid(clientId));
                        ++deletes;
                    }
                }
                // A reaction to one of the room's recent messages that will not be deleted.
                MessageModel *model = room->messages();
                if (model->count() > 0 && rng.bounded(2) == 0) {
                    const int row = model->count() - 1 - int(rng.bounded(qMin(model->count(), 40)));
                    const Message m = model->message(row);
                    const int at = tickOf(m.content);
                    if (m.status == Message::Status::Sent && !m.deleted && at >= 0
                        && !deletedAtTick(at)) {
                        const bool add = rng.bounded(4) != 0;
                        if (room->react(m.id, emoji.at(int(rng.bounded(3))), add).status
                            == Message::Status::Pending)
                            ++reactions;
                    }
                }
                if (rng.bounded(10) == 0) {
                    room->markRead();
                    ++markers;
                }
            }
            ++tick;
            // Restarts spread over the run, on the same port and database.
            if (restarted < restarts && tick == (restarted + 1) * ticks / (restarts + 1)) {
                ++restarted;
                QVERIFY(stub.restart());
            }
            if (tick >= ticks)
                sender.stop();
        });
        sender.start();
        QTRY_VERIFY_WITH_TIMEOUT(!sender.isActive(), qMax(120000, ticks * sendTickMs * 4));
        QCOMPARE(restarted, restarts);
        proxy.stopChaos();
        const qint64 chaosMs = clock.elapsed();

        // Convergence: all connected, every ack in, every timeline as long as the store says.
        auto converged = [&] {
            for (auto &c : clients) {
                if (c->state() != Client::State::Connected || c->pendingMessageCount() != 0)
                    return false;
                // Changes too: pendingMessageCount counts only sends.
                if (!outboxLeft(dir.filePath(userOf.value(c.get()) + QStringLiteral(".outbox")))
                         .isEmpty())
                    return false;
            }
            if (!haveRooms)
                return true;
            const auto store = readStore(config.dbPath);
            const auto marks = readMarkers(config.dbPath);
            for (auto &c : clients) {
                for (const QString &id : roomIds) {
                    Room *r = roomOf(c.get(), id);
                    const auto &stream = store.value(id);
                    MessageModel *model = r->messages();
                    if (r->joinState() != Room::JoinState::Joined || model->count() != stream.size()
                        || delivered[c.get()][id].size() < stream.size()
                        || r->readSeq() != marks.value(userOf.value(c.get())).value(id))
                        return false;
                    // Every change has arrived, in the model and through the signals (a change
                    // still in the outbox shows in the row before the store has it).
                    const auto &held = signalled[c.get()];
                    for (int row = 0; row < model->count(); ++row) {
                        if (!sameState(model->message(row), stream.at(row))
                            || !sameState(held.value(stream.at(row).id), stream.at(row)))
                            return false;
                    }
                }
            }
            return true;
        };
        // Waited for, not asserted at once: when it does not settle, the figures below tell how.
        const bool settled = QTest::qWaitFor(converged, 120000);
        const qint64 totalMs = clock.elapsed();

        // Exactly once in the store.
        const auto store = readStore(config.dbPath);
        QHash<QUuid, int> seen;
        int rows = 0;
        for (const QString &id : roomIds) {
            const auto &stream = store.value(id);
            for (int k = 0; k < stream.size(); ++k) {
                QCOMPARE(stream.at(k).seq, qint64(k + 1)); // gap-free in the store too
                ++seen[stream.at(k).clientId];
                ++rows;
            }
        }
        int lost = 0;
        for (const QUuid &id : std::as_const(expected))
            lost += seen.contains(id) ? 0 : 1;
        int duplicated = 0;
        for (auto it = seen.cbegin(); it != seen.cend(); ++it)
            duplicated += it.value() - 1;
        // Every change made reached the store, and nothing else changed a message.
        int changesLost = 0;
        for (const QString &id : roomIds) {
            for (const Stored &m : store.value(id)) {
                const bool deleted = expectedDeleted.contains(m.clientId);
                const QString content = deleted ? QString() : expectedContent.value(m.clientId);
                if (m.deleted != deleted || m.content != content
                    || m.edited != expectedEdited.contains(m.clientId)) {
                    ++changesLost;
                    qWarning() << "stored state differs:" << m.id << m.content << m.deleted
                               << "expected" << content << deleted;
                }
            }
        }
        // Every change was answered: nothing waits in any outbox (pendingMessageCount counts
        // only sends).
        int changesWaiting = 0;
        for (auto &c : clients) {
            const QStringList left
                = outboxLeft(dir.filePath(userOf.value(c.get()) + QStringLiteral(".outbox")));
            changesWaiting += int(left.size());
            for (const QString &line : left)
                qWarning() << "still in the outbox of" << userOf.value(c.get()) << line;
        }
        int reactedMessages = 0;
        for (const QString &id : roomIds) {
            for (const Stored &m : store.value(id))
                reactedMessages += m.reactions.isEmpty() ? 0 : 1;
        }
        const auto marks = readMarkers(config.dbPath);
        int markersStored = 0;
        for (auto it = marks.cbegin(); it != marks.cend(); ++it)
            markersStored += int(it.value().size());
        int timelineMismatches = 0;
        int signalMismatches = 0; //!< Client::messageReceived streams not equal to the store's
        int stateMismatches = 0; //!< messages whose signalled state is not the stored one
        for (auto &c : clients) {
            for (const QString &id : roomIds) {
                const auto &got = delivered[c.get()][id];
                const auto &stream = store.value(id);
                bool same = got.size() == stream.size();
                for (int k = 0; same && k < got.size(); ++k)
                    same = got.at(k).first == stream.at(k).seq
                        && got.at(k).second == stream.at(k).id;
                signalMismatches += same ? 0 : 1;
                if (!haveRooms)
                    continue;
                const auto &held = signalled[c.get()];
                for (const Stored &m : stream)
                    stateMismatches += sameState(held.value(m.id), m) ? 0 : 1;
            }
        }
        if (haveRooms) {
            for (auto &c : clients) {
                for (const QString &id : roomIds) {
                    MessageModel *model = roomOf(c.get(), id)->messages();
                    const auto &stream = store.value(id);
                    bool same = model->count() == stream.size();
                    for (int row = 0; same && row < model->count(); ++row) {
                        const Message m = model->message(row);
                        same = sameState(m, stream.at(row));
                        if (!same)
                            qWarning()
                                << "model of" << userOf.value(c.get()) << id << "row" << row
                                << "shows" << m.id << m.seq << m.content << m.rev << m.deleted
                                << m.reactions.size() << int(m.status) << "stored"
                                << stream.at(row).id << stream.at(row).content << stream.at(row).rev
                                << stream.at(row).deleted << stream.at(row).reactions.size();
                    }
                    if (model->count() != stream.size())
                        qWarning() << "model of" << userOf.value(c.get()) << id << "has"
                                   << model->count() << "rows, stored" << stream.size();
                    timelineMismatches += same ? 0 : 1;
                }
            }
        }
        int reconnects = 0;
        for (auto it = connects.cbegin(); it != connects.cend(); ++it)
            reconnects += it.value() - 1;

        const auto &st = proxy.stats();
        qInfo("chaos figures: seed %u, %d clients x %d messages in %d rooms", usedSeed, clientCount,
            perClient, int(roomIds.size()));
        qInfo("chaos figures: faults injected %d (cuts %d, stalls %d, stub restarts %d), "
              "reconnects %d, proxy connections %d",
            st.cuts + st.stalls + restarted, st.cuts, st.stalls, restarted, reconnects,
            st.accepted);
        qInfo("chaos figures: messages sent %d, stored %d, lost %d, duplicated %d, refused %d, "
              "timelines compared %d, mismatched %d; Client::messageReceived streams compared "
              "%d, mismatched %d",
            sent, rows, lost, duplicated, refused,
            haveRooms ? clientCount * int(roomIds.size()) : 0, timelineMismatches,
            clientCount * int(roomIds.size()), signalMismatches);
        qInfo("chaos figures: changes made: edits %d, deletes %d, reactions %d, read markers "
              "%d; stored: messages with reactions %d, read markers %d; changes lost %d, "
              "refused %d, still waiting %d; signalled states mismatched %d",
            edits, deletes, reactions, markers, reactedMessages, markersStored, changesLost,
            changesRefused, changesWaiting, stateMismatches);
        qInfo("chaos figures: duration %.1f s under faults, %.1f s to converge", chaosMs / 1000.0,
            (totalMs - chaosMs) / 1000.0);

        QVERIFY2(settled, "the clients did not converge to the store's state in 120 s");
        QCOMPARE(sent, clientCount * perClient);
        QCOMPARE(lost, 0);
        QCOMPARE(duplicated, 0);
        QCOMPARE(rows, sent);
        QCOMPARE(refused, 0);
        QCOMPARE(timelineMismatches, 0);
        QCOMPARE(signalMismatches, 0);
        QVERIFY(st.cuts > 0);
        if (haveRooms) {
            QCOMPARE(changesLost, 0);
            QCOMPARE(changesRefused, 0);
            QCOMPARE(changesWaiting, 0);
            QCOMPARE(stateMismatches, 0);
            QVERIFY(edits > 0 && deletes > 0 && reactions > 0 && markers > 0);
            QVERIFY(reactedMessages > 0);
            QVERIFY(markersStored > 0);
        }
        for (auto &c : clients) {
            QCOMPARE(c->pendingMessageCount(), 0);
            c->close();
        }
    }
};

QTEST_GUILESS_MAIN(TestChaos)
#include "tst_chaos.moc"
