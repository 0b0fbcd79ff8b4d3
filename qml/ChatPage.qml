// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Palaver

//! The signed-in window: rooms on the left, the timeline with its composer in the middle, the
//! members on the right, and the connection banner above when the connection is not up.
Rectangle {
    id: page

    required property Client client
    //! The room shown in the timeline ("" for none).
    property string currentRoomId
    readonly property Room currentRoom: currentRoomId.length > 0 ? client.room(currentRoomId) : null
    property bool membersVisible: true
    readonly property alias timeline: timeline
    readonly property alias composer: composer
    readonly property alias banner: banner

    //! The banner's "Sign in again", or the menu's "Sign out".
    signal signOutRequested()
    //! The menu's theme choice (Theme.System, Theme.Light, Theme.Dark).
    signal themeChosen(int mode)
    signal quitRequested()

    function roomIdAt(row) {
        const summary = client.roomList.room(row)
        return summary.id
    }
    function selectRoom(roomId) {
        if (roomId.length === 0)
            return
        currentRoomId = roomId
        const room = client.room(roomId)
        if (room.joinState === Room.Joined)
            room.markRead()
        composer.focusField()
    }
    function joinRoom(roomId) {
        client.room(roomId).join()
        selectRoom(roomId)
    }
    function selectRelative(step) {
        const count = client.roomList.count
        if (count === 0)
            return
        let row = client.roomList.rowOf(currentRoomId)
        row = row < 0 ? 0 : (row + step + count) % count
        selectRoom(roomIdAt(row))
    }
    function openSwitcher() { switcher.open() }

    objectName: "chatPage"
    color: Theme.window

    Shortcut {
        sequences: ["Ctrl+K"]
        enabled: page.visible
        onActivated: switcher.open()
    }
    Shortcut {
        sequences: ["Ctrl+Up"]
        enabled: page.visible
        onActivated: page.selectRelative(-1)
    }
    Shortcut {
        sequences: ["Ctrl+Down"]
        enabled: page.visible
        onActivated: page.selectRelative(1)
    }

    // Reading: a room shown while new messages arrive at the bottom counts as read.
    Connections {
        target: page.currentRoom
        function onMessageReceived() {
            if (timeline.pinned && Qt.application.state === Qt.ApplicationActive)
                page.currentRoom.markRead()
        }
        function onJoined() { page.currentRoom.markRead() }
    }
    // Back at the bottom (scrolled or jumped there), everything has been seen.
    Connections {
        target: timeline
        function onPinnedChanged() {
            if (timeline.pinned && page.currentRoom && page.currentRoom.joinState === Room.Joined)
                page.currentRoom.markRead()
        }
    }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0

        ConnectionBanner {
            id: banner
            Layout.fillWidth: true
            connectionState: page.client.state
            retryInMs: page.client.nextRetryIn
            errorCode: page.client.error
            errorString: page.client.errorString
            onRetryNowClicked: page.client.retryNow()
            onSignInAgainClicked: page.signOutRequested()
            onReconnectClicked: page.client.open()
        }

        RowLayout {
            Layout.fillWidth: true
            Layout.fillHeight: true
            spacing: 0

            // ---- Rooms ----
            Rectangle {
                Layout.fillHeight: true
                Layout.preferredWidth: Theme.sidebarWidth
                color: Theme.sidebar

                Rectangle {
                    anchors { right: parent.right; top: parent.top; bottom: parent.bottom }
                    width: 1
                    color: Theme.border
                }

                ColumnLayout {
                    anchors.fill: parent
                    anchors.rightMargin: 1
                    spacing: 0

                    RowLayout {
                        Layout.fillWidth: true
                        Layout.margins: Theme.spacing
                        spacing: Theme.spacing

                        Rectangle {
                            width: 10
                            height: 10
                            radius: 5
                            color: page.client.state === Client.Connected ? Theme.online : Theme.offline
                        }
                        QQC2.Label {
                            objectName: "userName"
                            Layout.fillWidth: true
                            text: page.client.userName
                            textFormat: Text.PlainText
                            elide: Text.ElideRight
                            font.bold: true
                            color: Theme.text
                        }
                        QQC2.ToolButton {
                            objectName: "menuButton"
                            text: "☰"
                            Accessible.name: qsTr("Menu")
                            QQC2.ToolTip.visible: hovered
                            QQC2.ToolTip.text: qsTr("Menu")
                            onClicked: menu.open()

                            QQC2.Menu {
                                id: menu
                                y: parent.height
                                QQC2.MenuItem {
                                    text: qsTr("Switch room…  (Ctrl+K)")
                                    onTriggered: switcher.open()
                                }
                                QQC2.MenuSeparator { }
                                QQC2.MenuItem {
                                    objectName: "themeSystem"
                                    text: qsTr("Theme: follow the system")
                                    checkable: true
                                    checked: Theme.mode === Theme.System
                                    onTriggered: page.themeChosen(Theme.System)
                                }
                                QQC2.MenuItem {
                                    objectName: "themeLight"
                                    text: qsTr("Theme: light")
                                    checkable: true
                                    checked: Theme.mode === Theme.Light
                                    onTriggered: page.themeChosen(Theme.Light)
                                }
                                QQC2.MenuItem {
                                    objectName: "themeDark"
                                    text: qsTr("Theme: dark")
                                    checkable: true
                                    checked: Theme.mode === Theme.Dark
                                    onTriggered: page.themeChosen(Theme.Dark)
                                }
                                QQC2.MenuSeparator { }
                                QQC2.MenuItem {
                                    objectName: "signOutItem"
                                    text: qsTr("Sign out")
                                    onTriggered: page.signOutRequested()
                                }
                                QQC2.MenuItem {
                                    text: qsTr("Quit")
                                    onTriggered: page.quitRequested()
                                }
                            }
                        }
                    }

                    QQC2.Label {
                        Layout.leftMargin: Theme.spacing * 1.5
                        Layout.topMargin: Theme.spacing
                        text: qsTr("Rooms")
                        font.bold: true
                        color: Theme.mutedText
                    }

                    ListView {
                        id: roomListView
                        objectName: "roomListView"
                        Layout.fillWidth: true
                        Layout.fillHeight: true
                        Layout.margins: Theme.spacing / 2
                        clip: true
                        spacing: 2
                        model: page.client.roomList
                        QQC2.ScrollBar.vertical: QQC2.ScrollBar { }
                        delegate: RoomDelegate {
                            width: ListView.view.width
                            current: roomId === page.currentRoomId
                            onClicked: page.selectRoom(roomId)
                            onJoinClicked: (roomId) => page.joinRoom(roomId)
                        }
                    }
                }
            }

            // ---- Timeline ----
            ColumnLayout {
                Layout.fillWidth: true
                Layout.fillHeight: true
                spacing: 0

                Rectangle {
                    Layout.fillWidth: true
                    implicitHeight: header.implicitHeight + 2 * Theme.spacing
                    color: Theme.window
                    visible: page.currentRoom !== null

                    Rectangle {
                        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
                        height: 1
                        color: Theme.border
                    }

                    RowLayout {
                        id: header
                        anchors.fill: parent
                        anchors.leftMargin: Theme.spacing * 2
                        anchors.rightMargin: Theme.spacing
                        spacing: Theme.spacing

                        LockIcon {
                            visible: page.currentRoom !== null && page.currentRoom.isPrivate
                            color: Theme.mutedText
                        }
                        QQC2.Label {
                            objectName: "roomTitle"
                            text: page.currentRoom ? page.currentRoom.name : ""
                            textFormat: Text.PlainText
                            elide: Text.ElideRight
                            font.bold: true
                            font.pointSize: Qt.application.font.pointSize * 1.2
                            color: Theme.text
                            Layout.fillWidth: true
                        }
                        QQC2.ToolButton {
                            objectName: "membersButton"
                            visible: page.currentRoom !== null && page.currentRoom.joinState === Room.Joined
                            text: page.currentRoom
                                ? qsTr("Members (%1)").arg(page.currentRoom.members.count) : ""
                            checkable: true
                            checked: page.membersVisible
                            onToggled: page.membersVisible = checked
                        }
                        QQC2.ToolButton {
                            objectName: "leaveButton"
                            visible: page.currentRoom !== null && page.currentRoom.joinState === Room.Joined
                            text: qsTr("Leave")
                            onClicked: page.currentRoom.leave()
                        }
                    }
                }

                Item {
                    Layout.fillWidth: true
                    Layout.fillHeight: true

                    Timeline {
                        id: timeline
                        anchors.fill: parent
                        visible: page.currentRoom !== null && page.currentRoom.joinState !== Room.NotJoined
                            && page.currentRoom.joinState !== Room.Failed
                        messages: page.currentRoom ? page.currentRoom.messages : null
                    }

                    ColumnLayout {
                        anchors.centerIn: parent
                        visible: !timeline.visible
                        width: Math.min(parent.width - 4 * Theme.spacing, 420)
                        spacing: Theme.spacing

                        QQC2.Label {
                            objectName: "roomPlaceholder"
                            Layout.fillWidth: true
                            horizontalAlignment: Text.AlignHCenter
                            wrapMode: Text.Wrap
                            textFormat: Text.PlainText
                            color: Theme.mutedText
                            text: page.currentRoom === null ? qsTr("Pick a room on the left.")
                                : page.currentRoom.joinState === Room.Failed
                                    ? (page.currentRoom.errorCode === "access_denied"
                                        ? qsTr("This room is private and you are not one of its members.")
                                        : qsTr("Could not join: %1").arg(page.currentRoom.errorString))
                                    : qsTr("You are not in %1.").arg(page.currentRoom.name)
                        }
                        QQC2.Button {
                            objectName: "joinRoomButton"
                            Layout.alignment: Qt.AlignHCenter
                            visible: page.currentRoom !== null && page.currentRoom.errorCode !== "access_denied"
                            text: qsTr("Join room")
                            highlighted: true
                            onClicked: page.joinRoom(page.currentRoomId)
                        }
                    }
                }

                TypingIndicator {
                    Layout.fillWidth: true
                    names: page.currentRoom ? page.currentRoom.typingUserNames : []
                }

                Composer {
                    id: composer
                    Layout.fillWidth: true
                    enabled: page.currentRoom !== null && page.currentRoom.joinState !== Room.Failed
                    maxLength: page.client.maxContentLength
                    // Not "Message <room name>": the placeholder is not a PlainText label.
                    placeholderText: qsTr("Write a message…")
                    onSendRequested: (text) => {
                        page.currentRoom.send(text)
                        page.currentRoom.setTyping(false)
                        timeline.scrollToBottom()
                    }
                    onTypingActivity: (typing) => {
                        if (page.currentRoom && page.currentRoom.joinState === Room.Joined)
                            page.currentRoom.setTyping(typing)
                    }
                }
            }

            // ---- Members ----
            MemberList {
                Layout.fillHeight: true
                Layout.preferredWidth: Theme.membersWidth
                visible: page.membersVisible && page.currentRoom !== null
                    && page.currentRoom.joinState === Room.Joined
                members: page.currentRoom ? page.currentRoom.members : null
            }
        }
    }

    RoomSwitcher {
        id: switcher
        parent: QQC2.Overlay.overlay
        roomList: page.client.roomList
        onRoomChosen: (roomId) => page.selectRoom(roomId)
    }
}
