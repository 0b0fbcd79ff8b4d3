// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts

//! Ctrl+K: type a few letters of a room's name, Up/Down to choose, Enter to go, Esc to close.
QQC2.Dialog {
    id: dialog

    //! The Client's RoomListModel.
    property var roomList: null
    //! The rooms whose name or id contains the filter: `[{id, name, isPrivate, joined}]`.
    property var matches: []

    //! The user picked a room.
    signal roomChosen(string roomId)

    function refresh() {
        const result = []
        const needle = filterField.text.trim().toLowerCase()
        const count = roomList ? roomList.count : 0
        for (let i = 0; i < count; ++i) {
            const room = roomList.room(i)
            if (needle.length === 0 || room.name.toLowerCase().includes(needle)
                    || room.id.toLowerCase().includes(needle))
                result.push({ id: room.id, name: room.name, isPrivate: room.isPrivate,
                              joined: room.joined })
        }
        matches = result
        list.currentIndex = result.length > 0 ? 0 : -1
    }
    function choose(index) {
        if (index < 0 || index >= matches.length)
            return
        const roomId = matches[index].id
        dialog.close()
        dialog.roomChosen(roomId)
    }

    objectName: "roomSwitcher"
    title: qsTr("Switch to room")
    modal: true
    focus: true
    width: Math.min(420, parent ? parent.width - 40 : 420)
    x: parent ? (parent.width - width) / 2 : 0
    y: parent ? parent.height * 0.15 : 0
    padding: Theme.spacing
    standardButtons: QQC2.Dialog.NoButton

    onAboutToShow: {
        filterField.text = ""
        refresh()
        filterField.forceActiveFocus()
    }

    contentItem: ColumnLayout {
        spacing: Theme.spacing

        QQC2.TextField {
            id: filterField
            objectName: "switcherFilter"
            Layout.fillWidth: true
            placeholderText: qsTr("Room name")
            selectByMouse: true
            onTextChanged: dialog.refresh()
            Keys.onDownPressed: list.incrementCurrentIndex()
            Keys.onUpPressed: list.decrementCurrentIndex()
            onAccepted: dialog.choose(list.currentIndex)
        }

        ListView {
            id: list
            objectName: "switcherList"
            Layout.fillWidth: true
            Layout.preferredHeight: Math.min(contentHeight, 280)
            clip: true
            model: dialog.matches
            highlightMoveDuration: 0
            delegate: QQC2.ItemDelegate {
                id: entry
                required property var modelData
                required property int index
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                contentItem: Row {
                    spacing: 6
                    LockIcon {
                        visible: entry.modelData.isPrivate
                        color: Theme.mutedText
                        anchors.verticalCenter: parent.verticalCenter
                    }
                    QQC2.Label {
                        text: entry.modelData.name
                        textFormat: Text.PlainText
                        color: entry.highlighted ? Theme.accentText : Theme.text
                    }
                    QQC2.Label {
                        visible: !entry.modelData.joined
                        text: qsTr("(not joined)")
                        color: entry.highlighted ? Theme.accentText : Theme.mutedText
                    }
                }
                onClicked: dialog.choose(index)
            }
        }

        QQC2.Label {
            visible: dialog.matches.length === 0
            text: qsTr("No room matches.")
            color: Theme.mutedText
        }
    }
}
