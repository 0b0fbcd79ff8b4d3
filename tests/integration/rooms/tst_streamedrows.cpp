// SPDX-License-Identifier: MIT
// Issue #15: a Room whose messages nobody but its model takes gets the plain ones (ASCII, no
// escapes, no v1.1 state, not our own) into its rows straight from the frames, without a
// Message. Every public path must see what it sees when Messages are made:
// - the MessageModel: every role of every row the same as a Room's whose messageReceived has a
//   listener (and so takes Messages), over contents of every kind (non-ASCII, escapes, mentions,
//   our own, empty client ids);
// - Room::lastMessage(), unreadCount(), mentionCount() and the room list's row;
// - a reaction of ours to a message that came as a row: shown in the row at once, in
//   lastMessage() once the server made it; an edit: the row and lastMessage() show it;
// - a listener connected later (to Room::messageReceived or Client::messageReceived) gets every
//   message from then on.
#include "modelwatch.h"
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>
#include <Palaver/roomlistmodel.h>

#include <QLoggingCategory>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Palaver;
using Palaver::Stub::StubConfig;
using Palaver::Stub::StubServer;
using Palaver::Testing::ModelWatch;

namespace {

const QString General = QStringLiteral("general");

//! What differs between row `row` of two models over every role but the viewer's own
//! (isOwn, mentionsMe); empty when nothing does.
QString rowDifferences(const MessageModel *a, const MessageModel *b, int row)
{
    QStringList out;
    const auto roles = a->roleNames();
    for (auto it = roles.cbegin(); it != roles.cend(); ++it) {
        if (it.key() == MessageModel::IsOwnRole || it.key() == MessageModel::MentionsMeRole)
            continue;
        const QVariant x = a->data(a->index(row), it.key());
        const QVariant y = b->data(b->index(row), it.key());
        if (x != y)
            out << QStringLiteral("%1: %2 != %3")
                       .arg(QString::fromLatin1(it.value()), x.toString().left(60),
                           y.toString().left(60));
    }
    return out.join(QStringLiteral("; "));
}

QVariant roomListValue(const RoomListModel *list, const QString &roomId, int role)
{
    for (int row = 0; row < list->rowCount(); ++row) {
        const QModelIndex index = list->index(row);
        if (index.data(RoomListModel::IdRole).toString() == roomId)
            return index.data(role);
    }
    return {};
}

} // namespace

class TestStreamedRows : public QObject {
    Q_OBJECT

    std::unique_ptr<StubServer> m_server;

    std::unique_ptr<Client> makeClient(const QString &user)
    {
        auto client = std::make_unique<Client>();
        client->setUrl(m_server->url());
        client->setToken(QString::fromUtf8(m_server->makeToken(user, user.toUpper())));
        client->setRequestTimeout(10000);
        return client;
    }

    Room *joinedRoom(Client &client)
    {
        Room *room = client.room(General);
        client.open();
        room->join();
        if (!QTest::qWaitFor(
                [room] { return room->joinState() == Room::JoinState::Joined; }, 10000))
            return nullptr;
        return room;
    }

private Q_SLOTS:
    void initTestCase()
    {
        // The rooms tell which way their messages take.
        QLoggingCategory::setFilterRules(QStringLiteral("palaver.models.debug=true"));
    }

    void init()
    {
        StubConfig c;
        c.secret = QByteArrayLiteral("streamed-rows-integration-secret");
        c.rooms = { { General, QStringLiteral("General"), false, {} } };
        c.rateBurst = 100000;
        c.ratePerSec = 100000;
        m_server = std::make_unique<StubServer>(c);
        QVERIFY2(m_server->start(QHostAddress::LocalHost, 0), qPrintable(m_server->errorString()));
    }
    void cleanup() { m_server.reset(); }

    void everyPathSeesTheSameRows()
    {
        auto sender = makeClient(QStringLiteral("sender"));
        Room *sRoom = joinedRoom(*sender);
        QVERIFY(sRoom);

        // Bob listens to his Room's messages: they come to him as Messages.
        auto bob = makeClient(QStringLiteral("bob"));
        QList<qint64> bobSeqs;
        Room *bRoom = bob->room(General);
        connect(bRoom, &Room::messageReceived, this,
            [&bobSeqs](const Message &m) { bobSeqs.append(m.seq); });
        QVERIFY(joinedRoom(*bob));
        // Carol only shows her Room's model (and the room list).
        auto carol = makeClient(QStringLiteral("carol"));
        ModelWatch watch;
        watch.room(carol->room(General));
        watch.add(carol->roomList());
        QTest::ignoreMessage(QtDebugMsg,
            QRegularExpression(QStringLiteral("room \"general\" takes its messages into its "
                                              "model straight from the frames")));
        Room *cRoom = joinedRoom(*carol);
        QVERIFY(cRoom);
        MessageModel *cModel = cRoom->messages();
        MessageModel *bModel = bRoom->messages();

        // Every kind of content; the plain ones go straight into Carol's rows, the others as
        // Messages, interleaved.
        const QStringList texts { QStringLiteral("plain ascii"), QStringLiteral("caf\u00e9"),
            QStringLiteral("plain again"), QStringLiteral("\U0001F600 emoji"),
            QStringLiteral("a \"quoted\" word and a \\ backslash"), QStringLiteral("two\nlines"),
            QStringLiteral("@carol look"), QStringLiteral("hello @bob"),
            QStringLiteral("x").repeated(4000), QStringLiteral("the last plain one") };
        for (const QString &text : texts)
            QCOMPARE(sRoom->send(text).status, Message::Status::Pending);
        QTRY_COMPARE_WITH_TIMEOUT(sender->pendingMessageCount(), 0, 10000);
        QCOMPARE(cRoom->send(QStringLiteral("carol's own")).status, Message::Status::Pending);
        QTRY_COMPARE_WITH_TIMEOUT(carol->pendingMessageCount(), 0, 10000);
        QCOMPARE(sRoom->send(QStringLiteral("really the last")).status, Message::Status::Pending);
        const qint64 total = texts.size() + 2;
        QTRY_COMPARE_WITH_TIMEOUT(bModel->lastSeq(), total, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(cModel->lastSeq(), total, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(cModel->count(), int(total), 10000);
        QCOMPARE(bModel->count(), int(total));

        for (int row = 0; row < cModel->count(); ++row) {
            const QString problem = rowDifferences(bModel, cModel, row);
            QVERIFY2(problem.isEmpty(), qPrintable(QStringLiteral("row %1: ").arg(row) + problem));
        }
        QCOMPARE(cModel->data(cModel->index(6), MessageModel::MentionsMeRole).toBool(), true);
        QCOMPARE(cModel->data(cModel->index(10), MessageModel::IsOwnRole).toBool(), true);
        QCOMPARE(cModel->data(cModel->index(0), MessageModel::IsOwnRole).toBool(), false);

        // The room's own counters and its last message, as if every message had been one.
        const Message last = cRoom->lastMessage();
        QCOMPARE(last.seq, total);
        QCOMPARE(last.content, QStringLiteral("really the last"));
        QCOMPARE(last.authorId, QStringLiteral("sender"));
        QCOMPARE(last.authorName, QStringLiteral("SENDER"));
        QCOMPARE(last.roomId, General);
        QCOMPARE(last.status, Message::Status::Sent);
        QCOMPARE(last.id, bRoom->lastMessage().id);
        QCOMPARE(last.createdAt, bRoom->lastMessage().createdAt);
        QCOMPARE(last.clientId, bRoom->lastMessage().clientId);
        QCOMPARE(cRoom->unreadCount(), int(total) - 1); // all but her own
        QCOMPARE(cRoom->mentionCount(), 1);
        QTRY_COMPARE(
            roomListValue(carol->roomList(), General, RoomListModel::LastMessageRole).toString(),
            QStringLiteral("really the last"));
        QCOMPARE(roomListValue(carol->roomList(), General, RoomListModel::UnreadCountRole).toInt(),
            int(total) - 1);

        // A reaction shows in the row at once; the last message keeps the server's state
        // until the server makes it (as it does when the last message was never a row).
        QCOMPARE(
            cRoom->react(last.id, QStringLiteral("\U0001F44D")).status, Message::Status::Pending);
        QCOMPARE(cModel->data(cModel->index(int(total) - 1), MessageModel::ReactionsRole)
                     .toList()
                     .size(),
            1);
        QVERIFY(cRoom->lastMessage().reactions.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(cRoom->lastMessage().reactions.size(), 1, 10000);

        // An edit of a message that came as a row: the row and the last message show it.
        QSignalSpy lastChanged(cRoom, &Room::lastMessageChanged);
        QCOMPARE(
            sRoom->edit(last.id, QStringLiteral("edited last")).status, Message::Status::Pending);
        QTRY_VERIFY_WITH_TIMEOUT(
            cRoom->lastMessage().content == QStringLiteral("edited last"), 10000);
        QVERIFY(cRoom->lastMessage().isEdited());
        QVERIFY(!lastChanged.isEmpty());
        QCOMPARE(cModel->data(cModel->index(int(total) - 1), MessageModel::ContentRole).toString(),
            QStringLiteral("edited last"));

        // Listeners that come later get every message from then on, by either signal.
        QList<qint64> roomSeqs;
        connect(cRoom, &Room::messageReceived, this,
            [&roomSeqs](const Message &m) { roomSeqs.append(m.seq); });
        QCOMPARE(sRoom->send(QStringLiteral("for the room's listener")).status,
            Message::Status::Pending);
        QTRY_COMPARE_WITH_TIMEOUT(roomSeqs, QList<qint64> { total + 1 }, 10000);
        QList<qint64> clientSeqs;
        connect(carol.get(), &Client::messageReceived, this,
            [&clientSeqs](const Message &m) { clientSeqs.append(m.seq); });
        QCOMPARE(sRoom->send(QStringLiteral("for both")).status, Message::Status::Pending);
        QTRY_COMPARE_WITH_TIMEOUT(clientSeqs, QList<qint64> { total + 2 }, 10000);
        QCOMPARE(roomSeqs, (QList<qint64> { total + 1, total + 2 }));
        QTRY_COMPARE_WITH_TIMEOUT(cModel->count(), int(total) + 2, 10000);
        QCOMPARE(cRoom->lastMessage().content, QStringLiteral("for both"));
        QCOMPARE(bobSeqs.size(), int(total) + 2);
    }

    void lastMessageSurvivesAReset()
    {
        // The last message may still be only a row when the model is cleared.
        auto sender = makeClient(QStringLiteral("sender"));
        Room *sRoom = joinedRoom(*sender);
        QVERIFY(sRoom);
        auto carol = makeClient(QStringLiteral("carol"));
        Room *cRoom = joinedRoom(*carol);
        QVERIFY(cRoom);
        QCOMPARE(sRoom->send(QStringLiteral("kept")).status, Message::Status::Pending);
        QTRY_COMPARE_WITH_TIMEOUT(cRoom->messages()->count(), 1, 10000);
        cRoom->messages()->clear();
        QCOMPARE(cRoom->messages()->count(), 0);
        QCOMPARE(cRoom->lastMessage().content, QStringLiteral("kept"));
        QCOMPARE(cRoom->lastMessage().seq, 1);
    }
};

QTEST_GUILESS_MAIN(TestStreamedRows)
#include "tst_streamedrows.moc"
