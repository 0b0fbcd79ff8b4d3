// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2

//! The members of the room, online first, each with a presence dot.
Rectangle {
    id: panel

    //! The room's Palaver MemberModel.
    property var members: null

    objectName: "memberList"
    color: Theme.sidebar

    Rectangle {
        anchors { left: parent.left; top: parent.top; bottom: parent.bottom }
        width: 1
        color: Theme.border
    }

    QQC2.Label {
        id: title
        x: Theme.spacing * 1.5
        y: Theme.spacing * 1.5
        width: parent.width - 3 * Theme.spacing
        text: panel.members ? qsTr("Members – %1 online").arg(panel.members.onlineCount)
                            : qsTr("Members")
        font.bold: true
        color: Theme.mutedText
        elide: Text.ElideRight
    }

    ListView {
        anchors { left: parent.left; right: parent.right; top: title.bottom; bottom: parent.bottom }
        anchors.topMargin: Theme.spacing
        anchors.leftMargin: 1
        clip: true
        model: panel.members
        QQC2.ScrollBar.vertical: QQC2.ScrollBar { }

        delegate: QQC2.ItemDelegate {
            id: member
            required property string name
            required property bool online
            width: ListView.view.width
            leftPadding: Theme.spacing * 1.5
            objectName: "member_" + name
            Accessible.name: online ? qsTr("%1, online").arg(name) : qsTr("%1, offline").arg(name)
            background: Item { }
            contentItem: Row {
                spacing: Theme.spacing
                Rectangle {
                    objectName: "presenceDot"
                    anchors.verticalCenter: parent.verticalCenter
                    width: 9
                    height: 9
                    radius: 4.5
                    color: member.online ? Theme.online : "transparent"
                    border.color: member.online ? Theme.online : Theme.offline
                    border.width: 1.5
                }
                QQC2.Label {
                    width: member.availableWidth - 9 - Theme.spacing
                    text: member.name
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: member.online ? Theme.text : Theme.mutedText
                }
            }
        }
    }
}
