// SPDX-License-Identifier: MIT
#include <Palaver/message.h>
#include <Palaver/roomlistmodel.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Palaver;
using namespace Qt::Literals::StringLiterals;

namespace {

RoomSummary room(const QString &id, const QString &name, bool isPrivate = false)
{
    RoomSummary r;
    r.id = id;
    r.name = name;
    r.isPrivate = isPrivate;
    return r;
}

Message message(const QString &roomId, const QString &content, const QDateTime &at)
{
    Message m;
    m.roomId = roomId;
    m.seq = 1;
    m.authorId = u"bob"_s;
    m.authorName = u"Bob"_s;
    m.content = content;
    m.createdAt = at;
    return m;
}

const QDateTime Noon(QDate(2026, 1, 1), QTime(12, 0), Qt::UTC);

} // namespace

class TestRoomListModel : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<RoomListModel> model;
    std::unique_ptr<QAbstractItemModelTester> tester;

    QStringList ids() const
    {
        QStringList out;
        for (int i = 0; i < model->rowCount(); ++i)
            out << model->data(model->index(i), RoomListModel::IdRole).toString();
        return out;
    }
    QVariant at(const QString &id, int role) const
    {
        return model->data(model->index(model->rowOf(id)), role);
    }

private Q_SLOTS:
    void init()
    {
        model = std::make_unique<RoomListModel>();
        tester = std::make_unique<QAbstractItemModelTester>(
            model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester->setUseFetchMore(true);
    }

    void cleanup()
    {
        tester.reset();
        model.reset();
    }

    void roleNames()
    {
        const auto names = model->roleNames();
        QCOMPARE(names.value(RoomListModel::IsPrivateRole), "isPrivate");
        QCOMPARE(names.value(RoomListModel::UnreadCountRole), "unreadCount");
        QCOMPARE(names.value(RoomListModel::LastMessageRole), "lastMessage");
        QCOMPARE(names.value(RoomListModel::LastActivityRole), "lastActivity");
    }

    void sessionReadyIsOneInsertByName()
    {
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        model->setRooms({ room(u"staff"_s, u"Staff"_s, true), room(u"general"_s, u"General"_s),
            room(u"random"_s, u"random"_s) });
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(ids(), (QStringList { u"general"_s, u"random"_s, u"staff"_s }));
        QVERIFY(at(u"staff"_s, RoomListModel::IsPrivateRole).toBool());
        QVERIFY(!at(u"general"_s, RoomListModel::JoinedRole).toBool());
    }

    void unreadAndReadWithRoles()
    {
        model->setRooms({ room(u"general"_s, u"General"_s), room(u"random"_s, u"Random"_s) });
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy total(model.get(), &RoomListModel::totalUnreadChanged);
        QVERIFY(model->incrementUnread(u"general"_s));
        QVERIFY(model->incrementUnread(u"general"_s, 2));
        QVERIFY(model->incrementUnread(u"random"_s));
        QVERIFY(!model->incrementUnread(u"nowhere"_s));
        QCOMPARE(at(u"general"_s, RoomListModel::UnreadCountRole).toInt(), 3);
        QCOMPARE(model->totalUnread(), 4);
        QCOMPARE(changed.at(0).at(2).value<QList<int>>(),
            (QList<int> { RoomListModel::UnreadCountRole }));
        QVERIFY(model->markRead(u"general"_s));
        QVERIFY(!model->markRead(u"general"_s));
        QCOMPARE(model->totalUnread(), 1);
        QCOMPARE(total.size(), 4);
    }

    void joinedAndLastMessage()
    {
        model->setRooms({ room(u"general"_s, u"General"_s) });
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        QVERIFY(model->setJoined(u"general"_s, true));
        QVERIFY(!model->setJoined(u"general"_s, true));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(
            changed.at(0).at(2).value<QList<int>>(), (QList<int> { RoomListModel::JoinedRole }));

        QVERIFY(model->setLastMessage(message(u"general"_s, u"hello\nworld"_s, Noon)));
        QCOMPARE(changed.size(), 2);
        QCOMPARE(changed.at(1).at(2).value<QList<int>>(),
            (QList<int> { RoomListModel::LastAuthorNameRole, RoomListModel::LastMessageRole,
                RoomListModel::LastActivityRole }));
        QCOMPARE(at(u"general"_s, RoomListModel::LastMessageRole).toString(), u"hello world"_s);
        QCOMPARE(at(u"general"_s, RoomListModel::LastAuthorNameRole).toString(), u"Bob"_s);
        QCOMPARE(at(u"general"_s, RoomListModel::LastActivityRole).toDateTime(), Noon);

        // Older history does not replace the preview.
        QVERIFY(!model->setLastMessage(message(u"general"_s, u"old"_s, Noon.addSecs(-60))));
        QCOMPARE(at(u"general"_s, RoomListModel::LastMessageRole).toString(), u"hello world"_s);

        // Long content is cut to a one-line preview.
        QVERIFY(model->setLastMessage(message(u"general"_s, QString(5000, u'x'), Noon.addSecs(1))));
        QCOMPARE(at(u"general"_s, RoomListModel::LastMessageRole).toString().size(),
            RoomListModel::PreviewLength);
    }

    void sessionReadyAgainKeepsLocalState()
    {
        model->setRooms({ room(u"general"_s, u"General"_s), room(u"old"_s, u"Old"_s) });
        model->setJoined(u"general"_s, true);
        model->incrementUnread(u"general"_s, 5);
        QSignalSpy reset(model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy removed(model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy moved(model.get(), &QAbstractItemModel::rowsMoved);
        model->setRooms({ room(u"new"_s, u"New"_s), room(u"general"_s, u"Town square"_s) });
        QCOMPARE(reset.size(), 0);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(moved.size(), 1); // renamed: sorts after "New"
        QCOMPARE(ids(), (QStringList { u"new"_s, u"general"_s }));
        QVERIFY(at(u"general"_s, RoomListModel::JoinedRole).toBool());
        QCOMPARE(at(u"general"_s, RoomListModel::UnreadCountRole).toInt(), 5);
        QCOMPARE(at(u"general"_s, RoomListModel::NameRole).toString(), u"Town square"_s);
        QCOMPARE(model->totalUnread(), 5);
        QVERIFY(model->removeRoom(u"general"_s));
        QCOMPARE(model->totalUnread(), 0);
        QCOMPARE(model->room(0).id, u"new"_s);
    }
};

QTEST_GUILESS_MAIN(TestRoomListModel)
#include "tst_roomlistmodel.moc"
