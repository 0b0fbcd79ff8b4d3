// SPDX-License-Identifier: MIT
#include <Palaver/messagemodel.h>

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Palaver;
using namespace Qt::Literals::StringLiterals;

namespace {

const QDateTime Base(QDate(2026, 1, 1), QTime(10, 0), Qt::UTC);

Message msg(
    qint64 seq, const QString &author = u"bob"_s, QDateTime at = {}, const QString &clientId = {})
{
    Message m;
    m.id = u"m"_s + QString::number(seq);
    m.roomId = u"general"_s;
    m.seq = seq;
    m.authorId = author;
    m.authorName = author.toUpper();
    m.content = u"message "_s + QString::number(seq);
    m.createdAt = at.isValid() ? at : Base.addSecs(seq);
    m.clientId = clientId;
    return m;
}

Message pending(const QString &content, const QString &clientId = {})
{
    Message m;
    m.roomId = u"general"_s;
    m.authorId = u"alice"_s;
    m.authorName = u"Alice"_s;
    m.content = content;
    m.clientId = clientId;
    m.status = Message::Status::Pending;
    m.createdAt = Base.addDays(1);
    return m;
}

QList<Message> range(qint64 from, qint64 to)
{
    QList<Message> list;
    for (qint64 s = from; s <= to; ++s)
        list.append(msg(s));
    return list;
}

QList<int> rolesOf(const QSignalSpy &spy, int i)
{
    return spy.at(i).at(2).value<QList<int>>();
}

} // namespace

class TestMessageModel : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<MessageModel> model;
    std::unique_ptr<QAbstractItemModelTester> tester;

    QList<qint64> seqs() const
    {
        QList<qint64> out;
        for (int i = 0; i < model->rowCount(); ++i)
            out << model->data(model->index(i), MessageModel::SeqRole).toLongLong();
        return out;
    }
    QVariant at(int row, int role) const { return model->data(model->index(row), role); }

private Q_SLOTS:
    void init()
    {
        model = std::make_unique<MessageModel>();
        // Before any data arrives, with fetchMore on, as a view would do.
        tester = std::make_unique<QAbstractItemModelTester>(
            model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        tester->setUseFetchMore(true);
        model->setOwnUserId(u"alice"_s);
    }

    void cleanup()
    {
        tester.reset();
        model.reset();
    }

    void roleNamesAreCamelCase()
    {
        const auto names = model->roleNames();
        QCOMPARE(names.value(MessageModel::IdRole), "id");
        QCOMPARE(names.value(MessageModel::AuthorNameRole), "authorName");
        QCOMPARE(names.value(MessageModel::IsOwnRole), "isOwn");
        QCOMPARE(names.value(MessageModel::ClientIdRole), "clientId");
        QCOMPARE(names.value(MessageModel::FirstOfAuthorRunRole), "firstOfAuthorRun");
        QCOMPARE(names.value(MessageModel::FirstOfDayRole), "firstOfDay");
        QCOMPARE(names.size(), MessageModel::LastRole - MessageModel::IdRole);
    }

    void v11RolesHaveV1Defaults()
    {
        model->appendMessages(range(1, 2));
        QCOMPARE(model->roleNames().value(MessageModel::ReplyToExcerptRole), "replyToExcerpt");
        QCOMPARE(model->roleNames().value(MessageModel::MentionsMeRole), "mentionsMe");
        QCOMPARE(at(0, MessageModel::EditedRole).toBool(), false);
        QVERIFY(!at(0, MessageModel::EditedAtRole).toDateTime().isValid());
        QCOMPARE(at(0, MessageModel::DeletedRole).toBool(), false);
        QVERIFY(at(0, MessageModel::ReactionsRole).toList().isEmpty());
        QVERIFY(at(0, MessageModel::ReplyToIdRole).toString().isEmpty());
        QCOMPARE(at(0, MessageModel::MentionsMeRole).toBool(), false);
    }

    void v11FieldsShowInTheirRoles()
    {
        Message m = msg(1);
        m.rev = 3;
        m.editedAt = Base.addSecs(60);
        m.reactions = { MessageReaction { u"ok"_s, { u"alice"_s, u"bob"_s } },
            MessageReaction { u"x"_s, { u"bob"_s } } };
        m.replyTo = MessageReply { u"m0"_s, 7, u"carol"_s, u"Carol"_s, u"earlier"_s, false };
        m.mentions = { u"alice"_s };
        Message own = msg(2, u"alice"_s);
        own.mentions = { u"alice"_s }; // one's own message never mentions oneself
        model->appendMessages({ m, own });
        QVERIFY(at(0, MessageModel::EditedRole).toBool());
        QCOMPARE(at(0, MessageModel::EditedAtRole).toDateTime(), Base.addSecs(60));
        const QVariantList reactions = at(0, MessageModel::ReactionsRole).toList();
        QCOMPARE(reactions.size(), 2);
        const QVariantMap ok = reactions.at(0).toMap();
        QCOMPARE(ok.value(u"emoji"_s).toString(), u"ok"_s);
        QCOMPARE(ok.value(u"count"_s).toInt(), 2);
        QCOMPARE(ok.value(u"mine"_s).toBool(), true);
        QCOMPARE(ok.value(u"users"_s).toStringList(), QStringList({ u"alice"_s, u"bob"_s }));
        QCOMPARE(reactions.at(1).toMap().value(u"mine"_s).toBool(), false);
        QCOMPARE(at(0, MessageModel::ReplyToIdRole).toString(), u"m0"_s);
        QCOMPARE(at(0, MessageModel::ReplyToAuthorRole).toString(), u"Carol"_s);
        QCOMPARE(at(0, MessageModel::ReplyToExcerptRole).toString(), u"earlier"_s);
        QCOMPARE(at(0, MessageModel::ReplyToDeletedRole).toBool(), false);
        QCOMPARE(at(0, MessageModel::MentionsMeRole).toBool(), true);
        QCOMPARE(at(1, MessageModel::MentionsMeRole).toBool(), false);
        QCOMPARE(model->message(0).reactions, m.reactions);
        QCOMPARE(model->message(0).replyTo, m.replyTo);
        QCOMPARE(model->message(0).rev, 3);
    }

    void updateChangesTheRowInPlaceWithItsRoles()
    {
        model->appendMessages(range(1, 3));
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy reset(model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy removed(model.get(), &QAbstractItemModel::rowsRemoved);

        Message edit = msg(2);
        edit.rev = 1;
        edit.content = u"edited"_s;
        edit.editedAt = Base.addSecs(100);
        QVERIFY(model->updateMessage(edit));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).toModelIndex().row(), 1);
        QCOMPARE(changed.at(0).at(1).toModelIndex().row(), 1);
        QCOMPARE(rolesOf(changed, 0),
            (QList<int> {
                MessageModel::ContentRole, MessageModel::EditedRole, MessageModel::EditedAtRole }));
        QCOMPARE(at(1, MessageModel::ContentRole).toString(), u"edited"_s);

        Message react = edit;
        react.rev = 2;
        react.reactions = { MessageReaction { u"ok"_s, { u"bob"_s } } };
        QVERIFY(model->updateMessage(react));
        QCOMPARE(rolesOf(changed, 1), QList<int> { MessageModel::ReactionsRole });

        Message tombstone = react;
        tombstone.rev = 3;
        tombstone.content.clear();
        tombstone.reactions.clear();
        tombstone.deleted = true;
        tombstone.deletedAt = Base.addSecs(200);
        QVERIFY(model->updateMessage(tombstone));
        QCOMPARE(rolesOf(changed, 2),
            (QList<int> { MessageModel::ContentRole, MessageModel::DeletedRole,
                MessageModel::ReactionsRole }));
        QVERIFY(at(1, MessageModel::DeletedRole).toBool());

        // The same state again, or an older one: nothing.
        QVERIFY(model->updateMessage(tombstone));
        QVERIFY(model->updateMessage(react));
        QCOMPARE(changed.size(), 3);
        QCOMPARE(at(1, MessageModel::DeletedRole).toBool(), true);
        // A message not held: ignored.
        QVERIFY(!model->updateMessage(msg(9)));
        QCOMPARE(changed.size(), 3);
        QCOMPARE(reset.size(), 0);
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(removed.size(), 0);
        QCOMPARE(model->rowOfId(u"m2"_s), 1);
        QCOMPARE(model->rowOfId(u"nope"_s), -1);
    }

    void heldMessageAppendedAgainTakesANewerStateOnly()
    {
        // E.g. our own send shown from its ack, then its news in the state after a change.
        model->appendMessages(range(1, 3));
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        Message newer = msg(2);
        newer.rev = 4;
        newer.reactions = { MessageReaction { u"ok"_s, { u"carol"_s } } };
        model->appendMessages({ newer, msg(3) });
        QCOMPARE(model->count(), 3);
        QCOMPARE(inserted.size(), 0);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(rolesOf(changed, 0), QList<int> { MessageModel::ReactionsRole });
        QCOMPARE(model->message(1).rev, 4);
        QCOMPARE(model->message(1).reactions, newer.reactions);
        // An older state of a held row changes nothing.
        model->appendMessages({ msg(2) });
        QCOMPARE(changed.size(), 1);
        QCOMPARE(model->message(1).rev, 4);
    }

    void thousandMessagesInOneTurnAreOneInsert()
    {
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy countChanged(model.get(), &MessageModel::countChanged);
        for (const Message &m : range(1, 1000))
            model->queueIncoming(m);
        QCOMPARE(model->rowCount(), 0); // merged at the end of the turn, not per message
        QTRY_COMPARE(model->rowCount(), 1000);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 999);
        QCOMPARE(countChanged.size(), 1);
        QCOMPARE(model->lastSeq(), 1000);

        // The next turn's burst is one more insert after them.
        for (const Message &m : range(1001, 2000))
            model->queueIncoming(m);
        QTRY_COMPARE(model->rowCount(), 2000);
        QCOMPARE(inserted.size(), 2);
    }

    void appendedBatchIsOneInsertBeforePendingRows()
    {
        model->appendMessages(range(1, 3));
        const QString cid = model->addPending(pending(u"hello"_s));
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        model->appendMessages(range(4, 500));
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 3);
        QCOMPARE(inserted.at(0).at(2).toInt(), 499);
        QCOMPARE(model->rowOfClientId(cid), 500); // pending stays after all sent rows
    }

    void pendingToSentChangesStatusInPlace()
    {
        model->appendMessages(range(1, 3));
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        const QString cid = model->addPending(pending(u" hello "_s));
        QVERIFY(!cid.isEmpty());
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model->rowCount(), 4);
        QCOMPARE(
            at(3, MessageModel::StatusRole).value<Message::Status>(), Message::Status::Pending);
        QCOMPARE(at(3, MessageModel::SeqRole).toLongLong(), 0);
        QVERIFY(at(3, MessageModel::IsOwnRole).toBool());

        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy removed(model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy moved(model.get(), &QAbstractItemModel::rowsMoved);
        Message stored = msg(4, u"alice"_s, {}, cid);
        stored.authorName = u"Alice"_s;
        stored.content = u"hello"_s; // trimmed by the server
        QCOMPARE(model->markSent(cid, stored), 3);

        QCOMPARE(model->rowCount(), 4);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(removed.size(), 0);
        QCOMPARE(moved.size(), 0);
        QVERIFY(!changed.isEmpty());
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 3);
        const QList<int> roles = rolesOf(changed, 0);
        QVERIFY(roles.contains(MessageModel::StatusRole));
        QVERIFY(roles.contains(MessageModel::SeqRole));
        QVERIFY(roles.contains(MessageModel::IdRole));
        QVERIFY(roles.contains(MessageModel::CreatedAtRole));
        QVERIFY(roles.contains(MessageModel::ContentRole));
        QCOMPARE(at(3, MessageModel::StatusRole).value<Message::Status>(), Message::Status::Sent);
        QCOMPARE(at(3, MessageModel::SeqRole).toLongLong(), 4);
        QCOMPARE(at(3, MessageModel::IdRole).toString(), u"m4"_s);
        QCOMPARE(at(3, MessageModel::ContentRole).toString(), u"hello"_s);
        QCOMPARE(at(3, MessageModel::ClientIdRole).toString(), cid);
        QCOMPARE(model->lastSeq(), 4);
    }

    void echoByClientIdIsMergedNotDuplicated()
    {
        model->appendMessages(range(1, 2));
        const QString cid = model->addPending(pending(u"hi"_s, u"c-1"_s));
        QCOMPARE(cid, u"c-1"_s);
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);

        // message:new (the echo) comes before the ack, in the same burst as someone else's.
        model->queueIncoming(msg(3, u"alice"_s, {}, u"c-1"_s));
        model->queueIncoming(msg(4, u"carol"_s));
        QTRY_COMPARE(model->lastSeq(), 4);
        QCOMPARE(model->rowCount(), 4);
        QCOMPARE(inserted.size(), 1); // carol's message only
        QVERIFY(rolesOf(changed, 0).contains(MessageModel::StatusRole));
        QCOMPARE(model->rowOfClientId(u"c-1"_s), 2);

        // The ack after the echo changes nothing; a repeated echo neither.
        changed.clear();
        QCOMPARE(model->markSent(u"c-1"_s, msg(3, u"alice"_s, {}, u"c-1"_s)), 2);
        model->appendMessages({ msg(3, u"alice"_s, {}, u"c-1"_s) });
        QCOMPARE(model->rowCount(), 4);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(changed.size(), 0);
        QCOMPARE(seqs(), (QList<qint64> { 1, 2, 3, 4 }));
    }

    void echoWithoutClientIdDropsThePendingDouble()
    {
        const QString cid = model->addPending(pending(u"hi"_s));
        model->appendMessages({ msg(1, u"alice"_s) }); // a server that omits clientId
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->markSent(cid, msg(1, u"alice"_s)), 0);
        QCOMPARE(model->rowCount(), 1);
    }

    void confirmedRowMovesToItsSeq()
    {
        model->appendMessages(range(1, 2));
        const QString a = model->addPending(pending(u"a"_s));
        const QString b = model->addPending(pending(u"b"_s));
        QSignalSpy moved(model.get(), &QAbstractItemModel::rowsMoved);
        QSignalSpy removed(model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        // b is stored first: it moves before the still pending a.
        QCOMPARE(model->markSent(b, msg(3, u"alice"_s, {}, b)), 2);
        QCOMPARE(moved.size(), 1);
        QCOMPARE(moved.at(0).at(1).toInt(), 3); // from row 3
        QCOMPARE(moved.at(0).at(4).toInt(), 2); // to before row 2
        QCOMPARE(removed.size(), 0);
        QVERIFY(rolesOf(changed, 0).contains(MessageModel::StatusRole));
        QCOMPARE(model->rowOfClientId(a), 3);
        QCOMPARE(seqs(), (QList<qint64> { 1, 2, 3, 0 }));
        QCOMPARE(model->markSent(a, msg(4, u"alice"_s, {}, a)), 3);
        QCOMPARE(moved.size(), 1); // already in place
        QCOMPARE(seqs(), (QList<qint64> { 1, 2, 3, 4 }));
    }

    void refusedSendFailsAndRetryEmits()
    {
        const QString cid = model->addPending(pending(u"far too long"_s));
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy retry(model.get(), &MessageModel::retryRequested);
        QVERIFY(model->markFailed(cid, u"too_long: at most 4000 characters"_s));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(rolesOf(changed, 0),
            (QList<int> { MessageModel::StatusRole, MessageModel::ErrorRole }));
        QCOMPARE(at(0, MessageModel::StatusRole).value<Message::Status>(), Message::Status::Failed);
        QCOMPARE(at(0, MessageModel::ErrorRole).toString(), u"too_long: at most 4000 characters"_s);
        QCOMPARE(model->message(0).error, u"too_long: at most 4000 characters"_s);

        QVERIFY(model->retryAt(0));
        QCOMPARE(retry.size(), 1);
        QCOMPARE(retry.at(0).at(0).toString(), cid);
        QCOMPARE(
            at(0, MessageModel::StatusRole).value<Message::Status>(), Message::Status::Pending);
        QCOMPARE(at(0, MessageModel::ErrorRole).toString(), QString());
        QVERIFY(!model->retry(cid)); // only Failed rows are retried
        QCOMPARE(retry.size(), 1);

        // A failed message that a later retry got stored is confirmed like any pending one.
        QVERIFY(model->markFailed(cid, u"internal"_s));
        model->appendMessages({ msg(1, u"alice"_s, {}, cid) });
        QCOMPARE(model->rowCount(), 1);
        QCOMPARE(at(0, MessageModel::StatusRole).value<Message::Status>(), Message::Status::Sent);
        QCOMPARE(at(0, MessageModel::ErrorRole).toString(), QString());
        QVERIFY(!model->retryAt(0));
    }

    void discardRemovesAnUnsentRow()
    {
        model->appendMessages(range(1, 2));
        const QString cid = model->addPending(pending(u"oops"_s));
        QSignalSpy discarded(model.get(), &MessageModel::discarded);
        QVERIFY(!model->discard(u"unknown"_s));
        QVERIFY(model->discard(cid));
        QCOMPARE(discarded.size(), 1);
        QCOMPARE(discarded.at(0).at(0).toString(), cid);
        QCOMPARE(model->rowCount(), 2);
    }

    void pagingStopsAtTheFirstMessage()
    {
        QSignalSpy requested(model.get(), &MessageModel::historyRequested);
        QVERIFY(!model->canFetchMore({})); // nothing known yet
        model->fetchMore({});
        QCOMPARE(requested.size(), 0);

        model->appendMessages(range(101, 150)); // the join answer ...
        model->setHasMoreHistory(true); // ... said older ones exist
        QVERIFY(model->canFetchMore({}));
        QVERIFY(model->property("canFetchMoreHistory").toBool());
        model->fetchMore({});
        QCOMPARE(requested.size(), 1);
        QCOMPARE(requested.at(0).at(0).toLongLong(), 101);
        QVERIFY(model->isFetchingHistory());
        QVERIFY(!model->canFetchMore({}));
        model->fetchMore({}); // one request in flight at most
        model->fetchMoreHistory();
        QCOMPARE(requested.size(), 1);

        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        QList<Message> page = range(51, 100);
        page.append(msg(120)); // a duplicate in the page
        model->prependHistory(page, true);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(inserted.at(0).at(1).toInt(), 0);
        QCOMPARE(inserted.at(0).at(2).toInt(), 49);
        QCOMPARE(model->rowCount(), 100);
        QVERIFY(!model->isFetchingHistory());
        QVERIFY(model->canFetchMore({}));

        model->fetchMore({});
        QCOMPARE(requested.size(), 2);
        QCOMPARE(requested.at(1).at(0).toLongLong(), 51);
        model->prependHistory(range(1, 50), false); // the first message of the room
        QCOMPARE(model->rowCount(), 150);
        QCOMPARE(model->firstSeq(), 1);
        QVERIFY(!model->hasMoreHistory());
        QVERIFY(!model->canFetchMore({}));
        model->fetchMore({});
        model->fetchMoreHistory();
        QCOMPARE(requested.size(), 2);
        QCOMPARE(seqs().first(), 1);
        QCOMPARE(seqs().last(), 150);
    }

    void failedHistoryRequestCanBeRetried()
    {
        QSignalSpy requested(model.get(), &MessageModel::historyRequested);
        model->setHasMoreHistory(true);
        model->fetchMore({});
        QCOMPARE(requested.size(), 1);
        QCOMPARE(requested.at(0).at(0).toLongLong(), 0); // nothing held: the latest page
        model->historyRequestFailed();
        QVERIFY(model->canFetchMore({}));
        model->fetchMore({});
        QCOMPARE(requested.size(), 2);
    }

    void outOfOrderAndDuplicateSeqs()
    {
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        model->appendMessages({ msg(5), msg(1), msg(2), msg(2), msg(7) });
        QCOMPARE(seqs(), (QList<qint64> { 1, 2, 5, 7 }));
        QCOMPARE(inserted.size(), 1);
        model->appendMessages({ msg(3), msg(6), msg(2), msg(4) });
        QCOMPARE(seqs(), (QList<qint64> { 1, 2, 3, 4, 5, 6, 7 }));
        QCOMPARE(inserted.size(), 3); // 3..4 together, 6 on its own
        QCOMPARE(inserted.at(1).at(1).toInt(), 2);
        QCOMPARE(inserted.at(1).at(2).toInt(), 3);
        QCOMPARE(inserted.at(2).at(1).toInt(), 5);
        model->appendMessages(range(1, 7));
        QCOMPARE(model->rowCount(), 7);
        QCOMPARE(inserted.size(), 3);
        QCOMPARE(model->rowOfSeq(6), 5);
        QCOMPARE(model->rowOfSeq(8), -1);
    }

    void gapDetected()
    {
        QSignalSpy gaps(model.get(), &MessageModel::gapDetected);
        model->appendMessages(range(10, 12)); // the first messages known: no gap before them
        QCOMPARE(gaps.size(), 0);
        model->appendMessages({ msg(13) });
        QCOMPARE(gaps.size(), 0);
        model->appendMessages({ msg(16) });
        QCOMPARE(gaps.size(), 1);
        QCOMPARE(gaps.at(0).at(0).toLongLong(), 13);
        QCOMPARE(gaps.at(0).at(1).toLongLong(), 16);
        model->appendMessages({ msg(15), msg(14) }); // the Room filled it
        QCOMPARE(gaps.size(), 1);
        model->appendMessages({ msg(20), msg(17), msg(22) });
        QCOMPARE(gaps.size(), 3);
        QCOMPARE(gaps.at(1).at(0).toLongLong(), 17);
        QCOMPARE(gaps.at(1).at(1).toLongLong(), 20);
        QCOMPARE(gaps.at(2).at(0).toLongLong(), 20);
        QCOMPARE(gaps.at(2).at(1).toLongLong(), 22);

        // Our own ack that jumps ahead is a gap too.
        const QString cid = model->addPending(pending(u"x"_s));
        model->markSent(cid, msg(30, u"alice"_s, {}, cid));
        QCOMPARE(gaps.size(), 4);
        QCOMPARE(gaps.at(3).at(0).toLongLong(), 22);
        QCOMPARE(gaps.at(3).at(1).toLongLong(), 30);
    }

    void groupingFlagsAcrossAuthorRunsAndDays()
    {
        QCOMPARE(QDateTime::fromMSecsSinceEpoch(0).offsetFromUtc(), 0); // TZ=UTC
        const QDate day(2026, 3, 10);
        auto t = [&](int h, int m, int dayOffset = 0) {
            return QDateTime(day.addDays(dayOffset), QTime(h, m), Qt::UTC);
        };
        model->appendMessages({
            msg(1, u"alice"_s, t(10, 0)), // 0: first of everything
            msg(2, u"alice"_s, t(10, 4)), // 1: same run
            msg(3, u"bob"_s, t(10, 5)), // 2: other author
            msg(4, u"bob"_s, t(10, 11)), // 3: 6 min pause: new run
            msg(5, u"bob"_s, t(10, 15)), // 4: same run (4 min)
            msg(6, u"bob"_s, t(23, 58)), // 5: long pause: new run
            msg(7, u"bob"_s, t(0, 1, 1)), // 6: next day: new day and new run
            msg(8, u"bob"_s, t(0, 2, 1)), // 7: same run
        });
        const QList<bool> runs { true, false, true, true, false, true, true, false };
        const QList<bool> days { true, false, false, false, false, false, true, false };
        for (int i = 0; i < model->rowCount(); ++i) {
            QCOMPARE(at(i, MessageModel::FirstOfAuthorRunRole).toBool(), runs[i]);
            QCOMPARE(at(i, MessageModel::FirstOfDayRole).toBool(), days[i]);
        }

        // Late messages landing between rows: the successor's flags follow, with their roles.
        model->appendMessages({ msg(10, u"carol"_s, t(0, 30, 1)) });
        model->appendMessages({ msg(12, u"bob"_s, t(0, 40, 1)) });
        QVERIFY(at(9, MessageModel::FirstOfAuthorRunRole).toBool());
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        model->appendMessages({ msg(9, u"bob"_s, t(0, 3, 1)) }); // row 8, carol's moves to 9
        QCOMPARE(model->rowOfSeq(9), 8);
        QVERIFY(!at(8, MessageModel::FirstOfAuthorRunRole).toBool());
        QVERIFY(at(9, MessageModel::FirstOfAuthorRunRole).toBool());
        QCOMPARE(changed.size(), 0); // carol's row still starts a run: nothing to tell
        model->appendMessages({ msg(11, u"bob"_s, t(0, 39, 1)) }); // row 10, before seq 12
        QCOMPARE(model->rowOfSeq(12), 11);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 11);
        QCOMPARE(rolesOf(changed, 0),
            (QList<int> { MessageModel::FirstOfAuthorRunRole, MessageModel::FirstOfDayRole }));
        QVERIFY(!at(11, MessageModel::FirstOfAuthorRunRole).toBool());
        QVERIFY(at(10, MessageModel::FirstOfAuthorRunRole).toBool());
    }

    void prependedPageUpdatesTheOldFirstRow()
    {
        const QDate day(2026, 3, 10);
        model->appendMessages({ msg(10, u"alice"_s, QDateTime(day, QTime(10, 0), Qt::UTC)) });
        QVERIFY(at(0, MessageModel::FirstOfDayRole).toBool());
        QVERIFY(at(0, MessageModel::FirstOfAuthorRunRole).toBool());
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        model->prependHistory({ msg(9, u"alice"_s, QDateTime(day, QTime(9, 58), Qt::UTC)) }, false);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 1);
        QCOMPARE(rolesOf(changed, 0),
            (QList<int> { MessageModel::FirstOfAuthorRunRole, MessageModel::FirstOfDayRole }));
        QVERIFY(!at(1, MessageModel::FirstOfDayRole).toBool());
        QVERIFY(!at(1, MessageModel::FirstOfAuthorRunRole).toBool());
    }

    void pageWithTheEchoOfAPendingSendConfirmsIt()
    {
        const QString cid = model->addPending(pending(u"queued offline"_s));
        QList<Message> page = range(1, 3);
        page.append(msg(4, u"alice"_s, {}, cid));
        model->prependHistory(page, false);
        QCOMPARE(model->rowCount(), 4);
        QCOMPARE(seqs(), (QList<qint64> { 1, 2, 3, 4 }));
        QCOMPARE(at(3, MessageModel::ClientIdRole).toString(), cid);
    }

    void ownUserIdChangesIsOwnWithItsRole()
    {
        model->appendMessages({ msg(1, u"alice"_s), msg(2, u"bob"_s) });
        QVERIFY(at(0, MessageModel::IsOwnRole).toBool());
        QVERIFY(!at(1, MessageModel::IsOwnRole).toBool());
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        model->setOwnUserId(u"bob"_s);
        QCOMPARE(changed.size(), 1);
        QCOMPARE(rolesOf(changed, 0), (QList<int> { MessageModel::IsOwnRole }));
        QVERIFY(!at(0, MessageModel::IsOwnRole).toBool());
        QVERIFY(at(1, MessageModel::IsOwnRole).toBool());
    }

    void messagesOfAnotherRoomAreDropped()
    {
        model->appendMessages(range(1, 2));
        Message other = msg(3);
        other.roomId = u"staff"_s;
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(u"dropping a message of room"_s));
        model->appendMessages({ other });
        QCOMPARE(model->rowCount(), 2);
        QCOMPARE(model->roomId(), u"general"_s);
    }

    void messageRoundTrips()
    {
        Message m = msg(1, u"alice"_s, {}, u"c-9"_s);
        model->appendMessages({ m });
        QCOMPARE(model->message(0), m);
        QCOMPARE(model->message(5), Message());

        // Ids are stored as Latin-1 when they fit, else as UTF-16; odd, even and empty lengths.
        Message wide = msg(2, u"bob"_s, {}, u"c-\u20ac-\U0001F600"_s);
        wide.id = u"m-\u03a9"_s;
        Message noClientId = msg(3);
        Message even = msg(4, u"bob"_s, {}, u"cc"_s);
        even.id = u"m4m4"_s;
        model->appendMessages({ wide, noClientId, even });
        QCOMPARE(model->message(1), wide);
        QCOMPARE(model->message(2), noClientId);
        QCOMPARE(model->message(3), even);
        QCOMPARE(model->rowOfClientId(u"c-\u20ac-\U0001F600"_s), 1);
        QCOMPARE(model->rowOfClientId(u"cc"_s), 3);
        QCOMPARE(model->rowOfClientId(u"c"_s), -1);
        QCOMPARE(at(1, MessageModel::IdRole).toString(), u"m-\u03a9"_s);
        QCOMPARE(at(3, MessageModel::ContentRole).toString(), u"message 4"_s);

        // A pending message with a non-Latin-1 client id is confirmed by its echo.
        const QString cid = model->addPending(pending(u"x"_s, u"\u4e2d\u6587"_s));
        model->appendMessages({ msg(5, u"alice"_s, {}, cid) });
        QCOMPARE(model->rowCount(), 5);
        QCOMPARE(at(4, MessageModel::ClientIdRole).toString(), cid);
    }

    void contentRoundTripsInEveryEncoding_data()
    {
        QTest::addColumn<QString>("content");
        QTest::addColumn<bool>("queued");
        const QList<QPair<const char *, QString>> contents {
            { "empty", QString() },
            { "ascii", u"hello"_s },
            { "latin-1", u"caf\u00e9 \u00ff\u00a0"_s },
            { "wide early", u"\u20ac and then 40 more characters of plain ascii"_s },
            // Past 16 units, so the wide unit is met in a later step of the narrowing.
            { "wide late", QString(37, u'a') + u"\U0001F600"_s + QString(5, u'b') },
            { "latin-1 in every lane", QString(33, QChar(0xff)) },
            { "longer than a block", QString(70'000, u'x') + u"\u00e9"_s },
            { "wide and longer than a block", QString(40'000, u'\u4e2d') },
        };
        for (const auto &[name, content] : contents) {
            QTest::addRow("%s, appended", name) << content << false;
            QTest::addRow("%s, queued", name) << content << true;
        }
    }

    void contentRoundTripsInEveryEncoding()
    {
        // Rows keep their texts as Latin-1 when they fit, else UTF-16, in blocks of the model's
        // own; what comes out must be what went in, around rows of the other encoding.
        QFETCH(QString, content);
        QFETCH(bool, queued);
        QList<Message> messages;
        for (qint64 seq = 1; seq <= 3; ++seq) {
            Message m = msg(seq, u"bob"_s, {}, u"c-"_s + QString::number(seq));
            m.content = seq == 2 ? content : (seq == 1 ? u"\u4e2d before"_s : u"after"_s);
            messages.append(m);
        }
        if (queued) {
            for (const Message &m : std::as_const(messages))
                model->queueIncoming(m);
            QCOMPARE(model->rowCount(), 0); // merged at the end of the turn
            model->flushIncoming();
        } else {
            model->appendMessages(messages);
        }
        QCOMPARE(model->rowCount(), 3);
        for (int row = 0; row < 3; ++row) {
            QCOMPARE(model->message(row), messages.at(row));
            QCOMPARE(at(row, MessageModel::ContentRole).toString(), messages.at(row).content);
        }
        QCOMPARE(model->rowOfId(u"m2"_s), 1);
        QCOMPARE(model->rowOfClientId(u"c-2"_s), 1);

        // An edit into the other encoding changes the content role in place, ids kept.
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        Message edited = messages.at(1);
        edited.content
            = content.isEmpty() || QtPrivate::isLatin1(content) ? u"\U0001F600"_s : u"plain"_s;
        edited.rev = 1;
        edited.editedAt = Base.addDays(2);
        QVERIFY(model->updateMessage(edited));
        QCOMPARE(changed.size(), 1);
        QVERIFY(rolesOf(changed, 0).contains(MessageModel::ContentRole));
        QCOMPARE(model->message(1), edited);
        QCOMPARE(model->rowOfId(u"m2"_s), 1);
        QCOMPARE(model->rowOfClientId(u"c-2"_s), 1);
        QCOMPARE(model->message(2), messages.at(2));
    }

    void textsSurviveManyBlocks()
    {
        // ~5 MB of texts: the store's blocks grow to their largest size and fill one after the
        // other, and a text longer than a block gets a block of its own. Every row of both
        // encodings must read back as written, across the blocks and after a clear().
        const auto contentOf = [](qint64 seq) {
            if (seq == 700)
                return QString(1'500'000, u'y'); // 1.5 MB as Latin-1, 3 MB as UTF-16 below
            if (seq == 701)
                return QString(1'500'000, u'\u4e2d');
            const QChar fill
                = seq % 7 == 0 ? QChar(u'\u00e9' + int(seq % 50)) : QChar(u'a' + int(seq % 26));
            QString content = u"#"_s + QString::number(seq) + u' ' + QString(3000, fill);
            if (seq % 5 == 0)
                content += u"\U0001F600"_s; // UTF-16 from here on
            return content;
        };
        for (int round = 0; round < 2; ++round) {
            constexpr qint64 Count = 1200; // ~5 MB of texts
            for (qint64 seq = 1; seq <= Count; ++seq) {
                Message m = msg(seq, u"bob"_s, {}, u"c-"_s + QString::number(seq));
                m.content = contentOf(seq);
                model->queueIncoming(m);
                if (seq % 100 == 0)
                    model->flushIncoming();
            }
            model->flushIncoming();
            QCOMPARE(model->rowCount(), int(Count));
            for (int row = 0; row < int(Count); ++row) {
                const qint64 seq = row + 1;
                const QString content = at(row, MessageModel::ContentRole).toString();
                if (content != contentOf(seq))
                    QFAIL(qPrintable(u"row %1: content differs (%2 units, expected %3)"_s.arg(row)
                                         .arg(content.size())
                                         .arg(contentOf(seq).size())));
                QCOMPARE(model->message(row).id, u"m"_s + QString::number(seq));
                QCOMPARE(model->rowOfClientId(u"c-"_s + QString::number(seq)), row);
            }
            model->clear();
            QCOMPARE(model->rowCount(), 0);
        }
    }

    void clearResetsEverything()
    {
        model->appendMessages(range(1, 5));
        model->setHasMoreHistory(true);
        model->clear();
        QCOMPARE(model->rowCount(), 0);
        QCOMPARE(model->lastSeq(), 0);
        QVERIFY(!model->canFetchMore({}));
        QCOMPARE(model->roomId(), QString());
    }
};

int main(int argc, char **argv)
{
    qputenv("TZ", "UTC"); // the grouping tests use fixed UTC dates
    QCoreApplication app(argc, argv);
    TestMessageModel test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_messagemodel.moc"
