// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2

//! The quoted original above a reply (or above the composer while writing one): its author and
//! the start of its text as it was when the reply was written, or "Message deleted". Plain text.
QQC2.AbstractButton {
    id: quote

    property string author
    property string excerpt
    property bool deleted: false
    //! The width the quote may take at most.
    property real maximumWidth: 400

    objectName: "replyQuote"
    hoverEnabled: true
    implicitWidth: Math.min(maximumWidth, Math.max(authorText.implicitWidth, excerptText.implicitWidth) + 18)
    implicitHeight: authorText.implicitHeight + excerptText.implicitHeight + 8
    Accessible.name: qsTr("In reply to %1: %2").arg(author).arg(deleted ? qsTr("Message deleted") : excerpt)
    QQC2.ToolTip.visible: hovered && enabled
    QQC2.ToolTip.delay: 500
    QQC2.ToolTip.text: qsTr("Show the original message")

    background: Rectangle {
        radius: 4
        color: quote.hovered && quote.enabled ? Theme.selection : Theme.alternateBase
        Rectangle {
            width: 3
            height: parent.height
            radius: 1.5
            color: Theme.accent
        }
    }
    contentItem: Column {
        leftPadding: 10
        topPadding: 4
        spacing: 0
        Text {
            id: authorText
            objectName: "replyAuthor"
            width: quote.width - 14
            text: quote.author
            textFormat: Text.PlainText
            elide: Text.ElideRight
            font.bold: true
            font.pointSize: Qt.application.font.pointSize * 0.85
            color: Theme.accent
        }
        Text {
            id: excerptText
            objectName: "replyExcerpt"
            width: quote.width - 14
            text: quote.deleted ? qsTr("Message deleted") : quote.excerpt
            textFormat: Text.PlainText
            elide: Text.ElideRight
            maximumLineCount: 2
            wrapMode: Text.Wrap
            font.italic: quote.deleted
            font.pointSize: Qt.application.font.pointSize * 0.85
            color: Theme.mutedText
        }
    }
}
