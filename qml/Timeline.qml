// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import Palaver
// The module's C++ types (TimelineProxyModel) are registered when the module is imported, and
// Main.qml is loaded by its URL, not through an import: so the module imports itself here.
import Palaver.Chat

//! The messages of one room. It stays pinned to the newest message while the user is at the
//! bottom; once they scroll up it stays put and offers a "New messages" button instead. Older
//! history loads when the view nears its top (no timers: driven by scrolling and by the model).
Item {
    id: timeline

    //! The room's Palaver MessageModel.
    property var messages: null
    //! Whether the view follows new messages (the user is at the bottom).
    readonly property alias pinned: view.pinned
    readonly property alias view: view
    //! A message arrived below the visible part while the user was scrolled up.
    readonly property alias hasUnseen: view.hasUnseen
    //! Display names by user id (reaction tooltips).
    property var nameOf: (userId) => userId
    //! The message asked for by showMessage() while older history loads ("" when none).
    readonly property string seeking: seeker ? seeker.name : ""
    // What showMessage()/jumpToFirstUnread() wait for while older history loads: {name, rowOf,
    // show}, or null.
    property var seeker: null
    //! The seq of the first message the user had not read when the room was opened (or that
    //! came while they were not looking); "New messages" shows above it. 0 for none.
    property real firstUnreadSeq: 0
    //! The user dismissed the offer to jump to the first unread message.
    property bool unreadDismissed: false
    //! The first unread message is above the view (loaded or still in older history).
    readonly property bool unreadAbove: {
        if (!messages || firstUnreadSeq <= 0 || view.count === 0)
            return false
        const row = messages.rowOfSeq(firstUnreadSeq)
        if (row < 0)
            return firstUnreadSeq < messages.message(0).seq
        return row < view.indexAt(1, view.contentY + 1)
    }

    // A row's action, by its index in `messages` (see MessageDelegate).
    signal replyRequested(int row)
    signal editRequested(int row)
    signal deleteRequested(int row)
    signal pickEmojiRequested(int row, Item anchor)
    signal reactionToggled(int row, string emoji, bool add)

    //! Brings the message with this id into view and gives it the keyboard's attention, loading
    //! older history until it is found (or the room's start is reached).
    function showMessage(messageId) {
        if (messages && messageId.length > 0)
            seek(messageId, () => messages.rowOfId(messageId), (row) => {
                view.currentIndex = row
                view.positionViewAtIndex(row, ListView.Center)
                view.forceActiveFocus()
            })
    }

    //! Brings the first unread message (firstUnreadSeq) to the top of the view, loading older
    //! history until it is there.
    function jumpToFirstUnread() {
        if (messages && firstUnreadSeq > 0)
            seek("unread", () => messages.rowOfSeq(firstUnreadSeq),
                 (row) => view.positionViewAtIndex(row, ListView.Beginning))
    }

    //! Finds where the user wants to be: the row `rowOf()` answers, once older history has
    //! loaded far enough (or not, at the room's start); then `show(row)`.
    function seek(name, rowOf, show) {
        const row = rowOf()
        if (row >= 0) {
            seeker = null
            view.cancelFlick()
            view.pinned = false
            show(row)
            return
        }
        seeker = { name: name, rowOf: rowOf, show: show }
        if (messages.canFetchMoreHistory)
            messages.fetchMoreHistory()
        else if (!messages.fetchingHistory)
            seeker = null
    }

    //! Sets the "New messages" divider from the read marker as the room is opened: above the
    //! first message from others after `readSeq` (the marker of all the user's devices), or, when
    //! the server keeps no marker (readSeq 0), above the `unread` newest messages from others.
    function markUnread(readSeq, unread) {
        firstUnreadSeq = 0
        unreadDismissed = false
        if (!messages || (readSeq <= 0 && unread <= 0))
            return
        let others = 0
        for (let row = messages.count - 1; row >= 0; --row) {
            const m = messages.message(row)
            if (m.status !== Message.Sent)
                continue
            if (readSeq > 0 && m.seq <= readSeq)
                break
            if (m.authorId === messages.ownUserId)
                continue
            firstUnreadSeq = m.seq
            if (readSeq <= 0 && ++others >= unread)
                break
        }
        // Unread beyond the first page: the divider waits in older history.
        if (readSeq > 0 && firstUnreadSeq > 0 && messages.message(0).seq > readSeq + 1)
            firstUnreadSeq = readSeq + 1
    }

    //! Goes to the newest message and follows new ones again.
    function scrollToBottom() {
        view.cancelFlick() // a wheel or flick still running would unpin the view again
        view.pinned = true
        view.hasUnseen = false
        view.positionViewAtEnd()
    }

    // A first page shorter than the view leaves nothing to scroll: load more until it is full.
    // Checked after the rows are laid out (callLater), not while they are being created.
    function fillView() {
        if (view.count > 0 && view.contentHeight < view.height)
            fetchOlder()
    }

    function fetchOlder() {
        if (messages && messages.canFetchMoreHistory)
            messages.fetchMoreHistory()
    }

    onMessagesChanged: {
        seeker = null
        firstUnreadSeq = 0
        unreadDismissed = false
        view.currentIndex = -1
        view.cancelFlick()
        view.pinned = true
        view.hasUnseen = false
        Qt.callLater(timeline.scrollToBottom)
    }

    ListView {
        id: view
        objectName: "timelineView"

        property bool pinned: true
        property bool hasUnseen: false

        anchors.fill: parent
        model: TimelineProxyModel { sourceModel: timeline.messages }
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        reuseItems: true
        // No top/bottom margins: positionViewAtEnd() ignores them, and atYEnd would never hold.
        QQC2.ScrollBar.vertical: QQC2.ScrollBar { }

        delegate: MessageDelegate {
            availableWidth: view.width
            nameOf: timeline.nameOf
            current: ListView.isCurrentItem && view.activeFocus
            onRetryClicked: (clientId) => timeline.messages.retry(clientId)
            onDiscardClicked: (clientId) => timeline.messages.discard(clientId)
            onReplyRequested: (row) => timeline.replyRequested(row)
            onEditRequested: (row) => timeline.editRequested(row)
            onDeleteRequested: (row) => timeline.deleteRequested(row)
            onPickEmojiRequested: (row, anchor) => timeline.pickEmojiRequested(row, anchor)
            onReactionToggled: (row, emoji, add) => timeline.reactionToggled(row, emoji, add)
            onQuoteClicked: (messageId) => timeline.showMessage(messageId)
            unreadAbove: seq > 0 && seq === timeline.firstUnreadSeq
        }

        // Keyboard: with the timeline focused, Up/Down pick a message; R replies, E edits,
        // Delete deletes, + reacts; Esc goes back to the newest message.
        keyNavigationEnabled: true
        highlightFollowsCurrentItem: false
        currentIndex: -1
        Keys.onPressed: (event) => {
            const row = view.currentIndex
            if (event.key === Qt.Key_Escape) {
                view.currentIndex = -1
                timeline.scrollToBottom()
            } else if (row < 0) {
                return
            } else if (event.key === Qt.Key_R) {
                timeline.replyRequested(row)
            } else if (event.key === Qt.Key_E) {
                timeline.editRequested(row)
            } else if (event.key === Qt.Key_Delete) {
                timeline.deleteRequested(row)
            } else if (event.key === Qt.Key_Plus) {
                timeline.pickEmojiRequested(row, view.currentItem)
            } else {
                return
            }
            event.accepted = true
        }

        // The user's own scrolling (drag, flick, wheel) decides whether the view follows new
        // messages: at the bottom it does, anywhere else it stays put.
        // A few pixels of slack: variable-height rows make the end move a little while laid out.
        readonly property bool atBottom: contentHeight <= height
            || contentY + height >= originY + contentHeight - 4
        function userScrolled() {
            pinned = atBottom
            if (pinned)
                hasUnseen = false
        }
        onMovementEnded: userScrolled()
        onContentYChanged: {
            if (moving || dragging || flicking)
                userScrolled()
            if (!pinned && contentY - originY < height / 2)
                timeline.fetchOlder()
        }
        onCountChanged: {
            if (pinned)
                Qt.callLater(view.positionViewAtEnd)
            Qt.callLater(timeline.fillView)
        }
        onContentHeightChanged: {
            if (pinned && !moving)
                Qt.callLater(view.positionViewAtEnd)
        }
        onHeightChanged: {
            if (pinned)
                Qt.callLater(view.positionViewAtEnd)
        }

        Connections {
            target: timeline.messages
            ignoreUnknownSignals: true
            function onLastSeqChanged() {
                if (!view.pinned)
                    view.hasUnseen = true
            }
            function onFetchingHistoryChanged() {
                const seeker = timeline.seeker
                if (seeker && !timeline.messages.fetchingHistory)
                    Qt.callLater(timeline.seek, seeker.name, seeker.rowOf, seeker.show)
            }
        }
    }

    // Above the first message, over the view (not a ListView header: Qt 6.4 creates headers in a
    // context of their own, where a component of this Bound file may not be instantiated).
    QQC2.BusyIndicator {
        objectName: "historyBusy"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.top: parent.top
        anchors.topMargin: Theme.spacing
        height: 32
        visible: timeline.messages !== null && timeline.messages.fetchingHistory
        running: visible
    }
    QQC2.Label {
        objectName: "startOfRoom"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.top: parent.top
        anchors.topMargin: Theme.spacing
        padding: Theme.spacing / 2
        visible: timeline.messages !== null && view.count > 0 && view.atYBeginning
            && !timeline.messages.hasMoreHistory && !view.pinned
        text: qsTr("This is the start of the room.")
        color: Theme.mutedText
        background: Rectangle { color: Theme.window; radius: Theme.radius; opacity: 0.9 }
    }

    QQC2.Label {
        anchors.centerIn: parent
        visible: timeline.messages !== null && view.count === 0
            && !timeline.messages.fetchingHistory
        text: qsTr("No messages yet. Say hello!")
        color: Theme.mutedText
    }

    JumpToUnreadButton {
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.top: parent.top
        anchors.topMargin: Theme.spacing
        visible: timeline.unreadAbove && !timeline.unreadDismissed
        onJumpClicked: timeline.jumpToFirstUnread()
        onDismissClicked: timeline.unreadDismissed = true
    }

    QQC2.Button {
        objectName: "jumpToNewButton"
        anchors.horizontalCenter: parent.horizontalCenter
        anchors.bottom: parent.bottom
        anchors.bottomMargin: Theme.spacing * 2
        visible: !view.pinned && view.hasUnseen
        text: qsTr("New messages ↓")
        highlighted: true
        onClicked: timeline.scrollToBottom()
    }
}
