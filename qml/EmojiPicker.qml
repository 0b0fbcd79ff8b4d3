// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts

//! A small popup of emoji to react with: the ones used recently first, then a few common ones.
//! Arrow keys move, Enter or a click picks, Esc closes.
QQC2.Popup {
    id: picker

    //! Emoji the user picked before, newest first (kept by the app).
    property var recent: []
    readonly property var common: ["👍", "❤️", "😂", "🎉", "😮", "😢", "🙏", "👀", "🔥", "✅"]
    readonly property var choices: {
        const out = []
        for (const e of recent.concat(common)) {
            if (out.indexOf(e) < 0)
                out.push(e)
        }
        return out.slice(0, 15)
    }

    signal picked(string emoji)

    objectName: "emojiPicker"
    padding: 6
    focus: true
    closePolicy: QQC2.Popup.CloseOnEscape | QQC2.Popup.CloseOnPressOutside
    onOpened: grid.forceActiveFocus()

    background: Rectangle {
        radius: Theme.radius
        color: Theme.base
        border.color: Theme.border
    }

    contentItem: GridView {
        id: grid
        objectName: "emojiGrid"
        implicitWidth: cellWidth * 5
        implicitHeight: cellHeight * Math.ceil(count / 5)
        cellWidth: 38
        cellHeight: 38
        interactive: false
        keyNavigationEnabled: true
        model: picker.choices
        currentIndex: 0
        highlight: Rectangle { radius: 6; color: Theme.selection }
        Keys.onReturnPressed: picker.choose(picker.choices[currentIndex])
        Keys.onEnterPressed: picker.choose(picker.choices[currentIndex])

        delegate: QQC2.AbstractButton {
            id: cell
            required property string modelData
            required property int index
            objectName: "emoji_" + index
            width: grid.cellWidth
            height: grid.cellHeight
            hoverEnabled: true
            Accessible.name: modelData
            onClicked: picker.choose(modelData)
            onHoveredChanged: if (hovered) grid.currentIndex = index
            contentItem: Text {
                text: cell.modelData
                textFormat: Text.PlainText
                font.pointSize: Qt.application.font.pointSize * 1.4
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                color: Theme.text
            }
            background: null
        }
    }

    function choose(emoji) {
        close()
        picked(emoji)
    }
}
