// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Palaver

//! One row of the timeline. The grouping comes precomputed from the MessageModel: a day
//! separator on `firstOfDay`, the author and time on `firstOfAuthorRun`. Own messages sit on the
//! right in the accent tint; pending ones are dimmed with a clock; failed ones say why and offer
//! Retry and Discard. Contract v1.1: a reply shows its quote (click: go to the original), an
//! edited message "(edited)" with the time in a tooltip, a deleted one a "Message deleted"
//! tombstone, reactions as chips, and a message that mentions the user is highlighted. Hovering
//! (or the context menu, or the keyboard through the timeline) offers Reply, React, and for own
//! messages Edit and Delete. Content is always plain text.
Item {
    id: row

    required property int index
    required property string content
    required property string authorName
    required property string authorId
    required property date createdAt
    required property int status // Message.Status
    required property string error
    required property bool isOwn
    required property bool firstOfAuthorRun
    required property bool firstOfDay
    required property string clientId
    required property bool edited
    required property date editedAt
    required property bool deleted
    required property var reactions
    required property string replyToId
    required property string replyToAuthor
    required property string replyToExcerpt
    required property bool replyToDeleted
    required property bool mentionsMe
    //! Position in the room (0 while unsent).
    required property real seq
    //! The first message the user had not read: "New messages" shows above it.
    property bool unreadAbove: false
    //! Display names by user id (reaction tooltips).
    property var nameOf: (userId) => userId
    //! The row has the keyboard's attention in the timeline: its actions show as on hover.
    property bool current: false
    //! The width the row lays out in (the view's width).
    property real availableWidth: 400

    readonly property bool pending: status === Message.Pending
    readonly property bool failed: status === Message.Failed
    readonly property bool showHeader: firstOfAuthorRun || firstOfDay || unreadAbove
    // The locale's short time, without seconds (some locales' short format has them).
    readonly property string timeFormat: Qt.locale().timeFormat(Locale.ShortFormat).replace(/:ss/, "")
    readonly property real bubbleMaxWidth: Math.max(120, availableWidth * 0.72)
    //! Stored by the server and not a tombstone: it can be answered, reacted to, changed.
    readonly property bool actionable: status === Message.Sent && !deleted
    readonly property bool showActions: actionable && (hover.hovered || current || menu.visible)

    //! The user asked to send this failed message again.
    signal retryClicked(string clientId)
    //! The user dropped this unsent message.
    signal discardClicked(string clientId)
    //! The user asked to answer, edit or delete this message (the row's index in the model).
    signal replyRequested(int index)
    signal editRequested(int index)
    signal deleteRequested(int index)
    //! The user wants to pick an emoji to react with; `anchor` is where to show the picker.
    signal pickEmojiRequested(int index, Item anchor)
    //! A reaction chip was clicked: add or take back the user's reaction.
    signal reactionToggled(int index, string emoji, bool add)
    //! The reply's quote was clicked: show the original.
    signal quoteClicked(string messageId)

    function dayText(when) {
        const today = new Date()
        const day = new Date(when.getFullYear(), when.getMonth(), when.getDate())
        const start = new Date(today.getFullYear(), today.getMonth(), today.getDate())
        const days = Math.round((start - day) / 86400000)
        if (days === 0)
            return qsTr("Today")
        if (days === 1)
            return qsTr("Yesterday")
        return when.toLocaleDateString(Qt.locale(), Locale.LongFormat)
    }

    objectName: "message_" + index
    width: availableWidth
    implicitHeight: column.implicitHeight + (row.firstOfAuthorRun ? Theme.spacing : 2)

    component ActionButton: QQC2.ToolButton {
        id: actionButton
        required property string tip
        implicitWidth: 30
        implicitHeight: 28
        focusPolicy: Qt.NoFocus
        Accessible.name: tip
        QQC2.ToolTip.visible: hovered
        QQC2.ToolTip.delay: 400
        QQC2.ToolTip.text: tip
        background: Rectangle {
            color: actionButton.hovered ? Theme.selection : Theme.base
            border.color: Theme.border
            radius: 4
        }
    }

    HoverHandler { id: hover }
    TapHandler {
        acceptedButtons: Qt.RightButton
        enabled: row.actionable
        onTapped: (point) => menu.popup(row, point.position.x, point.position.y)
    }

    QQC2.Menu {
        id: menu
        objectName: "messageMenu"
        QQC2.MenuItem { text: qsTr("Reply"); onTriggered: row.replyRequested(row.index) }
        QQC2.MenuItem {
            text: qsTr("React…")
            onTriggered: row.pickEmojiRequested(row.index, bubble)
        }
        QQC2.MenuItem {
            visible: row.isOwn
            height: visible ? implicitHeight : 0
            text: qsTr("Edit")
            onTriggered: row.editRequested(row.index)
        }
        QQC2.MenuItem {
            visible: row.isOwn
            height: visible ? implicitHeight : 0
            text: qsTr("Delete…")
            onTriggered: row.deleteRequested(row.index)
        }
    }

    Column {
        id: column
        y: row.firstOfAuthorRun ? Theme.spacing : 2
        width: parent.width
        spacing: 2

        Item {
            objectName: "daySeparator"
            visible: row.firstOfDay
            width: parent.width
            height: visible ? dayLabel.implicitHeight + Theme.spacing * 2 : 0
            Rectangle {
                anchors.verticalCenter: parent.verticalCenter
                width: parent.width - 2 * Theme.spacing
                x: Theme.spacing
                height: 1
                color: Theme.border
            }
            QQC2.Label {
                id: dayLabel
                anchors.centerIn: parent
                leftPadding: Theme.spacing
                rightPadding: Theme.spacing
                text: row.dayText(row.createdAt)
                color: Theme.mutedText
                font.pointSize: Qt.application.font.pointSize * 0.9
                background: Rectangle { color: Theme.window }
            }
        }

        UnreadDivider {
            visible: row.unreadAbove
            width: parent.width
            height: visible ? implicitHeight : 0
        }

        RowLayout {
            objectName: "authorHeader"
            visible: row.showHeader
            width: parent.width - 4 * Theme.spacing
            x: 2 * Theme.spacing
            layoutDirection: row.isOwn ? Qt.RightToLeft : Qt.LeftToRight
            spacing: Theme.spacing

            QQC2.Label {
                objectName: "authorName"
                text: row.authorName
                textFormat: Text.PlainText
                elide: Text.ElideRight
                font.bold: true
                color: row.isOwn ? Theme.accent : Theme.text
                Layout.maximumWidth: row.bubbleMaxWidth
            }
            QQC2.Label {
                objectName: "time"
                text: row.createdAt.toLocaleTimeString(Qt.locale(), row.timeFormat)
                color: Theme.mutedText
                font.pointSize: Qt.application.font.pointSize * 0.85
            }
            Item { Layout.fillWidth: true }
        }

        Item {
            width: parent.width
            height: bubble.height

            Rectangle {
                id: bubble
                objectName: "bubble"
                x: row.isOwn ? parent.width - width - 2 * Theme.spacing : 2 * Theme.spacing
                width: Math.max(contentText.width, quote.visible ? quote.width : 0) + 2 * Theme.spacing
                height: bubbleColumn.height + Theme.spacing
                radius: Theme.radius
                color: row.mentionsMe && !row.deleted ? Theme.mentionBubble
                    : row.isOwn ? Theme.ownBubble : Theme.otherBubble
                border.color: row.failed ? Theme.danger
                    : row.mentionsMe && !row.deleted ? Theme.mention : Theme.border
                border.width: (row.isOwn && !row.failed && !row.mentionsMe) || row.deleted ? 0 : 1
                opacity: row.pending ? 0.55 : 1

                Column {
                    id: bubbleColumn
                    x: Theme.spacing
                    y: Theme.spacing / 2
                    spacing: 4

                    ReplyQuote {
                        id: quote
                        visible: row.replyToId.length > 0
                        author: row.replyToAuthor
                        excerpt: row.replyToExcerpt
                        deleted: row.replyToDeleted
                        maximumWidth: row.bubbleMaxWidth
                        onClicked: row.quoteClicked(row.replyToId)
                    }

                    QQC2.Label {
                        id: contentText
                        objectName: "content"
                        // A wrapping Text reports its wrapped width once laid out; the natural
                        // width comes from an unwrapped twin.
                        width: Math.min(Math.ceil(naturalText.implicitWidth) + 1, row.bubbleMaxWidth)
                        text: row.deleted ? qsTr("Message deleted") : row.content
                        textFormat: Text.PlainText
                        wrapMode: Text.Wrap
                        font.italic: row.deleted
                        color: row.deleted ? Theme.mutedText : Theme.text
                    }
                }
            }

            Text {
                id: naturalText
                visible: false
                text: contentText.text
                textFormat: Text.PlainText
                font: contentText.font
            }

            QQC2.Label {
                id: editedMark
                objectName: "editedMark"
                visible: row.edited && !row.deleted
                anchors.bottom: bubble.bottom
                x: row.isOwn ? bubble.x - width - Theme.spacing / 2 : bubble.x + bubble.width + Theme.spacing / 2
                text: qsTr("(edited)")
                color: Theme.mutedText
                font.pointSize: Qt.application.font.pointSize * 0.8
                QQC2.ToolTip.visible: editedArea.containsMouse
                QQC2.ToolTip.text: qsTr("Edited %1").arg(row.editedAt.toLocaleString(Qt.locale(), Locale.ShortFormat))
                MouseArea { id: editedArea; anchors.fill: parent; hoverEnabled: true }
            }

            Row {
                id: actions
                objectName: "messageActions"
                visible: row.showActions
                z: 2
                anchors.top: bubble.top
                anchors.topMargin: -height / 2
                x: row.isOwn ? Math.max(0, bubble.x - width - (editedMark.visible ? editedMark.width + Theme.spacing : 0))
                    : Math.min(parent.width - width, bubble.x + bubble.width + (editedMark.visible ? editedMark.width + Theme.spacing : Theme.spacing / 2))
                spacing: 0

                ActionButton {
                    objectName: "replyButton"
                    text: "↩"
                    tip: qsTr("Reply")
                    onClicked: row.replyRequested(row.index)
                }
                ActionButton {
                    id: reactButton
                    objectName: "reactButton"
                    text: "☺"
                    tip: qsTr("React")
                    onClicked: row.pickEmojiRequested(row.index, reactButton)
                }
                ActionButton {
                    objectName: "editButton"
                    visible: row.isOwn
                    text: "✎"
                    tip: qsTr("Edit")
                    onClicked: row.editRequested(row.index)
                }
                ActionButton {
                    objectName: "deleteButton"
                    visible: row.isOwn
                    text: "✕"
                    tip: qsTr("Delete")
                    onClicked: row.deleteRequested(row.index)
                }
            }

            ClockIcon {
                objectName: "pendingIcon"
                visible: row.pending
                anchors.verticalCenter: bubble.verticalCenter
                x: row.isOwn ? bubble.x - width - Theme.spacing / 2 : bubble.x + bubble.width + Theme.spacing / 2
                color: Theme.mutedText
                QQC2.ToolTip.visible: pendingArea.containsMouse
                QQC2.ToolTip.text: qsTr("Sending…")
                MouseArea { id: pendingArea; anchors.fill: parent; hoverEnabled: true }
            }
        }

        ReactionChips {
            id: chips
            width: Math.min(parent.width - 4 * Theme.spacing, row.bubbleMaxWidth)
            x: row.isOwn ? parent.width - width - 2 * Theme.spacing : 2 * Theme.spacing
            layoutDirection: row.isOwn ? Qt.RightToLeft : Qt.LeftToRight
            reactions: row.deleted ? [] : row.reactions
            nameOf: row.nameOf
            onToggled: (emoji, add) => row.reactionToggled(row.index, emoji, add)
        }

        RowLayout {
            objectName: "failedRow"
            visible: row.failed
            width: parent.width - 4 * Theme.spacing
            x: 2 * Theme.spacing
            layoutDirection: row.isOwn ? Qt.RightToLeft : Qt.LeftToRight
            spacing: Theme.spacing

            QQC2.Label {
                objectName: "errorText"
                text: row.error.length > 0 ? qsTr("Not sent: %1").arg(row.error) : qsTr("Not sent")
                textFormat: Text.PlainText
                color: Theme.danger
                elide: Text.ElideRight
                Layout.maximumWidth: row.bubbleMaxWidth
            }
            QQC2.Button {
                objectName: "retryButton"
                text: qsTr("Retry")
                flat: true
                onClicked: row.retryClicked(row.clientId)
            }
            QQC2.Button {
                objectName: "discardButton"
                text: qsTr("Discard")
                flat: true
                onClicked: row.discardClicked(row.clientId)
            }
            Item { Layout.fillWidth: true }
        }
    }
}
