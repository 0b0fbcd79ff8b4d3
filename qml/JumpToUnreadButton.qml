// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2

//! Over the top of the timeline while the first unread message is above the view: "Jump to
//! first unread" (also Ctrl+J, see ChatPage), and a cross that dismisses the offer.
QQC2.Pane {
    id: bar

    //! Go to the first unread message.
    signal jumpClicked()
    //! The user does not want to go there: hide the offer.
    signal dismissClicked()

    objectName: "jumpToUnread"
    padding: 2
    leftPadding: Theme.spacing
    background: Rectangle {
        color: Theme.base
        border.color: Theme.danger
        radius: height / 2
    }

    contentItem: Row {
        spacing: 2
        QQC2.ToolButton {
            objectName: "jumpToUnreadButton"
            text: qsTr("↑ Jump to first unread")
            palette.buttonText: Theme.danger
            font.bold: true
            onClicked: bar.jumpClicked()
        }
        QQC2.ToolButton {
            objectName: "dismissUnreadButton"
            text: "✕"
            Accessible.name: qsTr("Dismiss")
            QQC2.ToolTip.visible: hovered
            QQC2.ToolTip.text: qsTr("Dismiss")
            onClicked: bar.dismissClicked()
        }
    }
}
