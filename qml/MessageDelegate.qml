// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Palaver

//! One row of the timeline. The grouping comes precomputed from the MessageModel: a day
//! separator on `firstOfDay`, the author and time on `firstOfAuthorRun`. Own messages sit on the
//! right in the accent tint; pending ones are dimmed with a clock; failed ones say why and offer
//! Retry and Discard. Content is always plain text.
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
    //! The width the row lays out in (the view's width).
    property real availableWidth: 400

    readonly property bool pending: status === Message.Pending
    readonly property bool failed: status === Message.Failed
    readonly property bool showHeader: firstOfAuthorRun || firstOfDay
    // The locale's short time, without seconds (some locales' short format has them).
    readonly property string timeFormat: Qt.locale().timeFormat(Locale.ShortFormat).replace(/:ss/, "")
    readonly property real bubbleMaxWidth: Math.max(120, availableWidth * 0.72)

    //! The user asked to send this failed message again.
    signal retryClicked(string clientId)
    //! The user dropped this unsent message.
    signal discardClicked(string clientId)

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
                x: row.isOwn ? parent.width - width - 2 * Theme.spacing : 2 * Theme.spacing
                width: contentText.width + 2 * Theme.spacing
                height: contentText.height + Theme.spacing
                radius: Theme.radius
                color: row.isOwn ? Theme.ownBubble : Theme.otherBubble
                border.color: row.failed ? Theme.danger : Theme.border
                border.width: row.isOwn && !row.failed ? 0 : 1
                opacity: row.pending ? 0.55 : 1

                QQC2.Label {
                    id: contentText
                    objectName: "content"
                    x: Theme.spacing
                    y: Theme.spacing / 2
                    // A wrapping Text reports its wrapped width once laid out; the natural width
                    // comes from an unwrapped twin.
                    width: Math.min(Math.ceil(naturalText.implicitWidth) + 1, row.bubbleMaxWidth)
                    text: row.content
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.text
                }
            }

            Text {
                id: naturalText
                visible: false
                text: row.content
                textFormat: Text.PlainText
                font: contentText.font
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
