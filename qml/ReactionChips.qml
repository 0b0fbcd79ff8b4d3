// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2

//! The reactions under a message: one chip per emoji with its count, the user's own highlighted,
//! who reacted in the tooltip. Clicking a chip adds or takes back the user's reaction.
Flow {
    id: chips

    //! The MessageModel's `reactions` role: a list of {emoji, count, mine, users}.
    property var reactions: []
    //! Display names by user id, for the tooltip (ids are shown when a name is unknown).
    property var nameOf: (userId) => userId

    //! The user clicked a chip: add (true) or take back (false) their reaction `emoji`.
    signal toggled(string emoji, bool add)

    objectName: "reactionChips"
    spacing: 4
    visible: reactions.length > 0

    Repeater {
        model: chips.reactions

        QQC2.AbstractButton {
            id: chip
            required property var modelData
            required property int index

            objectName: "reactionChip_" + index
            readonly property bool mine: modelData.mine
            readonly property string who: modelData.users.map(u => chips.nameOf(u)).join(", ")
            implicitWidth: label.implicitWidth + 14
            implicitHeight: label.implicitHeight + 6
            checkable: false
            hoverEnabled: true
            focusPolicy: Qt.TabFocus
            Accessible.name: qsTr("%1 %2, by %3").arg(modelData.emoji).arg(modelData.count).arg(who)
            QQC2.ToolTip.visible: hovered
            QQC2.ToolTip.delay: 300
            QQC2.ToolTip.text: qsTr("%1 by %2").arg(modelData.emoji).arg(who)
            onClicked: chips.toggled(modelData.emoji, !mine)

            background: Rectangle {
                radius: height / 2
                color: chip.mine ? Theme.selection : Theme.alternateBase
                border.color: chip.mine ? Theme.accent : (chip.hovered ? Theme.mutedText : Theme.border)
                border.width: 1
            }
            contentItem: Text {
                id: label
                text: chip.modelData.emoji + " " + chip.modelData.count
                textFormat: Text.PlainText
                color: chip.mine ? Theme.accent : Theme.text
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                font.pointSize: Qt.application.font.pointSize * 0.9
                font.bold: chip.mine
            }
        }
    }
}
