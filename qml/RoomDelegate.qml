// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts

//! One room in the room list: a lock for private rooms, the name, a one-line preview of the
//! newest message and the unread badge. Rooms not joined show a Join button.
QQC2.ItemDelegate {
    id: delegate

    required property int index
    // `id` cannot be a property name in QML: the role is read through `model`.
    required property var model
    readonly property string roomId: model.id
    required property string name
    required property bool isPrivate
    required property bool joined
    required property int unreadCount
    required property string lastAuthorName
    required property string lastMessage
    //! Unread messages that mention the user (contract v1.1; 0 from a v1 server).
    readonly property int mentionCount: model.mentionCount ?? 0
    //! Whether this is the room shown in the timeline.
    property bool current: false
    //! The user turned this room's notifications off.
    property bool muted: false

    //! The user asked to join this room.
    signal joinClicked(string roomId)

    objectName: "room_" + roomId
    highlighted: current
    padding: Theme.spacing
    leftPadding: Theme.spacing * 1.5
    Accessible.name: unreadCount > 0
        ? qsTr("%1, %n unread", "", unreadCount).arg(name) : name

    background: Rectangle {
        color: delegate.current ? Theme.selection
            : delegate.hovered ? Qt.rgba(Theme.text.r, Theme.text.g, Theme.text.b, 0.06)
            : "transparent"
        radius: Theme.radius
    }

    contentItem: RowLayout {
        spacing: Theme.spacing

        ColumnLayout {
            Layout.fillWidth: true
            spacing: 2

            RowLayout {
                spacing: 4
                Layout.fillWidth: true
                LockIcon {
                    objectName: "lockIcon"
                    visible: delegate.isPrivate
                    color: Theme.mutedText
                    Layout.alignment: Qt.AlignVCenter
                }
                QQC2.Label {
                    objectName: "roomName"
                    Layout.fillWidth: true
                    text: delegate.name
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    font.bold: delegate.unreadCount > 0 || delegate.current
                    color: delegate.joined ? Theme.text : Theme.mutedText
                }
                QQC2.Label {
                    objectName: "mutedIcon"
                    visible: delegate.muted
                    text: "🔕"
                    color: Theme.mutedText
                    font.pointSize: Qt.application.font.pointSize * 0.8
                    Accessible.name: qsTr("Notifications off")
                }
            }
            QQC2.Label {
                objectName: "roomPreview"
                Layout.fillWidth: true
                visible: text.length > 0
                text: !delegate.joined ? qsTr("Not joined")
                    : delegate.lastMessage.length === 0 ? ""
                    : delegate.lastAuthorName.length > 0
                        ? qsTr("%1: %2").arg(delegate.lastAuthorName).arg(delegate.lastMessage)
                        : delegate.lastMessage
                textFormat: Text.PlainText
                maximumLineCount: 1
                elide: Text.ElideRight
                color: Theme.mutedText
                font.pointSize: Qt.application.font.pointSize * 0.9
            }
        }

        Rectangle {
            objectName: "mentionBadge"
            visible: delegate.mentionCount > 0
            Layout.alignment: Qt.AlignVCenter
            implicitWidth: Math.max(height, mentionText.implicitWidth + 10)
            implicitHeight: mentionText.implicitHeight + 4
            radius: height / 2
            color: Theme.mention
            Accessible.name: qsTr("%n mention(s)", "", delegate.mentionCount)
            QQC2.Label {
                id: mentionText
                anchors.centerIn: parent
                text: "@" + (delegate.mentionCount > 99 ? "99+" : delegate.mentionCount)
                color: Theme.accentText
                font.bold: true
                font.pointSize: Qt.application.font.pointSize * 0.8
            }
        }

        Rectangle {
            objectName: "unreadBadge"
            visible: delegate.unreadCount > 0
            Layout.alignment: Qt.AlignVCenter
            implicitWidth: Math.max(height, badgeText.implicitWidth + 10)
            implicitHeight: badgeText.implicitHeight + 4
            radius: height / 2
            color: Theme.badge
            QQC2.Label {
                id: badgeText
                anchors.centerIn: parent
                text: delegate.unreadCount > 99 ? "99+" : delegate.unreadCount
                color: Theme.accentText
                font.bold: true
                font.pointSize: Qt.application.font.pointSize * 0.8
            }
        }

        QQC2.Button {
            objectName: "joinButton"
            visible: !delegate.joined
            text: qsTr("Join")
            flat: true
            Layout.alignment: Qt.AlignVCenter
            onClicked: delegate.joinClicked(delegate.roomId)
        }
    }
}
