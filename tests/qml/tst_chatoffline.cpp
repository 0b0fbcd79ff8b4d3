// SPDX-License-Identifier: MIT
// End to end, palaver-chat with the account's local store across restarts of the app (each
// "restart" a new Client and a new engine on the same store folder and settings, as a closed and
// started-again app): two messages written with the stub stopped, the app closed, and started
// again with the stub still stopped shows the timeline and both pending messages at once
// (screenshot); once the stub is back both are sent exactly once (counted in the stub's
// database). A draft typed in one room is still there after switching rooms and after a restart;
// signing out for good takes the account's store and drafts away.
#include "quickitems.h"
#include <Palaver/Stub/stubconfig.h>
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlError>
#include <QQmlExtensionPlugin>
#include <QQuickStyle>
#include <QSettings>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(Palaver_ChatPlugin)

using namespace Palaver;
using namespace QuickItems;

namespace {

const QString General = QStringLiteral("general");
const QString Random = QStringLiteral("random");

//! How many messages of the stub's database file have this content.
int storedCount(const QString &dbFile, const QString &content)
{
    int count = -1;
    {
        QSqlDatabase db
            = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("peek"));
        db.setDatabaseName(dbFile);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
        if (db.open()) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT COUNT(*) FROM messages WHERE content = ?"));
            q.addBindValue(content.toUtf8());
            if (q.exec() && q.next())
                count = q.value(0).toInt();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("peek"));
    return count;
}

} // namespace

class TestChatOffline : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void pendingMessagesTimelineAndDraftsSurviveAnOfflineRestart();
    void signingOutForgetsTheStoreAndTheDrafts();

private:
    //! The app as main.cpp makes it: a Client with its store in the test's folder. `signIn`:
    //! signed in at start with alice's token (a remembered token does the same).
    void startApp(bool signIn);
    void closeApp();
    void click(QQuickItem *item);
    void typeInComposer(const QString &text, bool send = true);
    QObject *chatPage() const { return m_window->property("chatPage").value<QObject *>(); }
    void selectRoom(const QString &roomId);
    MessageModel *timelineModel() const;
    QString composerText() const;

    QTemporaryDir m_dir;
    std::unique_ptr<Stub::StubServer> m_stub;
    std::unique_ptr<Client> m_bob;
    std::unique_ptr<Client> m_appClient;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    quint16 m_port = 0;
};

void TestChatOffline::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QSettings::setPath(
        QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("config")));
    Stub::StubConfig config;
    config.secret = "chat-offline-test-secret";
    config.dbPath = m_dir.filePath(QStringLiteral("stub.sqlite"));
    config.rooms = {
        { General, QStringLiteral("General"), false, {} },
        { Random, QStringLiteral("Random"), false, {} },
    };
    m_stub = std::make_unique<Stub::StubServer>(config);
    QVERIFY2(m_stub->start(QHostAddress::LocalHost, 0), qPrintable(m_stub->errorString()));
    m_port = m_stub->serverPort();

    m_bob = std::make_unique<Client>();
    m_bob->setUrl(m_stub->url());
    m_bob->setToken(
        QString::fromLatin1(m_stub->makeToken(QStringLiteral("bob"), QStringLiteral("Bob"))));
    m_bob->room(General)->join();
    m_bob->open();
    QTRY_COMPARE(m_bob->room(General)->joinState(), Room::JoinState::Joined);
}

void TestChatOffline::cleanupTestCase()
{
    closeApp();
    m_bob.reset();
    m_stub.reset();
}

void TestChatOffline::startApp(bool signIn)
{
    m_appClient = std::make_unique<Client>();
    m_appClient->setStoreDirectory(m_dir.filePath(QStringLiteral("accounts")));
    m_engine = std::make_unique<QQmlApplicationEngine>();
    const QString url = QStringLiteral("ws://127.0.0.1:%1").arg(m_port);
    const QVariantMap alice { { QStringLiteral("id"), QStringLiteral("alice") },
        { QStringLiteral("name"), QStringLiteral("Alice") },
        { QStringLiteral("token"),
            QString::fromLatin1(
                m_stub->makeToken(QStringLiteral("alice"), QStringLiteral("Alice"))) } };
    m_window = loadChatWindow(*m_engine,
        { { QStringLiteral("client"), QVariant::fromValue(m_appClient.get()) },
            { QStringLiteral("initialUrl"), url },
            { QStringLiteral("demoUsers"), QVariantList { alice } },
            { QStringLiteral("autoSignInUser"), signIn ? QStringLiteral("alice") : QString() } },
        QSize(1000, 640));
    QVERIFY(m_window);
}

void TestChatOffline::closeApp()
{
    m_engine.reset(); // the window goes first, as when the app quits
    m_window = nullptr;
    m_appClient.reset();
}

void TestChatOffline::click(QQuickItem *item)
{
    clickItem(m_window, item);
}

void TestChatOffline::typeInComposer(const QString &text, bool send)
{
    QQuickItem *field = findItem(m_window, QStringLiteral("composerField"));
    QVERIFY(field);
    field->forceActiveFocus();
    QTRY_VERIFY(field->hasActiveFocus());
    typeText(m_window, text);
    if (send)
        QTest::keyClick(m_window, Qt::Key_Return);
}

void TestChatOffline::selectRoom(const QString &roomId)
{
    QVERIFY(QMetaObject::invokeMethod(chatPage(), "selectRoom", Q_ARG(QVariant, roomId)));
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), roomId);
}

MessageModel *TestChatOffline::timelineModel() const
{
    QObject *page = chatPage();
    auto *room = page ? page->property("currentRoom").value<Room *>() : nullptr;
    return room ? room->messages() : nullptr;
}

QString TestChatOffline::composerText() const
{
    QQuickItem *field = findItem(m_window, QStringLiteral("composerField"));
    return field ? field->property("text").toString() : QStringLiteral("<no composer>");
}

void TestChatOffline::pendingMessagesTimelineAndDraftsSurviveAnOfflineRestart()
{
    startApp(true);
    QTRY_VERIFY(chatPage());
    QTRY_COMPARE(m_appClient->state(), Client::State::Connected);
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), General);
    m_appClient->room(Random)->join();
    QTRY_COMPARE(m_appClient->room(Random)->joinState(), Room::JoinState::Joined);
    m_bob->sendMessage(General, QStringLiteral("Bob was here before the outage"));
    QTRY_COMPARE(
        contentLabels(m_window, QStringLiteral("Bob was here before the outage")).size(), 1);

    // The server goes down; two messages are written meanwhile.
    m_stub->stop();
    QQuickItem *banner = findItem(m_window, QStringLiteral("connectionBanner"));
    QTRY_VERIFY(banner->isVisible());
    typeInComposer(QStringLiteral("first while down"));
    typeInComposer(QStringLiteral("second while down"));
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("second while down")).size(), 1);
    QCOMPARE(m_appClient->pendingMessageCount(), 2);

    // A draft in each room, kept across room switches.
    typeInComposer(QStringLiteral("half a thought for general"), false);
    selectRoom(Random);
    QCOMPARE(composerText(), QString());
    typeInComposer(QStringLiteral("a draft for random"), false);
    selectRoom(General);
    QCOMPARE(composerText(), QStringLiteral("half a thought for general"));

    // The app is closed with the server still down, and started again.
    closeApp();
    startApp(true);
    // At once, with no server: the chat, the timeline and what waits, from the account's store.
    QVERIFY(chatPage());
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), General);
    QCOMPARE(m_appClient->state() == Client::State::Connected, false);
    MessageModel *model = timelineModel();
    QVERIFY(model);
    QCOMPARE(model->count(), 3);
    QCOMPARE(model->message(0).content, QStringLiteral("Bob was here before the outage"));
    QCOMPARE(model->message(1).content, QStringLiteral("first while down"));
    QCOMPARE(model->message(1).status, Message::Status::Pending);
    QCOMPARE(model->message(2).content, QStringLiteral("second while down"));
    QCOMPARE(model->message(2).status, Message::Status::Pending);
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("first while down")).size(), 1);
    QTRY_COMPARE(
        contentLabels(m_window, QStringLiteral("Bob was here before the outage")).size(), 1);
    banner = findItem(m_window, QStringLiteral("connectionBanner"));
    QTRY_VERIFY(banner->isVisible());
    QVERIFY2(banner->property("text").toString().startsWith(
                 QStringLiteral("Offline: showing saved messages.")),
        qPrintable(banner->property("text").toString()));
    QTRY_COMPARE(composerText(), QStringLiteral("half a thought for general"));
    QTRY_COMPARE(findItem(m_window, QStringLiteral("userName"))->property("text").toString(),
        QStringLiteral("Alice"));
    {
        const QImage image = m_window->grabWindow();
        QVERIFY(QDir().mkpath(QStringLiteral(PALAVER_SCREENSHOT_DIR)));
        QVERIFY(
            image.save(QStringLiteral(PALAVER_SCREENSHOT_DIR "/palaver-chat-offline-start.png")));
    }

    // The server is back: both are sent, exactly once.
    QVERIFY2(m_stub->start(QHostAddress::LocalHost, m_port), qPrintable(m_stub->errorString()));
    QQuickItem *button = findItem(banner, QStringLiteral("bannerButton"));
    if (m_appClient->state() == Client::State::Reconnecting && button->isVisible())
        click(button);
    QTRY_COMPARE_WITH_TIMEOUT(m_appClient->state(), Client::State::Connected, 20000);
    QTRY_COMPARE_WITH_TIMEOUT(m_appClient->pendingMessageCount(), 0, 20000);
    QTRY_VERIFY(!banner->isVisible());
    QTRY_COMPARE(model->message(model->count() - 1).status, Message::Status::Sent);
    const QString db = m_dir.filePath(QStringLiteral("stub.sqlite"));
    QCOMPARE(storedCount(db, QStringLiteral("first while down")), 1);
    QCOMPARE(storedCount(db, QStringLiteral("second while down")), 1);
    QTRY_COMPARE(m_bob->room(General)
                     ->messages()
                     ->message(m_bob->room(General)->messages()->count() - 1)
                     .content,
        QStringLiteral("second while down"));

    // The other room's draft too.
    selectRoom(Random);
    QCOMPARE(composerText(), QStringLiteral("a draft for random"));
    selectRoom(General);
    QCOMPARE(composerText(), QStringLiteral("half a thought for general"));
}

void TestChatOffline::signingOutForgetsTheStoreAndTheDrafts()
{
    QVERIFY(chatPage());
    const QString file = m_appClient->storeFileName();
    QVERIFY(QFile::exists(file));
    QVERIFY(QMetaObject::invokeMethod(chatPage(), "signOutRequested"));
    QTRY_VERIFY(!chatPage());
    QVERIFY(!QFile::exists(file));

    // Back in, the account starts empty: no draft, no saved timeline until the server's.
    closeApp();
    startApp(true);
    QTRY_VERIFY(chatPage());
    QTRY_COMPARE(m_appClient->state(), Client::State::Connected);
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), General);
    QCOMPARE(composerText(), QString());
    selectRoom(Random);
    QCOMPARE(composerText(), QString());
}

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QGuiApplication::setOrganizationName(QStringLiteral("PalaverTest"));
    QGuiApplication::setApplicationName(QStringLiteral("tst_chat_offline"));
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    TestChatOffline test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_chatoffline.moc"
