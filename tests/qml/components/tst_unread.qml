// SPDX-License-Identifier: MIT
import QtQuick
import QtTest
import Palaver.Chat

TestCase {
    id: testCase
    name: "Unread"
    when: windowShown
    visible: true
    width: 600
    height: 200

    Component {
        id: dividerComponent
        UnreadDivider { width: 600 }
    }
    Component {
        id: jumpComponent
        JumpToUnreadButton { }
    }
    Component {
        id: spyComponent
        SignalSpy { }
    }

    function spy(item, signalName) {
        return createTemporaryObject(spyComponent, testCase, { target: item, signalName: signalName })
    }

    function test_dividerSaysNewMessages() {
        const divider = createTemporaryObject(dividerComponent, testCase)
        verify(divider)
        const label = findChild(divider, "unreadDividerLabel")
        compare(label.text, "New messages")
        compare(label.textFormat, Text.PlainText)
        verify(divider.implicitHeight >= label.implicitHeight)
        compare(divider.Accessible.name, "New messages")
    }

    function test_dividerInBothThemes() {
        const divider = createTemporaryObject(dividerComponent, testCase)
        const label = findChild(divider, "unreadDividerLabel")
        Theme.mode = Theme.Light
        const light = Qt.color(label.color)
        Theme.mode = Theme.Dark
        verify(!Qt.colorEqual(label.color, light))
        Theme.mode = Theme.System
    }

    function test_jumpAndDismiss() {
        const bar = createTemporaryObject(jumpComponent, testCase)
        verify(bar)
        waitForRendering(bar)
        const jumped = spy(bar, "jumpClicked")
        const dismissed = spy(bar, "dismissClicked")
        const jump = findChild(bar, "jumpToUnreadButton")
        compare(jump.text, "↑ Jump to first unread")
        mouseClick(jump)
        compare(jumped.count, 1)
        compare(dismissed.count, 0)
        mouseClick(findChild(bar, "dismissUnreadButton"))
        compare(dismissed.count, 1)
        compare(jumped.count, 1)
    }
}
