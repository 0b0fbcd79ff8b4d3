// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound
import QtQuick
import QtTest
import Palaver

TestCase {
    id: testCase
    name: "PalaverClient"

    Client {
        id: alice
    }

    Client {
        id: bob
    }

    Component {
        id: tokenStoreComponent
        TokenStore {}
    }

    SignalSpy {
        id: aliceConnected
        target: alice
        signalName: "connected"
    }

    function cleanupTestCase() {
        alice.close()
        bob.close()
    }

    function test_0_connectAndSession() {
        alice.url = stubUrl
        alice.setToken(aliceToken)
        compare(alice.state, Client.Disconnected)
        alice.open()
        tryCompare(alice, "state", Client.Connected)
        compare(aliceConnected.count, 1)
        tryCompare(alice, "userId", "alice")
        compare(alice.userName, "Alice")
        compare(alice.maxContentLength, 4000)
        verify(alice.isOnline("alice"))
        // Alice may join general only: the private room is listed for its members.
        compare(alice.roomList.count, 1)
        compare(alice.roomList.room(0).id, "general")
        compare(alice.roomList.room(0).isPrivate, false)
    }

    function test_1_roomsAndMessages() {
        compare(alice.room("Not A Room"), null)
        const room = alice.room("general")
        verify(room !== null)
        compare(alice.room("general"), room)
        compare(room.name, "General")
        compare(room.joinState, Room.NotJoined)
        room.join()
        tryCompare(room, "joinState", Room.Joined)
        tryCompare(room.members, "count", 1)

        const pending = room.send("hello from QML")
        compare(pending.status, Message.Pending)
        compare(pending.content, "hello from QML")
        compare(room.messages.count, 1)
        tryVerify(() => room.messages.message(0).status === Message.Sent)
        compare(room.messages.message(0).seq, 1)
        tryCompare(room.lastMessage, "content", "hello from QML")
        compare(room.unreadCount, 0)

        const refused = room.send("   ")
        compare(refused.status, Message.Failed)
        verify(refused.error.length > 0)
    }

    function test_2_otherUsers() {
        bob.url = stubUrl
        bob.setToken(bobToken)
        bob.open()
        tryVerify(() => alice.isOnline("bob"))
        verify(alice.onlineUsers.indexOf("bob") >= 0)
        const bobRoom = bob.room("general")
        bobRoom.join()
        tryCompare(bobRoom, "joinState", Room.Joined)
        const room = alice.room("general")
        tryCompare(room.members, "count", 2)

        bobRoom.setTyping(true)
        tryCompare(room, "typingUserNames", ["Bob"])
        bobRoom.send("hi Alice")
        tryCompare(room.messages, "count", 2)
        compare(room.typingUsers.length, 0)
        compare(room.unreadCount, 1)
        tryCompare(alice.roomList, "totalUnread", 1)
        room.markRead()
        compare(room.unreadCount, 0)
        compare(alice.roomList.totalUnread, 0)
    }

    SignalSpy {
        id: aliceUpdates
        signalName: "messageUpdated"
    }

    function test_2b_contractV11() {
        // The stub speaks v1.1: features, edits and reactions, read markers, all from QML.
        verify(alice.supports("edit"))
        verify(alice.features.indexOf("react") >= 0)
        const room = alice.room("general")
        const bobRoom = bob.room("general")
        aliceUpdates.target = room
        const bobsId = room.messages.message(1).id
        const edit = bobRoom.edit(bobsId, "hi @alice, edited")
        compare(edit.status, Message.Pending)
        tryCompare(aliceUpdates, "count", 1)
        const edited = aliceUpdates.signalArguments[0][0]
        compare(edited.content, "hi @alice, edited")
        verify(edited.edited)
        compare(edited.mentions, ["alice"])
        compare(room.messages.message(1).content, "hi @alice, edited")
        const reaction = room.react(bobsId, "\u{1F44D}", true)
        compare(reaction.status, Message.Pending)
        tryCompare(aliceUpdates, "count", 2)
        compare(aliceUpdates.signalArguments[1][0].reactions.length, 1)

        bobRoom.send("@alice ping")
        tryCompare(room, "mentionCount", 1)
        room.markRead()
        compare(room.mentionCount, 0)
        tryCompare(room, "readSeq", 3)
    }

    ListView {
        id: timeline
        width: 400
        height: 300
        delegate: Text {
            required property string authorName
            required property string content
            text: authorName + ": " + content
        }
    }

    function test_2c_timelineShowsWhatArrives() {
        // Nobody listens to this room's messageReceived: its plain messages go into the model
        // straight from the frames. A view shows them as any other, and so does lastMessage.
        const room = alice.room("general")
        timeline.model = room.messages
        const before = room.messages.count
        bob.room("general").send("plain words for the view")
        tryCompare(room.messages, "count", before + 1)
        timeline.positionViewAtEnd()
        tryVerify(() => timeline.itemAtIndex(before) !== null)
        compare(timeline.itemAtIndex(before).text, "Bob: plain words for the view")
        compare(room.lastMessage.content, "plain words for the view")
        compare(room.lastMessage.authorName, "Bob")
    }

    function test_3_retryNowSkipsTheWait() {
        // Not reconnecting: nothing to skip.
        alice.retryNow()
        compare(alice.state, Client.Connected)
    }

    function test_4_tokenStoreIsCreatable() {
        const store = tokenStoreComponent.createObject(testCase)
        verify(store !== null)
        compare(store.service, "palaver")
        store.destroy()
    }
}
