// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick

//! A small clock face drawn with rectangles (no icon font needed): "waiting to be sent".
Item {
    id: clock

    property color color: "gray"

    implicitWidth: 14
    implicitHeight: 14

    Rectangle {
        anchors.fill: parent
        radius: width / 2
        color: "transparent"
        border.color: clock.color
        border.width: 1.5
    }
    Rectangle { // hour hand, pointing up
        x: clock.width / 2 - 0.75
        y: clock.height * 0.22
        width: 1.5
        height: clock.height * 0.3
        color: clock.color
    }
    Rectangle { // minute hand, pointing right
        x: clock.width / 2 - 0.75
        y: clock.height / 2 - 0.75
        width: clock.width * 0.3
        height: 1.5
        color: clock.color
    }
}
