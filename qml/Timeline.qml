// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
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
    property string seeking: ""

    // A row's action, by its index in `messages` (see MessageDelegate).
    signal replyRequested(int row)
    signal editRequested(int row)
    signal deleteRequested(int row)
    signal pickEmojiRequested(int row, Item anchor)
    signal reactionToggled(int row, string emoji, bool add)

    //! Brings the message with this id into view and gives it the keyboard's attention, loading
    //! older history until it is found (or the room's start is reached).
    function showMessage(messageId) {
        if (!messages || messageId.length === 0)
            return
        const row = messages.rowOfId(messageId)
        if (row >= 0) {
            seeking = ""
            view.cancelFlick()
            view.pinned = false
            view.currentIndex = row
            view.positionViewAtIndex(row, ListView.Center)
            view.forceActiveFocus()
            return
        }
        seeking = messageId
        if (messages.canFetchMoreHistory)
            messages.fetchMoreHistory()
        else if (!messages.fetchingHistory)
            seeking = ""
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
        seeking = ""
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
                if (timeline.seeking.length > 0 && !timeline.messages.fetchingHistory)
                    Qt.callLater(timeline.showMessage, timeline.seeking)
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
