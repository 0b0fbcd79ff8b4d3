// SPDX-License-Identifier: MIT
#include <Palaver/membermodel.h>

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace Palaver;
using namespace Qt::Literals::StringLiterals;

namespace {

Member member(const QString &id, const QString &name, bool online)
{
    Member m;
    m.id = id;
    m.name = name;
    m.online = online;
    return m;
}

} // namespace

class TestMemberModel : public QObject {
    Q_OBJECT

private:
    std::unique_ptr<MemberModel> model;
    std::unique_ptr<QAbstractItemModelTester> tester;

    QStringList ids() const
    {
        QStringList out;
        for (int i = 0; i < model->rowCount(); ++i)
            out << model->data(model->index(i), MemberModel::IdRole).toString();
        return out;
    }

private Q_SLOTS:
    void init()
    {
        model = std::make_unique<MemberModel>();
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
        QCOMPARE(names.value(MemberModel::IdRole), "id");
        QCOMPARE(names.value(MemberModel::NameRole), "name");
        QCOMPARE(names.value(MemberModel::OnlineRole), "online");
    }

    void setMembersIsOneInsertSortedOnlineFirst()
    {
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy onlineCount(model.get(), &MemberModel::onlineCountChanged);
        model->setMembers({ member(u"dave"_s, u"dave"_s, false), member(u"bob"_s, u"Bob"_s, true),
            member(u"carol"_s, u"carol"_s, false), member(u"alice"_s, u"Alice"_s, true) });
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(ids(), (QStringList { u"alice"_s, u"bob"_s, u"carol"_s, u"dave"_s }));
        QCOMPARE(model->count(), 4);
        QCOMPARE(model->onlineCount(), 2);
        QCOMPARE(onlineCount.size(), 1);
        QCOMPARE(model->rowOf(u"carol"_s), 2);
        QCOMPARE(model->rowOf(u"zed"_s), -1);
    }

    void presenceMovesTheMemberWithItsRole()
    {
        model->setMembers({ member(u"alice"_s, u"Alice"_s, true), member(u"bob"_s, u"Bob"_s, true),
            member(u"carol"_s, u"Carol"_s, false) });
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        QSignalSpy moved(model.get(), &QAbstractItemModel::rowsMoved);
        QSignalSpy removed(model.get(), &QAbstractItemModel::rowsRemoved);
        QVERIFY(model->setOnline(u"carol"_s, true));
        QCOMPARE(changed.size(), 1);
        QCOMPARE(changed.at(0).at(2).value<QList<int>>(), (QList<int> { MemberModel::OnlineRole }));
        QCOMPARE(moved.size(), 0); // carol sorts last among the online too
        QCOMPARE(model->onlineCount(), 3);

        QVERIFY(model->setOnline(u"alice"_s, false));
        QCOMPARE(moved.size(), 1);
        QCOMPARE(removed.size(), 0);
        QCOMPARE(ids(), (QStringList { u"bob"_s, u"carol"_s, u"alice"_s }));
        QCOMPARE(model->onlineCount(), 2);
        QVERIFY(!model->setOnline(u"alice"_s, false)); // unchanged
        QVERIFY(!model->setOnline(u"zed"_s, true)); // not a member
        QCOMPARE(changed.size(), 2);
    }

    void joinLeaveAndRename()
    {
        model->setMembers({ member(u"alice"_s, u"Alice"_s, true) });
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        QSignalSpy changed(model.get(), &QAbstractItemModel::dataChanged);
        QCOMPARE(model->upsertMember(member(u"bob"_s, u"Bob"_s, true)), 1);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model->upsertMember(member(u"bob"_s, u"Aaron"_s, true)), 0); // renamed: moves
        QCOMPARE(changed.at(0).at(2).value<QList<int>>(), (QList<int> { MemberModel::NameRole }));
        QCOMPARE(ids(), (QStringList { u"bob"_s, u"alice"_s }));
        QCOMPARE(model->upsertMember(member(u"bob"_s, u"Aaron"_s, true)), 0); // no change
        QCOMPARE(changed.size(), 1);
        QVERIFY(model->removeMember(u"alice"_s));
        QVERIFY(!model->removeMember(u"alice"_s));
        QCOMPARE(ids(), (QStringList { u"bob"_s }));
        QCOMPARE(model->onlineCount(), 1);
    }

    void setMembersAgainIsADifferenceNotAReset()
    {
        model->setMembers(
            { member(u"alice"_s, u"Alice"_s, true), member(u"bob"_s, u"Bob"_s, true) });
        QSignalSpy reset(model.get(), &QAbstractItemModel::modelReset);
        QSignalSpy removed(model.get(), &QAbstractItemModel::rowsRemoved);
        QSignalSpy inserted(model.get(), &QAbstractItemModel::rowsInserted);
        model->setMembers(
            { member(u"bob"_s, u"Bob"_s, false), member(u"carol"_s, u"Carol"_s, true) });
        QCOMPARE(reset.size(), 0);
        QCOMPARE(removed.size(), 1);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(ids(), (QStringList { u"carol"_s, u"bob"_s }));
        QCOMPARE(model->onlineCount(), 1);
        QCOMPARE(model->member(1), member(u"bob"_s, u"Bob"_s, false));
        model->clear();
        QCOMPARE(model->count(), 0);
        QCOMPARE(model->onlineCount(), 0);
        QCOMPARE(reset.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestMemberModel)
#include "tst_membermodel.moc"
