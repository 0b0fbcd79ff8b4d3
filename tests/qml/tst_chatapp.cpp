// SPDX-License-Identifier: MIT
// End to end: palaver-chat's Main.qml, driven through object names, against the in-process stub,
// with a second Client playing the bot. Signs in, joins rooms, sends and receives, shows markup
// literally, survives a server outage (banner shown, then gone; a message sent meanwhile is
// delivered), and saves screenshots of both themes to the build folder. Desktop notifications go
// to a recording notification server that the test registers on the (private) session bus; a
// second Client of the app's user plays the user's other device for read markers.
#include "quickitems.h"
#include <Palaver/Stub/stubconfig.h>
#include <Palaver/Stub/stubserver.h>
#include <Palaver/client.h>
#include <Palaver/messagemodel.h>
#include <Palaver/room.h>

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QGuiApplication>
#include <QQmlApplicationEngine>
#include <QQmlError>
#include <QQmlExtensionPlugin>
#include <QQuickItem>
#include <QQuickStyle>
#include <QQuickWindow>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

Q_IMPORT_QML_PLUGIN(Palaver_ChatPlugin)

using namespace Palaver;
using namespace QuickItems;

namespace {

constexpr int Light = 1; // Theme.Light
constexpr int Dark = 2; // Theme.Dark

// The lines of palaver.chat (the app's notifier), counted on their way to the usual output.
int notifierLines = 0;
QtMessageHandler previousHandler = nullptr;
void countNotifierLines(QtMsgType type, const QMessageLogContext &context, const QString &text)
{
    if (context.category && qstrcmp(context.category, "palaver.chat") == 0)
        ++notifierLines;
    previousHandler(type, context, text);
}

//! A notification server that shows nothing and records what it was asked: the freedesktop
//! notification service as the app calls it (`Notify`), with the signals a server sends.
class RecordingNotifications : public QObject {
    Q_OBJECT
    Q_CLASSINFO("D-Bus Interface", "org.freedesktop.Notifications")

public:
    struct Call {
        QString appName;
        uint replacesId = 0;
        QString summary;
        QString body;
        QStringList actions;
        QVariantMap hints;
        uint id = 0;
    };
    QList<Call> calls;

public Q_SLOTS:
    Q_SCRIPTABLE uint Notify(const QString &appName, uint replacesId, const QString &appIcon,
        const QString &summary, const QString &body, const QStringList &actions,
        const QVariantMap &hints, int expireTimeout)
    {
        Q_UNUSED(appIcon)
        Q_UNUSED(expireTimeout)
        const uint id = replacesId != 0 ? replacesId : ++m_lastId;
        calls.append({ appName, replacesId, summary, body, actions, hints, id });
        return id;
    }
    Q_SCRIPTABLE void CloseNotification(uint id) { Q_EMIT NotificationClosed(id, 3); }
    Q_SCRIPTABLE QStringList GetCapabilities()
    {
        return { QStringLiteral("actions"), QStringLiteral("body"), QStringLiteral("body-markup") };
    }

Q_SIGNALS:
    Q_SCRIPTABLE void ActionInvoked(uint id, const QString &actionKey);
    Q_SCRIPTABLE void NotificationClosed(uint id, uint reason);

private:
    uint m_lastId = 0;
};

} // namespace

class TestChatApp : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void signInRefusedInWords();
    void signInJoinSendAndReceive();
    void markupIsShownLiterally();
    void typingIndicator();
    void replyReactEditDeleteThroughTheUi();
    void joinAnotherRoomFromTheList();
    void historyLoadsOnScrollAndNewMessagesButton();
    void survivesAServerRestart();
    void screenshotsOfBothThemes();
    void notificationsOfMentionsNotOwnNotOff();
    void readOnAnotherDeviceClearsTheBadge();
    void newMessagesDividerAndJumpToFirstUnread();
    void expiredTokenSignsOutInWords();

private:
    void click(QQuickItem *item);
    //! Moves the mouse over the message row showing `text`, so its actions show; returns the row.
    QQuickItem *hoverMessage(const QString &text);
    void typeInComposer(const QString &text);
    QObject *chatPage() const { return m_window->property("chatPage").value<QObject *>(); }
    MessageModel *timelineModel() const;
    void selectRoom(const QString &roomId);
    //! Alice's second device: a Client of the same user, joined to #random.
    std::unique_ptr<Client> secondDevice();
    //! The app's window has the focus (Xvfb has no window manager: asked for directly).
    void activateWindow();
    //! The room header's notification menu: `item` is notifyAll, notifyMentions or notifyOff.
    void chooseNotifications(const QString &item);

    QTemporaryDir m_dir;
    std::unique_ptr<Stub::StubServer> m_stub;
    std::unique_ptr<Client> m_appClient;
    std::unique_ptr<Client> m_bot;
    std::unique_ptr<QQmlApplicationEngine> m_engine;
    QQuickWindow *m_window = nullptr;
    quint16 m_port = 0;
};

void TestChatApp::initTestCase()
{
    QVERIFY(m_dir.isValid());
    // The app's Settings must not touch the real user's configuration.
    QSettings::setPath(
        QSettings::NativeFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("config")));

    Stub::StubConfig config;
    config.secret = "chat-app-test-secret";
    config.dbPath = m_dir.filePath(QStringLiteral("stub.sqlite"));
    config.rooms = {
        { QStringLiteral("general"), QStringLiteral("General"), false, {} },
        { QStringLiteral("random"), QStringLiteral("Random"), false, {} },
        { QStringLiteral("hobbies"), QStringLiteral("Hobbies"), false, {} },
        { QStringLiteral("staff"), QStringLiteral("Staff"), true,
            { QStringLiteral("alice"), QStringLiteral("dave") } },
    };
    config.rateBurst = 1000; // the bot fills a room with history
    config.ratePerSec = 1000;
    m_stub = std::make_unique<Stub::StubServer>(config);
    QVERIFY2(m_stub->start(QHostAddress::LocalHost, 0), qPrintable(m_stub->errorString()));
    m_port = m_stub->serverPort();

    // The bot: answers "ping" with a pong, in #general.
    m_bot = std::make_unique<Client>();
    m_bot->setUrl(m_stub->url());
    m_bot->setToken(
        QString::fromLatin1(m_stub->makeToken(QStringLiteral("bob"), QStringLiteral("Bob"))));
    connect(m_bot.get(), &Client::messageReceived, this, [this](const Message &message) {
        if (message.authorId == QLatin1String("alice")
            && message.content.startsWith(QLatin1String("ping")))
            m_bot->sendMessage(message.roomId, QStringLiteral("pong: %1").arg(message.content));
    });
    m_bot->open();
    m_bot->room(QStringLiteral("general"))->join();
    QTRY_COMPARE(m_bot->state(), Client::State::Connected);
    QTRY_COMPARE(m_bot->room(QStringLiteral("general"))->joinState(), Room::JoinState::Joined);

    m_appClient = std::make_unique<Client>();
    m_engine = std::make_unique<QQmlApplicationEngine>();
    m_window = loadChatWindow(*m_engine,
        { { QStringLiteral("client"), QVariant::fromValue(m_appClient.get()) },
            { QStringLiteral("initialUrl"), m_stub->url().toString() } },
        QSize(1100, 680));
    QVERIFY(m_window);
    m_window->requestActivate();
}

void TestChatApp::cleanupTestCase()
{
    m_engine.reset();
    m_appClient.reset();
    m_bot.reset();
    m_stub.reset();
}

void TestChatApp::click(QQuickItem *item)
{
    clickItem(m_window, item);
}

void TestChatApp::typeInComposer(const QString &text)
{
    QQuickItem *field = findItem(m_window, QStringLiteral("composerField"));
    QVERIFY(field);
    field->forceActiveFocus();
    QTRY_VERIFY(field->hasActiveFocus());
    typeText(m_window, text);
    QTest::keyClick(m_window, Qt::Key_Return);
}

MessageModel *TestChatApp::timelineModel() const
{
    QObject *page = chatPage();
    if (!page)
        return nullptr;
    auto *room = page->property("currentRoom").value<Room *>();
    return room ? room->messages() : nullptr;
}

void TestChatApp::selectRoom(const QString &roomId)
{
    QVERIFY(QMetaObject::invokeMethod(chatPage(), "selectRoom", Q_ARG(QVariant, roomId)));
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), roomId);
}

std::unique_ptr<Client> TestChatApp::secondDevice()
{
    auto device = std::make_unique<Client>();
    device->setUrl(m_stub->url());
    device->setToken(
        QString::fromLatin1(m_stub->makeToken(QStringLiteral("alice"), QStringLiteral("Alice"))));
    device->open();
    device->room(QStringLiteral("random"))->join();
    return device;
}

void TestChatApp::activateWindow()
{
    m_window->requestActivate();
    QTRY_VERIFY(m_window->isActive());
}

void TestChatApp::chooseNotifications(const QString &item)
{
    click(findItem(m_window, QStringLiteral("notifyButton")));
    QObject *menu = m_window->findChild<QObject *>(QStringLiteral("notifyMenu"));
    QVERIFY(menu);
    QTRY_VERIFY(menu->property("opened").toBool());
    click(findItem(m_window, item));
    QTRY_VERIFY(!menu->property("visible").toBool());
}

void TestChatApp::signInRefusedInWords()
{
    QQuickItem *tokenField = findItem(m_window, QStringLiteral("tokenField"));
    QVERIFY(tokenField);
    // A token signed with another secret.
    tokenField->setProperty("text",
        QStringLiteral(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJhbGljZSIsImV4cCI6NDEwMjQ0NDgwMH0."
            "c2lnbmF0dXJlLW5vdC12YWxpZA"));
    click(findItem(m_window, QStringLiteral("signInButton")));
    QQuickItem *error = findItem(m_window, QStringLiteral("signInError"));
    QVERIFY(error);
    QTRY_COMPARE(error->property("text").toString(),
        QStringLiteral("The server refused the token. Paste a new one."));
    QVERIFY(!chatPage());
}

void TestChatApp::signInJoinSendAndReceive()
{
    QQuickItem *urlField = findItem(m_window, QStringLiteral("urlField"));
    QVERIFY(urlField);
    QCOMPARE(urlField->property("text").toString(), m_stub->url().toString());
    findItem(m_window, QStringLiteral("tokenField"))
        ->setProperty("text",
            QString::fromLatin1(
                m_stub->makeToken(QStringLiteral("alice"), QStringLiteral("Alice"))));
    click(findItem(m_window, QStringLiteral("signInButton")));

    QTRY_VERIFY(chatPage());
    QTRY_COMPARE(m_appClient->state(), Client::State::Connected);
    // A first run joins the first public room and shows it.
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), QStringLiteral("general"));
    QTRY_VERIFY(m_appClient->joinedRooms().contains(QStringLiteral("general")));
    QQuickItem *title = findItem(m_window, QStringLiteral("roomTitle"));
    QTRY_COMPARE(title->property("text").toString(), QStringLiteral("General"));
    QTRY_COMPARE(findItem(m_window, QStringLiteral("userName"))->property("text").toString(),
        QStringLiteral("Alice"));

    m_bot->sendMessage(QStringLiteral("general"), QStringLiteral("Welcome to #general, Alice!"));
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("Welcome to #general, Alice!")).size(), 1);

    typeInComposer(QStringLiteral("ping 1"));
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("ping 1")).size(), 1);
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("pong: ping 1")).size(), 1);
    MessageModel *model = timelineModel();
    QVERIFY(model);
    const int own = model->rowOfClientId(model->message(model->count() - 2).clientId);
    QVERIFY(own >= 0);
    QCOMPARE(model->data(model->index(own), MessageModel::IsOwnRole).toBool(), true);
    QCOMPARE(model->message(own).status, Message::Status::Sent);
}

void TestChatApp::markupIsShownLiterally()
{
    const QString markup
        = QStringLiteral("<b>bold</b> <a href=\"https://example.com\">link</a> &amp;");
    m_bot->sendMessage(QStringLiteral("general"), markup);
    QTRY_COMPARE(contentLabels(m_window, markup).size(), 1);
    QQuickItem *label = contentLabels(m_window, markup).constFirst();
    QCOMPARE(label->property("textFormat").toInt(), int(Qt::PlainText));
    // The room list's preview shows it literally too.
    QQuickItem *preview = findItem(
        findItem(m_window, QStringLiteral("room_general")), QStringLiteral("roomPreview"));
    QVERIFY(preview);
    QCOMPARE(preview->property("textFormat").toInt(), int(Qt::PlainText));
}

void TestChatApp::typingIndicator()
{
    QQuickItem *typing = findItem(m_window, QStringLiteral("typingIndicator"));
    QVERIFY(typing);
    Room *botRoom = m_bot->room(QStringLiteral("general"));
    QVERIFY(botRoom);
    botRoom->setTyping(true);
    QTRY_COMPARE(typing->property("text").toString(), QStringLiteral("Bob is typing…"));
    botRoom->setTyping(false);
    QTRY_COMPARE(typing->property("text").toString(), QString());
}

QQuickItem *TestChatApp::hoverMessage(const QString &text)
{
    const auto labels = contentLabels(m_window, text);
    if (labels.isEmpty())
        return nullptr;
    QQuickItem *row = labels.constFirst();
    while (row && !row->objectName().startsWith(QLatin1String("message_")))
        row = row->parentItem();
    if (!row)
        return nullptr;
    QQuickItem *label = labels.constFirst();
    const QPointF at = label->mapToScene(QPointF(label->width() / 2, label->height() / 2));
    QTest::mouseMove(m_window, at.toPoint());
    return row;
}

void TestChatApp::replyReactEditDeleteThroughTheUi()
{
    // Bob's Client is the second device here: each change made in the app must reach it.
    Room *bobRoom = m_bot->room(QStringLiteral("general"));
    MessageModel *bobModel = bobRoom->messages();
    const QString question = QStringLiteral("Lunch at noon?");
    m_bot->sendMessage(QStringLiteral("general"), question);
    QTRY_COMPARE(contentLabels(m_window, question).size(), 1);
    QTRY_VERIFY(bobModel->rowOfId(bobModel->message(bobModel->count() - 1).id) >= 0);
    const QString questionId = bobModel->message(bobModel->count() - 1).id;

    // Reply: the hover button, a quote above the composer, Enter.
    QQuickItem *row = hoverMessage(question);
    QVERIFY(row);
    click(findItem(row, QStringLiteral("replyButton")));
    QTRY_VERIFY(findItem(m_window, QStringLiteral("composerReplyQuote"))->isVisible());
    typeInComposer(QStringLiteral("yes"));
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("yes")).size(), 1);
    QTRY_COMPARE(bobModel->message(bobModel->count() - 1).content, QStringLiteral("yes"));
    QCOMPARE(bobModel->message(bobModel->count() - 1).replyTo.id, questionId);
    QVERIFY(!findItem(m_window, QStringLiteral("composerReplyQuote"))->isVisible());
    QQuickItem *answer = hoverMessage(QStringLiteral("yes"));
    QVERIFY(answer);
    QTRY_VERIFY(findItem(answer, QStringLiteral("replyQuote"))->isVisible());

    // React: the picker's first emoji; then the chip takes it back.
    row = hoverMessage(question);
    click(findItem(row, QStringLiteral("reactButton")));
    QObject *picker = m_window->findChild<QObject *>(QStringLiteral("emojiPicker"));
    QVERIFY(picker);
    QTRY_VERIFY(picker->property("opened").toBool());
    click(findItem(m_window, QStringLiteral("emoji_0")));
    const int q = bobModel->rowOfId(questionId);
    QTRY_COMPARE(bobModel->message(q).reactions.size(), 1);
    QCOMPARE(bobModel->message(q).reactions.constFirst().userIds,
        QStringList { QStringLiteral("alice") });
    const QString emoji = bobModel->message(q).reactions.constFirst().emoji;
    QQuickItem *chip = findItem(row, QStringLiteral("reactionChip_0"));
    QTRY_VERIFY(chip && chip->isVisible());
    QVERIFY(chip->property("mine").toBool());
    QCOMPARE(chip->property("who").toString(), QStringLiteral("Alice"));
    click(chip);
    QTRY_COMPARE(bobModel->message(q).reactions.size(), 0);
    QTRY_VERIFY(!findItem(row, QStringLiteral("reactionChips"))->isVisible());
    QCOMPARE(emoji, QStringLiteral("\U0001F44D"));

    // Edit: Up in the empty composer takes the last own message; Save sends the edit.
    QQuickItem *field = findItem(m_window, QStringLiteral("composerField"));
    field->forceActiveFocus();
    QTRY_VERIFY(field->hasActiveFocus());
    QTest::keyClick(m_window, Qt::Key_Up);
    QTRY_COMPARE(field->property("text").toString(), QStringLiteral("yes"));
    typeText(m_window, QStringLiteral(", see you there"));
    QTest::keyClick(m_window, Qt::Key_Return);
    const QString edited = QStringLiteral("yes, see you there");
    QTRY_COMPARE(contentLabels(m_window, edited).size(), 1);
    const int a = bobModel->count() - 1;
    QTRY_COMPARE(bobModel->message(a).content, edited);
    QVERIFY(bobModel->message(a).isEdited());
    answer = hoverMessage(edited);
    QTRY_VERIFY(findItem(answer, QStringLiteral("editedMark"))->isVisible());

    // Delete: the hover button, a confirmation, a tombstone on both sides.
    click(findItem(answer, QStringLiteral("deleteButton")));
    QObject *dialog = m_window->findChild<QObject *>(QStringLiteral("deleteDialog"));
    QVERIFY(dialog);
    QTRY_VERIFY(dialog->property("opened").toBool());
    click(findItem(m_window, QStringLiteral("confirmDeleteButton")));
    QTRY_VERIFY(bobModel->message(a).deleted);
    QTRY_COMPARE(contentLabels(m_window, edited).size(), 0);
    QVERIFY(!contentLabels(m_window, QStringLiteral("Message deleted")).isEmpty());
    QCOMPARE(m_appClient->pendingMessageCount(), 0);
}

void TestChatApp::joinAnotherRoomFromTheList()
{
    QQuickItem *random = findItem(m_window, QStringLiteral("room_random"));
    QVERIFY(random);
    click(findItem(random, QStringLiteral("joinButton")));
    QTRY_VERIFY(m_appClient->joinedRooms().contains(QStringLiteral("random")));
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), QStringLiteral("random"));
    QTRY_VERIFY(!findItem(random, QStringLiteral("joinButton"))->isVisible());

    // Unread counts for the room not shown; Ctrl+Up goes back and reads them.
    m_bot->sendMessage(QStringLiteral("general"), QStringLiteral("Anyone around?"));
    QQuickItem *general = findItem(m_window, QStringLiteral("room_general"));
    QTRY_VERIFY(findItem(general, QStringLiteral("unreadBadge"))->isVisible());
    // Rooms in list order: General, Hobbies, Random, Staff.
    QTest::keyClick(m_window, Qt::Key_Up, Qt::ControlModifier);
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), QStringLiteral("hobbies"));
    QTest::keyClick(m_window, Qt::Key_Up, Qt::ControlModifier);
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), QStringLiteral("general"));
    QTRY_VERIFY(!findItem(general, QStringLiteral("unreadBadge"))->isVisible());
    QTest::keyClick(m_window, Qt::Key_Down, Qt::ControlModifier);
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), QStringLiteral("hobbies"));

    // Ctrl+K, filter, Enter.
    QTest::keyClick(m_window, Qt::Key_K, Qt::ControlModifier);
    QObject *switcher = m_window->findChild<QObject *>(QStringLiteral("roomSwitcher"));
    QVERIFY(switcher);
    QTRY_VERIFY(switcher->property("opened").toBool());
    typeText(m_window, QStringLiteral("rand"));
    QTRY_COMPARE(switcher->property("matches").toList().size(), 1);
    QTest::keyClick(m_window, Qt::Key_Return);
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), QStringLiteral("random"));
    QTRY_VERIFY(!switcher->property("visible").toBool());
    QVERIFY(QMetaObject::invokeMethod(
        chatPage(), "selectRoom", Q_ARG(QVariant, QStringLiteral("general"))));
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), QStringLiteral("general"));
}

void TestChatApp::historyLoadsOnScrollAndNewMessagesButton()
{
    // 120 messages, more than the 50 a join brings.
    Room *botHobbies = m_bot->room(QStringLiteral("hobbies"));
    botHobbies->join();
    QTRY_COMPARE(botHobbies->joinState(), Room::JoinState::Joined);
    for (int i = 1; i <= 120; ++i)
        m_bot->sendMessage(QStringLiteral("hobbies"), QStringLiteral("history %1").arg(i));
    QTRY_COMPARE_WITH_TIMEOUT(m_bot->pendingMessageCount(), 0, 30000);

    QObject *page = chatPage();
    QVERIFY(
        QMetaObject::invokeMethod(page, "joinRoom", Q_ARG(QVariant, QStringLiteral("hobbies"))));
    QTRY_COMPARE(page->property("currentRoomId").toString(), QStringLiteral("hobbies"));
    QTRY_VERIFY(timelineModel() && timelineModel()->count() >= 50);
    MessageModel *model = timelineModel();
    QQuickItem *view = findItem(m_window, QStringLiteral("timelineView"));
    QVERIFY(view);
    QTRY_VERIFY(view->property("atYEnd").toBool()); // pinned to the newest
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("history 120")).size(), 1);
    // Only the join's page: nothing else loads while the user stays at the bottom.
    const int firstPage = model->count();
    QCOMPARE(firstPage, 50);
    QVERIFY(!model->isFetchingHistory());

    // The user drags the timeline down (scrolling up): older pages load as the top comes near.
    const QPointF top = view->mapToScene(QPointF(view->width() / 2, 40));
    for (int i = 0; i < 20 && model->count() == firstPage; ++i) {
        QTest::mousePress(m_window, Qt::LeftButton, {}, top.toPoint());
        for (int step = 1; step <= 25; ++step)
            QTest::mouseMove(m_window, (top + QPointF(0, step * 18)).toPoint(), 16);
        QTest::mouseRelease(m_window, Qt::LeftButton, {}, (top + QPointF(0, 450)).toPoint(), 200);
        QTRY_VERIFY(!view->property("moving").toBool());
    }
    QTRY_VERIFY_WITH_TIMEOUT(model->count() > firstPage, 10000);
    QVERIFY(!view->property("pinned").toBool());

    // Scrolled up, a new message does not move the view; a button offers the jump.
    QQuickItem *jump = findItem(m_window, QStringLiteral("jumpToNewButton"));
    QVERIFY(jump);
    QVERIFY(!jump->isVisible());
    const qreal contentY = view->property("contentY").toReal();
    m_bot->sendMessage(QStringLiteral("hobbies"), QStringLiteral("a new one while you read"));
    QTRY_VERIFY(jump->isVisible());
    QCOMPARE(view->property("contentY").toReal(), contentY);
    click(jump);
    QTRY_VERIFY(view->property("atYEnd").toBool());
    QTRY_VERIFY(!jump->isVisible());
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("a new one while you read")).size(), 1);

    QVERIFY(
        QMetaObject::invokeMethod(page, "selectRoom", Q_ARG(QVariant, QStringLiteral("general"))));
    QTRY_COMPARE(page->property("currentRoomId").toString(), QStringLiteral("general"));
}

void TestChatApp::survivesAServerRestart()
{
    QQuickItem *banner = findItem(m_window, QStringLiteral("connectionBanner"));
    QVERIFY(banner);
    QVERIFY(!banner->isVisible());

    m_stub->stop();
    QTRY_VERIFY(banner->isVisible());
    QTRY_VERIFY(banner->property("text").toString().startsWith(QStringLiteral("Reconnecting")));

    // Sent while the server is away: queued, shown as pending.
    typeInComposer(QStringLiteral("ping while away"));
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("ping while away")).size(), 1);
    MessageModel *model = timelineModel();
    QVERIFY(model);
    const Message pending = model->message(model->count() - 1);
    QCOMPARE(pending.content, QStringLiteral("ping while away"));
    QCOMPARE(pending.status, Message::Status::Pending);

    QVERIFY2(m_stub->start(QHostAddress::LocalHost, m_port), qPrintable(m_stub->errorString()));
    // Skip the backoff wait with the banner's button when it offers one.
    QQuickItem *button = findItem(banner, QStringLiteral("bannerButton"));
    if (m_appClient->state() == Client::State::Reconnecting && button->isVisible())
        click(button);
    QTRY_COMPARE_WITH_TIMEOUT(m_appClient->state(), Client::State::Connected, 20000);
    QTRY_VERIFY(!banner->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(model->message(model->rowOfClientId(pending.clientId)).status,
        Message::Status::Sent, 20000);
    // The other side is back too and its messages arrive again.
    QTRY_COMPARE_WITH_TIMEOUT(
        m_bot->room(QStringLiteral("general"))->joinState(), Room::JoinState::Joined, 20000);
    m_bot->sendMessage(QStringLiteral("general"), QStringLiteral("Welcome back!"));
    QTRY_COMPARE_WITH_TIMEOUT(
        contentLabels(m_window, QStringLiteral("Welcome back!")).size(), 1, 20000);
}

void TestChatApp::screenshotsOfBothThemes()
{
    QObject *page = chatPage();
    QVERIFY(page);
    const QString dir = QStringLiteral(PALAVER_SCREENSHOT_DIR);
    QVERIFY(QDir().mkpath(dir));
    // A little conversation to look at, in #random: three people, a reply, reactions, an edit,
    // a mention of the user, a typing indicator, markup shown as typed, and an unread badge on
    // #general.
    Client carol;
    carol.setUrl(m_stub->url());
    carol.setToken(
        QString::fromLatin1(m_stub->makeToken(QStringLiteral("carol"), QStringLiteral("Carol"))));
    carol.open();
    carol.room(QStringLiteral("random"))->join();
    Room *botRandom = m_bot->room(QStringLiteral("random"));
    botRandom->join();
    QTRY_COMPARE(botRandom->joinState(), Room::JoinState::Joined);
    QTRY_COMPARE(carol.room(QStringLiteral("random"))->joinState(), Room::JoinState::Joined);
    QVERIFY(
        QMetaObject::invokeMethod(page, "selectRoom", Q_ARG(QVariant, QStringLiteral("random"))));
    QTRY_COMPARE(page->property("currentRoomId").toString(), QStringLiteral("random"));

    // Each message through its author's Room; its server id once stored.
    const auto say = [this](Client *who, const QString &text) -> QString {
        Room *room = who->room(QStringLiteral("random"));
        const Message sent = room->send(text);
        const QString shown = sent.content;
        [&] { QTRY_COMPARE(contentLabels(m_window, shown).size(), 1); }();
        MessageModel *model = room->messages();
        QString id;
        [&] {
            QTRY_VERIFY(!(id = model->message(model->rowOfClientId(sent.clientId)).id).isEmpty());
        }();
        return id;
    };
    Room *appRandom = m_appClient->room(QStringLiteral("random"));
    Room *carolRandom = carol.room(QStringLiteral("random"));
    const QString question = say(m_bot.get(), QStringLiteral("Morning! Is the 0.1 release out?"));
    const QString green = say(&carol, QStringLiteral("The packages built overnight, all green."));
    appRandom->reply(question, QStringLiteral("Yes! Tagged and uploaded.\nScreenshots are next."));
    QTRY_COMPARE(
        contentLabels(m_window, QStringLiteral("Yes! Tagged and uploaded.\nScreenshots are next."))
            .size(),
        1);
    botRandom->react(green, QStringLiteral("\U0001F389"));
    appRandom->react(green, QStringLiteral("\U0001F389"));
    carolRandom->react(green, QStringLiteral("\U0001F680"));
    say(m_bot.get(),
        QStringLiteral("Nice. Remember: <b>tags</b> and <a href=\"https://example.com\">links</a> "
                       "show exactly as typed."));
    const QString lunch = say(&carol, QStringLiteral("Lunch at 12:30 to celebrate?"));
    carolRandom->edit(lunch, QStringLiteral("Lunch at 12:45 to celebrate?"));
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("Lunch at 12:45 to celebrate?")).size(), 1);
    appRandom->react(lunch, QStringLiteral("\U0001F44D"));
    say(&carol, QStringLiteral("@alice could you post the screenshots in the release notes?"));
    MessageModel *shown = appRandom->messages();
    QTRY_VERIFY(
        shown->data(shown->index(shown->count() - 1), MessageModel::MentionsMeRole).toBool());
    QTRY_COMPARE(shown->message(shown->rowOfId(green)).reactions.size(), 2);
    QTRY_COMPARE(shown->message(shown->rowOfId(lunch)).reactions.size(), 1);
    botRandom->setTyping(true);
    QTRY_COMPARE(findItem(m_window, QStringLiteral("typingIndicator"))->property("text").toString(),
        QStringLiteral("Bob is typing…"));
    m_bot->sendMessage(QStringLiteral("general"), QStringLiteral("Standup moved to 10:15."));
    QTRY_VERIFY(
        findItem(findItem(m_window, QStringLiteral("room_general")), QStringLiteral("unreadBadge"))
            ->isVisible());
    QTRY_VERIFY(findItem(m_window, QStringLiteral("timelineView"))->property("atYEnd").toBool());

    for (const auto &[mode, name] : { std::pair { Light, "light" }, std::pair { Dark, "dark" } }) {
        QVERIFY(QMetaObject::invokeMethod(page, "themeChosen", Q_ARG(int, mode)));
        // grabWindow() polishes and renders the scene as it is now: no wait needed.
        const QImage image = m_window->grabWindow();
        QVERIFY(!image.isNull());
        const QString file = dir + QStringLiteral("/palaver-chat-%1.png").arg(QLatin1String(name));
        QVERIFY2(image.save(file), qPrintable(file));
        qInfo("screenshot: %s", qPrintable(file));
    }
    botRandom->setTyping(false);
}

void TestChatApp::notificationsOfMentionsNotOwnNotOff()
{
    if (!QDBusConnection::sessionBus().isConnected())
        QSKIP("No D-Bus session bus (run under dbus-run-session): no notification service to "
              "record with");
    // The recording service on a connection of its own, as a notification server would be.
    QDBusConnection bus = QDBusConnection::connectToBus(
        QDBusConnection::SessionBus, QStringLiteral("tst_chat_app_notifications"));
    QVERIFY(bus.isConnected());
    const QString service = QStringLiteral("org.freedesktop.Notifications");
    if (bus.interface()->isServiceRegistered(service))
        QSKIP("The session bus has a notification server already (run under dbus-run-session)");
    selectRoom(QStringLiteral("general"));
    activateWindow();
    const auto lastSeen = [this](const QString &roomId, const QString &text) {
        QTRY_COMPARE(m_appClient->room(roomId)->lastMessage().content, text);
    };

    // No server yet: nothing shown, one line said, however many mentions come.
    notifierLines = 0;
    previousHandler = qInstallMessageHandler(countNotifierLines);
    const auto restoreHandler = qScopeGuard([] { qInstallMessageHandler(previousHandler); });
    m_bot->sendMessage(QStringLiteral("random"), QStringLiteral("@alice nobody listens"));
    QTRY_COMPARE(notifierLines, 1);
    m_bot->sendMessage(QStringLiteral("random"), QStringLiteral("@alice nobody, still"));
    lastSeen(QStringLiteral("random"), QStringLiteral("@alice nobody, still"));

    RecordingNotifications server;
    QVERIFY(bus.registerObject(QStringLiteral("/org/freedesktop/Notifications"), &server,
        QDBusConnection::ExportScriptableContents));
    QVERIFY(bus.registerService(service));
    const auto cleanup = qScopeGuard([&bus, service] {
        bus.unregisterService(service);
        bus.unregisterObject(QStringLiteral("/org/freedesktop/Notifications"));
        QDBusConnection::disconnectFromBus(QStringLiteral("tst_chat_app_notifications"));
    });

    // A mention in a room not shown: one notification, in plain words.
    m_bot->sendMessage(QStringLiteral("random"), QStringLiteral("@alice are you there?"));
    QTRY_COMPARE(server.calls.size(), 1);
    QCOMPARE(server.calls.at(0).summary, QStringLiteral("Bob mentioned you in Random"));
    QCOMPARE(server.calls.at(0).body, QStringLiteral("@alice are you there?"));
    QCOMPARE(server.calls.at(0).appName, QGuiApplication::applicationDisplayName());
    QVERIFY(server.calls.at(0).actions.contains(QStringLiteral("default")));

    // None for: chatter in a room not shown while the window is active (the badge says it);
    // Alice's own messages, from this device or another; a room whose setting is Off.
    m_bot->sendMessage(QStringLiteral("random"), QStringLiteral("just chatting"));
    lastSeen(QStringLiteral("random"), QStringLiteral("just chatting"));
    const std::unique_ptr<Client> device = secondDevice();
    QTRY_COMPARE(device->room(QStringLiteral("random"))->joinState(), Room::JoinState::Joined);
    device->sendMessage(QStringLiteral("random"), QStringLiteral("@alice note to self"));
    lastSeen(QStringLiteral("random"), QStringLiteral("@alice note to self"));
    m_appClient->sendMessage(QStringLiteral("hobbies"), QStringLiteral("@alice me again"));
    lastSeen(QStringLiteral("hobbies"), QStringLiteral("@alice me again"));

    selectRoom(QStringLiteral("random"));
    chooseNotifications(QStringLiteral("notifyOff"));
    QCOMPARE(findItem(m_window, QStringLiteral("notifyButton"))->property("text").toString(),
        QStringLiteral("🔕"));
    QCOMPARE(QSettings().value(QStringLiteral("notifications/random")).toString(),
        QStringLiteral("off"));
    QTRY_VERIFY(
        findItem(findItem(m_window, QStringLiteral("room_random")), QStringLiteral("mutedIcon"))
            ->isVisible());
    selectRoom(QStringLiteral("general"));
    m_bot->sendMessage(QStringLiteral("random"), QStringLiteral("@alice muted?"));
    lastSeen(QStringLiteral("random"), QStringLiteral("@alice muted?"));
    // Nor for what was written before the app started (as history caught up after a reconnect
    // would be): here the app "started" in an hour.
    QObject *notifier = chatPage()->property("notifier").value<QObject *>();
    QVERIFY(notifier);
    const QDateTime started = notifier->property("notBefore").toDateTime();
    QVERIFY(started.isValid() && started <= QDateTime::currentDateTimeUtc());
    notifier->setProperty("notBefore", QDateTime::currentDateTimeUtc().addSecs(3600));
    m_bot->sendMessage(QStringLiteral("hobbies"), QStringLiteral("@alice from the past"));
    lastSeen(QStringLiteral("hobbies"), QStringLiteral("@alice from the past"));
    notifier->setProperty("notBefore", started);

    // The next one that notifies is the second: nothing came in between. Markup is escaped for
    // servers that read the body as markup.
    m_bot->sendMessage(QStringLiteral("hobbies"), QStringLiteral("@alice <b>tea</b> & cake"));
    QTRY_COMPARE(server.calls.size(), 2);
    QCOMPARE(server.calls.at(1).summary, QStringLiteral("Bob mentioned you in Hobbies"));
    QCOMPARE(server.calls.at(1).body, QStringLiteral("@alice &lt;b&gt;tea&lt;/b&gt; &amp; cake"));

    // With the window in the background, any message notifies, and nothing counts as read.
    selectRoom(QStringLiteral("random"));
    chooseNotifications(QStringLiteral("notifyAll"));
    QVERIFY(!QSettings().contains(QStringLiteral("notifications/random")));
    QTRY_VERIFY(
        !findItem(findItem(m_window, QStringLiteral("room_random")), QStringLiteral("mutedIcon"))
             ->isVisible());
    QWindow elsewhere;
    elsewhere.resize(200, 100);
    elsewhere.show();
    elsewhere.requestActivate();
    QTRY_VERIFY(!m_window->isActive());
    m_bot->sendMessage(QStringLiteral("random"), QStringLiteral("anyone home?"));
    QTRY_COMPARE(server.calls.size(), 3);
    QCOMPARE(server.calls.at(2).summary, QStringLiteral("Bob in Random"));
    QCOMPARE(server.calls.at(2).body, QStringLiteral("anyone home?"));
    QCOMPARE(m_appClient->room(QStringLiteral("random"))->unreadCount(), 1);
    m_bot->sendMessage(QStringLiteral("general"), QStringLiteral("Standup is done."));
    QTRY_COMPARE(server.calls.size(), 4);
    QCOMPARE(server.calls.at(3).summary, QStringLiteral("Bob in General"));

    // Clicked, the notification brings the window back on its room.
    Q_EMIT server.ActionInvoked(server.calls.at(3).id, QStringLiteral("default"));
    QTRY_COMPARE(chatPage()->property("currentRoomId").toString(), QStringLiteral("general"));
    QTRY_VERIFY(m_window->isActive());
    QTRY_COMPARE(m_appClient->room(QStringLiteral("general"))->unreadCount(), 0);
    // #random still has what came while the window was in the background.
    QCOMPARE(m_appClient->room(QStringLiteral("random"))->unreadCount(), 1);
    elsewhere.hide();
    // The answers to the calls made without a server came before the ones that found it.
    QCOMPARE(notifierLines, 1);
}

void TestChatApp::readOnAnotherDeviceClearsTheBadge()
{
    selectRoom(QStringLiteral("general"));
    activateWindow();
    QQuickItem *random = findItem(m_window, QStringLiteral("room_random"));
    QVERIFY(random);
    m_bot->sendMessage(QStringLiteral("random"), QStringLiteral("for when you are back"));
    QQuickItem *badge = findItem(random, QStringLiteral("unreadBadge"));
    QTRY_VERIFY(badge->isVisible());

    // Alice reads #random on her phone: the app's badge goes.
    const std::unique_ptr<Client> device = secondDevice();
    Room *deviceRandom = device->room(QStringLiteral("random"));
    QTRY_COMPARE(deviceRandom->joinState(), Room::JoinState::Joined);
    QTRY_COMPARE(deviceRandom->lastMessage().content, QStringLiteral("for when you are back"));
    deviceRandom->markRead();
    QTRY_VERIFY(!badge->isVisible());
    QCOMPARE(m_appClient->room(QStringLiteral("random"))->unreadCount(), 0);
    QCOMPARE(m_appClient->room(QStringLiteral("random"))->readSeq(), deviceRandom->readSeq());
}

void TestChatApp::newMessagesDividerAndJumpToFirstUnread()
{
    selectRoom(QStringLiteral("general"));
    activateWindow();
    Room *appRandom = m_appClient->room(QStringLiteral("random"));
    const qint64 readBefore = appRandom->readSeq();
    QVERIFY(readBefore > 0);
    // More than a view holds, while the user is in another room.
    for (int i = 1; i <= 30; ++i)
        m_bot->sendMessage(QStringLiteral("random"), QStringLiteral("unread %1").arg(i));
    QTRY_COMPARE(appRandom->lastMessage().content, QStringLiteral("unread 30"));
    QCOMPARE(appRandom->unreadCount(), 30);

    // Opened, the room shows its newest messages; the divider sits above the first unread one,
    // out of sight, and a button offers to go there. At the bottom, with the window active, the
    // room is read (on the server too).
    selectRoom(QStringLiteral("random"));
    QQuickItem *view = findItem(m_window, QStringLiteral("timelineView"));
    QTRY_VERIFY(view->property("atYEnd").toBool());
    QQuickItem *timeline = view->parentItem();
    QVERIFY(timeline);
    QTRY_VERIFY(timeline->property("firstUnreadSeq").toLongLong() == readBefore + 1);
    QQuickItem *jump = findItem(m_window, QStringLiteral("jumpToUnread"));
    QVERIFY(jump);
    QTRY_VERIFY(jump->isVisible());
    QTRY_COMPARE(appRandom->unreadCount(), 0);
    QTRY_VERIFY(appRandom->readSeq() > readBefore + 29);
    QTRY_VERIFY(
        !findItem(findItem(m_window, QStringLiteral("room_random")), QStringLiteral("unreadBadge"))
             ->isVisible());

    click(findItem(jump, QStringLiteral("jumpToUnreadButton")));
    QTRY_VERIFY(!jump->isVisible());
    QTRY_COMPARE(contentLabels(m_window, QStringLiteral("unread 1")).size(), 1);
    QList<QQuickItem *> dividers;
    for (QQuickItem *item : findItems(view, QStringLiteral("unreadDivider"))) {
        if (item->isVisible())
            dividers.append(item);
    }
    QCOMPARE(dividers.size(), 1);
    const qreal top = dividers.constFirst()->mapToItem(view, QPointF(0, 0)).y();
    QVERIFY2(top >= 0 && top < view->height() / 2, qPrintable(QString::number(top)));
    const QImage image = m_window->grabWindow();
    QVERIFY(QDir().mkpath(QStringLiteral(PALAVER_SCREENSHOT_DIR)));
    QVERIFY(image.save(QStringLiteral(PALAVER_SCREENSHOT_DIR "/palaver-chat-unread.png")));

    // Back at the bottom, the divider stays where it was until the room is opened again.
    QVERIFY(QMetaObject::invokeMethod(timeline, "scrollToBottom"));
    QTRY_VERIFY(view->property("atYEnd").toBool());
    selectRoom(QStringLiteral("general"));
    selectRoom(QStringLiteral("random"));
    QTRY_COMPARE(timeline->property("firstUnreadSeq").toLongLong(), 0);
    QVERIFY(!jump->isVisible());
}

void TestChatApp::expiredTokenSignsOutInWords()
{
    // Sign out from the menu, then in again with a token that lives one second.
    QVERIFY(QMetaObject::invokeMethod(chatPage(), "signOutRequested"));
    QTRY_VERIFY(!chatPage());
    QTRY_COMPARE(m_appClient->state(), Client::State::Disconnected);
    findItem(m_window, QStringLiteral("tokenField"))
        ->setProperty("text",
            QString::fromLatin1(
                m_stub->makeToken(QStringLiteral("alice"), QStringLiteral("Alice"), 1)));
    click(findItem(m_window, QStringLiteral("signInButton")));
    QTRY_VERIFY(chatPage());

    // Each time the connection is up, it is cut; once the token has expired the server refuses
    // it and the app says so.
    QQuickItem *banner = findItem(m_window, QStringLiteral("connectionBanner"));
    QTRY_VERIFY_WITH_TIMEOUT(
        [this] {
            if (m_appClient->state() == Client::State::Connected)
                m_stub->dropClient(QStringLiteral("alice"));
            return m_appClient->state() == Client::State::Failed;
        }(),
        20000);
    QCOMPARE(m_appClient->error(), Client::Error::TokenExpired);
    QTRY_COMPARE(banner->property("text").toString(),
        QStringLiteral("Signed out: the server refused the token"));
    click(findItem(banner, QStringLiteral("bannerButton"))); // "Sign in again"
    QTRY_VERIFY(!chatPage());
    QTRY_COMPARE(findItem(m_window, QStringLiteral("signInError"))->property("text").toString(),
        QStringLiteral("The token has expired. Paste a new one."));
}

int main(int argc, char *argv[])
{
    QGuiApplication app(argc, argv);
    QGuiApplication::setOrganizationName(QStringLiteral("PalaverTest"));
    QGuiApplication::setApplicationName(QStringLiteral("tst_chat_app"));
    QQuickStyle::setStyle(QStringLiteral("Fusion"));
    TestChatApp test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_chatapp.moc"
