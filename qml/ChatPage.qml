// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Qt.labs.settings
import Palaver
import Palaver.Chat

//! The signed-in window: rooms on the left, the timeline with its composer in the middle, the
//! members on the right, and the connection banner above when the connection is not up.
Rectangle {
    id: page

    required property Client client
    //! The room shown in the timeline ("" for none).
    property string currentRoomId
    readonly property Room currentRoom: currentRoomId.length > 0 ? client.room(currentRoomId) : null
    property bool membersVisible: true
    //! The app's desktop notifications (the room header's menu sets each room's level); may be
    //! null.
    property DesktopNotifier notifier: null
    //! The window has the keyboard focus: only then does what the timeline shows count as read.
    readonly property bool windowActive: Window.active
    //! Whether the "New messages" divider of the room shown was set since it was opened.
    property bool unreadFound: false
    // The notification levels live in QSettings, behind no property: counted here.
    property int levelRevision: 0
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
        const changed = currentRoomId !== roomId
        currentRoomId = roomId
        if (changed)
            unreadFound = false
        findUnread()
        markReadIfSeen()
        composer.focusField()
    }
    //! Once the room shown is joined and its first page is there: the divider at its read marker
    //! (the highest the room or the room list knows: the room list has `session:ready`'s).
    function findUnread() {
        const room = currentRoom
        if (unreadFound || !room || room.joinState !== Room.Joined)
            return
        unreadFound = true
        const row = client.roomList.rowOf(room.id)
        const listed = row >= 0 ? client.roomList.room(row).readSeq : 0
        timeline.markUnread(client.supports("read") ? Math.max(room.readSeq, listed) : 0,
                            room.unreadCount)
    }
    //! Everything up to the newest message counts as read once the user sees it: the room is
    //! joined, the timeline is at its bottom and the window has the focus.
    function markReadIfSeen() {
        const room = currentRoom
        if (room && room.joinState === Room.Joined && timeline.pinned && windowActive && visible)
            room.markRead()
    }
    function jumpToFirstUnread() { timeline.jumpToFirstUnread() }
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

    // ---- Actions on a message of the current room (by its row in the room's MessageModel) ----
    function messageAt(row) { return currentRoom ? currentRoom.messages.message(row) : null }
    function isOwnMessage(m) { return m !== null && m.authorId === client.userId }
    function nameOf(userId) {
        const members = currentRoom ? currentRoom.members : null
        const row = members ? members.rowOf(userId) : -1
        return row >= 0 ? members.member(row).name : userId
    }
    function excerpt(text) { return text.length > 120 ? text.substring(0, 119) + "…" : text }
    function replyTo(row) {
        const m = messageAt(row)
        if (m && m.status === Message.Sent)
            composer.startReply(m.id, m.authorName, excerpt(m.content), m.deleted)
    }
    function editAt(row) {
        const m = messageAt(row)
        if (isOwnMessage(m) && m.status === Message.Sent && !m.deleted)
            composer.startEdit(m.id, m.content)
    }
    //! Up in an empty composer: the newest own message that can be edited.
    function editLast() {
        const messages = currentRoom ? currentRoom.messages : null
        for (let row = messages ? messages.count - 1 : -1; row >= 0; --row) {
            const m = messages.message(row)
            if (isOwnMessage(m) && m.status === Message.Sent && !m.deleted) {
                composer.startEdit(m.id, m.content)
                return
            }
        }
    }
    function askDelete(row) {
        const m = messageAt(row)
        if (!isOwnMessage(m) || m.status !== Message.Sent || m.deleted)
            return
        deleteDialog.messageId = m.id
        deleteDialog.excerpt = excerpt(m.content)
        deleteDialog.open()
    }
    function pickEmoji(row, anchor) {
        const m = messageAt(row)
        if (!m || m.status !== Message.Sent || m.deleted)
            return
        emojiPicker.messageId = m.id
        const p = anchor.mapToItem(page, 0, anchor.height)
        emojiPicker.x = Math.max(0, Math.min(p.x, page.width - emojiPicker.implicitWidth))
        emojiPicker.y = p.y + emojiPicker.implicitHeight > page.height
            ? Math.max(0, p.y - anchor.height - emojiPicker.implicitHeight) : p.y
        emojiPicker.open()
    }
    function react(messageId, emoji, add) {
        if (!currentRoom)
            return
        currentRoom.react(messageId, emoji, add)
        if (add) {
            const recent = [emoji].concat(reactionSettings.recent.filter(e => e !== emoji))
            reactionSettings.recent = recent.slice(0, 5)
        }
    }

    // What is typed and not sent, per room of this account, kept across room switches and
    // restarts: one JSON object {roomId: text} per account in QSettings.
    Settings {
        id: draftSettings
        category: "drafts"
    }
    function draftsKey() {
        return encodeURIComponent(String(client.url) + " " + client.userId)
    }
    function drafts() {
        try {
            const saved = JSON.parse(draftSettings.value(draftsKey(), "{}"))
            return saved !== null && typeof saved === "object" ? saved : {}
        } catch (e) {
            return {}
        }
    }
    function saveDraft(roomId, text) {
        if (roomId.length === 0 || client.userId.length === 0)
            return
        const all = drafts()
        if ((all[roomId] || "") === text)
            return
        if (text.length > 0)
            all[roomId] = text
        else
            delete all[roomId]
        draftSettings.setValue(draftsKey(), JSON.stringify(all))
    }
    //! Signing out for good: the account's drafts go with its store.
    function forgetDrafts() {
        draftSettings.setValue(draftsKey(), "{}")
    }

    onCurrentRoomIdChanged: composer.setDraft(currentRoomId.length > 0 ? (drafts()[currentRoomId] || "") : "")

    Settings {
        id: reactionSettings
        category: "reactions"
        //! Emoji this user reacted with, newest first.
        property var recent: []
    }

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

    Shortcut {
        sequences: ["Ctrl+J"]
        enabled: page.visible
        onActivated: page.jumpToFirstUnread()
    }

    // Reading: a room shown while new messages arrive at the bottom counts as read; one that
    // arrives unseen (scrolled up, or the window in the background) starts the divider.
    Connections {
        target: page.currentRoom
        function onMessageReceived(message) {
            if (timeline.pinned && page.windowActive) {
                page.currentRoom.markRead()
            } else if (timeline.firstUnreadSeq <= 0 && message.authorId !== page.client.userId
                       && page.unreadFound) {
                timeline.firstUnreadSeq = message.seq
            }
        }
        function onJoined() {
            page.findUnread()
            page.markReadIfSeen()
        }
    }
    Connections {
        target: page.notifier
        function onLevelChanged() { ++page.levelRevision }
    }
    // Back at the bottom (scrolled or jumped there), or back in the window: seen.
    Connections {
        target: timeline
        function onPinnedChanged() { page.markReadIfSeen() }
    }
    onWindowActiveChanged: markReadIfSeen()

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
            showingSaved: page.currentRoom !== null && page.currentRoom.cached
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
                            muted: page.levelRevision >= 0 && page.notifier !== null
                                && page.notifier.level(roomId) === DesktopNotifier.Off
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
                            id: notifyButton
                            objectName: "notifyButton"
                            // Read again when a level changes (levelRevision).
                            readonly property int level: page.levelRevision >= 0 && page.notifier
                                && page.currentRoom ? page.notifier.level(page.currentRoom.id)
                                : DesktopNotifier.All
                            visible: page.notifier !== null && page.currentRoom !== null
                                && page.currentRoom.joinState === Room.Joined
                            text: level === DesktopNotifier.Off ? "🔕" : "🔔"
                            Accessible.name: qsTr("Notifications")
                            QQC2.ToolTip.visible: hovered
                            QQC2.ToolTip.text: level === DesktopNotifier.All
                                ? qsTr("Notifications: all messages")
                                : level === DesktopNotifier.Mentions
                                    ? qsTr("Notifications: mentions only")
                                    : qsTr("Notifications: off")
                            onClicked: notifyMenu.open()

                            QQC2.Menu {
                                id: notifyMenu
                                objectName: "notifyMenu"
                                y: parent.height
                                QQC2.MenuItem {
                                    objectName: "notifyAll"
                                    text: qsTr("Notify of all messages")
                                    checkable: true
                                    checked: notifyButton.level === DesktopNotifier.All
                                    onTriggered: page.notifier.setLevel(page.currentRoomId, DesktopNotifier.All)
                                }
                                QQC2.MenuItem {
                                    objectName: "notifyMentions"
                                    text: qsTr("Notify of mentions only")
                                    checkable: true
                                    checked: notifyButton.level === DesktopNotifier.Mentions
                                    onTriggered: page.notifier.setLevel(page.currentRoomId, DesktopNotifier.Mentions)
                                }
                                QQC2.MenuItem {
                                    objectName: "notifyOff"
                                    text: qsTr("Do not notify")
                                    checkable: true
                                    checked: notifyButton.level === DesktopNotifier.Off
                                    onTriggered: page.notifier.setLevel(page.currentRoomId, DesktopNotifier.Off)
                                }
                            }
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
                        nameOf: (userId) => page.nameOf(userId)
                        onReplyRequested: (row) => page.replyTo(row)
                        onEditRequested: (row) => page.editAt(row)
                        onDeleteRequested: (row) => page.askDelete(row)
                        onPickEmojiRequested: (row, anchor) => page.pickEmoji(row, anchor)
                        onReactionToggled: (row, emoji, add) => {
                            const m = page.messageAt(row)
                            if (m)
                                page.react(m.id, emoji, add)
                        }
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
                    members: page.currentRoom ? page.currentRoom.members : null
                    // Not "Message <room name>": the placeholder is not a PlainText label.
                    placeholderText: qsTr("Write a message…")
                    onSendRequested: (text) => {
                        page.currentRoom.send(text)
                        page.currentRoom.setTyping(false)
                        timeline.scrollToBottom()
                    }
                    onReplySubmitted: (messageId, text) => {
                        page.currentRoom.reply(messageId, text)
                        page.currentRoom.setTyping(false)
                        timeline.scrollToBottom()
                    }
                    onEditSubmitted: (messageId, text) => {
                        page.currentRoom.edit(messageId, text)
                        page.currentRoom.setTyping(false)
                    }
                    onEditLastRequested: page.editLast()
                    onDraftChanged: (text) => page.saveDraft(page.currentRoomId, text)
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

    EmojiPicker {
        id: emojiPicker
        property string messageId
        recent: reactionSettings.recent
        onPicked: (emoji) => page.react(messageId, emoji, true)
        onClosed: composer.focusField()
    }

    QQC2.Dialog {
        id: deleteDialog
        objectName: "deleteDialog"
        property string messageId
        property string excerpt
        parent: QQC2.Overlay.overlay
        anchors.centerIn: parent
        modal: true
        title: qsTr("Delete message?")
        standardButtons: QQC2.Dialog.Cancel | QQC2.Dialog.Ok
        width: Math.min(parent ? parent.width - 4 * Theme.spacing : 400, 420)
        QQC2.Label {
            width: parent.width
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            text: qsTr("It will show as \"Message deleted\" for everyone in the room:\n%1")
                .arg(deleteDialog.excerpt)
        }
        Component.onCompleted: {
            const ok = standardButton(QQC2.Dialog.Ok)
            ok.text = qsTr("Delete")
            ok.objectName = "confirmDeleteButton"
        }
        onAccepted: if (page.currentRoom) page.currentRoom.remove(messageId)
        onClosed: composer.focusField()
    }

    RoomSwitcher {
        id: switcher
        parent: QQC2.Overlay.overlay
        roomList: page.client.roomList
        onRoomChosen: (roomId) => page.selectRoom(roomId)
    }
}
