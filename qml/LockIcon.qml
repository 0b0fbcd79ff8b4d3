// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick

//! A padlock drawn with rectangles: "private room".
Item {
    id: lock

    property color color: "gray"

    implicitWidth: 10
    implicitHeight: 12

    Rectangle { // shackle
        x: lock.width * 0.18
        width: lock.width * 0.64
        height: lock.height * 0.65
        radius: width / 2
        color: "transparent"
        border.color: lock.color
        border.width: 1.5
    }
    Rectangle { // body
        y: lock.height * 0.42
        width: lock.width
        height: lock.height * 0.58
        radius: 1.5
        color: lock.color
    }
}
