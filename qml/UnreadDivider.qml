// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2

//! "New messages": the line in the timeline above the first message the user had not read when
//! they opened the room (the read marker shared by their devices).
Item {
    id: divider

    objectName: "unreadDivider"
    implicitWidth: label.implicitWidth + 4 * Theme.spacing
    implicitHeight: label.implicitHeight + Theme.spacing
    Accessible.role: Accessible.Separator
    Accessible.name: label.text

    Rectangle {
        anchors.verticalCenter: parent.verticalCenter
        x: Theme.spacing
        width: parent.width - 2 * Theme.spacing
        height: 1
        color: Theme.danger
    }
    QQC2.Label {
        id: label
        objectName: "unreadDividerLabel"
        anchors.right: parent.right
        anchors.rightMargin: 2 * Theme.spacing
        anchors.verticalCenter: parent.verticalCenter
        leftPadding: Theme.spacing / 2
        rightPadding: Theme.spacing / 2
        text: qsTr("New messages")
        textFormat: Text.PlainText
        color: Theme.danger
        font.bold: true
        font.pointSize: Qt.application.font.pointSize * 0.85
        background: Rectangle { color: Theme.window }
    }
}
