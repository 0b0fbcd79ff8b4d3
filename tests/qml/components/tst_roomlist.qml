// SPDX-License-Identifier: MIT
import QtQuick
import QtTest
import Palaver.Chat

TestCase {
    id: testCase
    name: "RoomDelegateAndTyping"
    when: windowShown
    visible: true
    width: 300
    height: 300

    Component {
        id: roomComponent
        RoomDelegate {
            width: 260
            index: 0
            model: ({ id: "general" })
            name: "General"
            isPrivate: false
            joined: true
            unreadCount: 0
            lastAuthorName: "Bob"
            lastMessage: "hi"
        }
    }
    Component {
        id: typingComponent
        TypingIndicator { }
    }

    function test_previewAndNamesArePlainText() {
        const item = createTemporaryObject(roomComponent, testCase,
            { name: "<b>Room</b>", lastAuthorName: "<i>Bob</i>", lastMessage: "<a href='x'>y</a>" })
        const name = findChild(item, "roomName")
        compare(name.text, "<b>Room</b>")
        compare(name.textFormat, Text.PlainText)
        const preview = findChild(item, "roomPreview")
        compare(preview.text, "<i>Bob</i>: <a href='x'>y</a>")
        compare(preview.textFormat, Text.PlainText)
    }

    function test_lockAndBadge() {
        const open = createTemporaryObject(roomComponent, testCase, {})
        verify(!findChild(open, "lockIcon").visible)
        verify(!findChild(open, "unreadBadge").visible)
        verify(!findChild(open, "joinButton").visible)
        const locked = createTemporaryObject(roomComponent, testCase,
            { isPrivate: true, unreadCount: 3, joined: true, model: { id: "staff" } })
        verify(findChild(locked, "lockIcon").visible)
        verify(findChild(locked, "unreadBadge").visible)
        compare(locked.roomId, "staff")
        compare(locked.objectName, "room_staff")
    }

    function test_mentionBadgeApartFromUnread() {
        const plain = createTemporaryObject(roomComponent, testCase, { unreadCount: 4 })
        verify(!findChild(plain, "mentionBadge").visible)
        const mentioned = createTemporaryObject(roomComponent, testCase,
            { unreadCount: 4, model: { id: "general", mentionCount: 2 } })
        const badge = findChild(mentioned, "mentionBadge")
        verify(badge.visible)
        compare(badge.children[0].text, "@2")
        verify(findChild(mentioned, "unreadBadge").visible)
        verify(!Qt.colorEqual(badge.color, findChild(mentioned, "unreadBadge").color))
    }

    function test_mutedShowsABellStruckThrough() {
        const plain = createTemporaryObject(roomComponent, testCase, {})
        verify(!findChild(plain, "mutedIcon").visible)
        const muted = createTemporaryObject(roomComponent, testCase, { muted: true })
        verify(findChild(muted, "mutedIcon").visible)
        compare(findChild(muted, "mutedIcon").Accessible.name, "Notifications off")
    }

    function test_notJoinedOffersJoin() {
        const item = createTemporaryObject(roomComponent, testCase, { joined: false })
        const join = findChild(item, "joinButton")
        verify(join.visible)
        compare(findChild(item, "roomPreview").text, "Not joined")
        const spy = createTemporaryObject(spyComponent, testCase,
                                          { target: item, signalName: "joinClicked" })
        mouseClick(join)
        compare(spy.count, 1)
        compare(spy.signalArguments[0][0], "general")
    }

    function test_typingText_data() {
        return [
            { tag: "nobody", names: [], text: "" },
            { tag: "one", names: ["Alice"], text: "Alice is typing…" },
            { tag: "two", names: ["Alice", "Bob"], text: "Alice and Bob are typing…" },
            { tag: "three", names: ["Alice", "Bob", "Carol"], text: "Alice, Bob and Carol are typing…" },
            { tag: "five", names: ["A", "B", "C", "D", "E"], text: "A, B and 3 others are typing…" },
            { tag: "markup", names: ["<b>Eve</b>"], text: "<b>Eve</b> is typing…" },
        ]
    }
    function test_typingText(data) {
        const item = createTemporaryObject(typingComponent, testCase, { names: data.names })
        compare(item.text, data.text)
        compare(item.textFormat, Text.PlainText)
    }

    Component {
        id: spyComponent
        SignalSpy { }
    }
}
