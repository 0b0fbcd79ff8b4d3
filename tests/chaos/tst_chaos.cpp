// SPDX-License-Identifier: MIT
// Chaos: 20 Clients in 3 rooms send 100 messages each through Room::send while a fault proxy
// cuts and stalls their connections at random and the stub restarts 3 times on the same
// database. Afterwards every message is stored exactly once, every client's timeline of every
// room is exactly the stored stream in seq order, in its MessageModel and through
// Client::messageReceived alike, and every request has finished.
//
// PALAVER_CHAOS_SEED=<n> replays a seed (it is printed); PALAVER_SOAK=1 runs a longer soak.
#include "faultproxy.h"
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QElapsedTimer>
#include <QHash>
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

struct Stored {
    QString id;
    qint64 seq = 0;
    QUuid clientId;
    QString userId;
};

//! The stub's database, read through a connection of our own (WAL: readers do not block it).
QHash<QString, QList<Stored>> readStore(const QString &path)
{
    QHash<QString, QList<Stored>> out;
    const QString name = QStringLiteral("chaos-check");
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        if (!db.open())
            return out;
        QSqlQuery q(db);
        q.exec(QStringLiteral("SELECT room_id, seq, id, CAST(client_id AS TEXT), "
                              "CAST(user_id AS TEXT) FROM messages ORDER BY room_id, seq"));
        while (q.next())
            out[q.value(0).toString()].append({ q.value(2).toString(), q.value(1).toLongLong(),
                QUuid(q.value(3).toString()), q.value(4).toString() });
    }
    QSqlDatabase::removeDatabase(name);
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
        int refused = 0;
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
            connect(c, &Client::messageReceived, this, [&delivered, c](const Message &m) {
                delivered[c][m.roomId].append({ m.seq, m.id });
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
                if (Room *r = roomOf(c.get(), id))
                    r->join();
                else
                    c->joinRoom(id);
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

        // Sending: one message per client per tick, each to the next room.
        QSet<QUuid> expected;
        int sent = 0;
        int tick = 0;
        int restarted = 0;
        const int ticks = perClient;
        QTimer sender;
        sender.setInterval(sendTickMs);
        connect(&sender, &QTimer::timeout, this, [&] {
            for (int i = 0; i < clientCount; ++i) {
                Client *c = clients[size_t(i)].get();
                const QString roomId = roomIds.at((tick + i) % roomIds.size());
                const QString text = QStringLiteral("m %1/%2").arg(i).arg(tick);
                QUuid id;
                if (Room *r = roomOf(c, roomId))
                    id = QUuid(r->send(text).clientId);
                else
                    id = c->sendMessage(roomId, text);
                if (!id.isNull()) {
                    expected.insert(id);
                    ++sent;
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
            }
            if (!haveRooms)
                return true;
            const auto store = readStore(config.dbPath);
            for (auto &c : clients) {
                for (const QString &id : roomIds) {
                    Room *r = roomOf(c.get(), id);
                    if (r->joinState() != Room::JoinState::Joined
                        || r->messages()->count() != store.value(id).size()
                        || delivered[c.get()][id].size() < store.value(id).size())
                        return false;
                }
            }
            return true;
        };
        QTRY_VERIFY_WITH_TIMEOUT(converged(), 120000);
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
        int timelineMismatches = 0;
        int signalMismatches = 0; //!< Client::messageReceived streams not equal to the store's
        for (auto &c : clients) {
            for (const QString &id : roomIds) {
                const auto &got = delivered[c.get()][id];
                const auto &stream = store.value(id);
                bool same = got.size() == stream.size();
                for (int k = 0; same && k < got.size(); ++k)
                    same = got.at(k).first == stream.at(k).seq
                        && got.at(k).second == stream.at(k).id;
                signalMismatches += same ? 0 : 1;
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
                        same = m.status == Message::Status::Sent && m.seq == stream.at(row).seq
                            && m.id == stream.at(row).id;
                    }
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
        qInfo("chaos figures: duration %.1f s under faults, %.1f s to converge", chaosMs / 1000.0,
            (totalMs - chaosMs) / 1000.0);

        QCOMPARE(sent, clientCount * perClient);
        QCOMPARE(lost, 0);
        QCOMPARE(duplicated, 0);
        QCOMPARE(rows, sent);
        QCOMPARE(refused, 0);
        QCOMPARE(timelineMismatches, 0);
        QCOMPARE(signalMismatches, 0);
        QVERIFY(st.cuts > 0);
        for (auto &c : clients) {
            QCOMPARE(c->pendingMessageCount(), 0);
            c->close();
        }
    }
};

QTEST_GUILESS_MAIN(TestChaos)
#include "tst_chaos.moc"
