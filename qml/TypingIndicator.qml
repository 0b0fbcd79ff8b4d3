// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2

//! "Alice is typing…", "Alice and Bob are typing…", "Alice, Bob and 3 others are typing…".
QQC2.Label {
    id: indicator

    //! Room.typingUserNames
    property var names: []

    function describe(list) {
        const n = list ? list.length : 0
        if (n === 0)
            return ""
        if (n === 1)
            return qsTr("%1 is typing…").arg(list[0])
        if (n === 2)
            return qsTr("%1 and %2 are typing…").arg(list[0]).arg(list[1])
        if (n === 3)
            return qsTr("%1, %2 and %3 are typing…").arg(list[0]).arg(list[1]).arg(list[2])
        return qsTr("%1, %2 and %n others are typing…", "", n - 2).arg(list[0]).arg(list[1])
    }

    objectName: "typingIndicator"
    text: describe(names)
    textFormat: Text.PlainText
    elide: Text.ElideRight
    color: Theme.mutedText
    font.italic: true
    leftPadding: Theme.spacing * 2
    height: Math.max(implicitHeight, 18)
}
