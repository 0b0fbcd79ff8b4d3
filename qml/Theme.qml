// SPDX-License-Identifier: MIT
pragma Singleton
pragma ComponentBehavior: Bound

import QtQuick

//! Colours and sizes of the app. Follows the system palette unless the user picked a theme.
QtObject {
    id: theme

    enum Mode { System, Light, Dark }

    //! The user's choice (Theme.System, Theme.Light or Theme.Dark); saved by Main.qml.
    property int mode: Theme.System

    readonly property SystemPalette systemPalette: SystemPalette { colorGroup: SystemPalette.Active }
    readonly property bool systemIsDark: systemPalette.window.hslLightness < 0.5
    readonly property bool dark: mode === Theme.Dark || (mode === Theme.System && systemIsDark)

    readonly property color window: dark ? "#1e2127" : "#f6f7f9"
    readonly property color base: dark ? "#262a31" : "#ffffff"
    readonly property color alternateBase: dark ? "#2c313a" : "#eef0f3"
    readonly property color sidebar: dark ? "#1a1d22" : "#e9ecf1"
    readonly property color text: dark ? "#e6e8eb" : "#1d2026"
    readonly property color mutedText: dark ? "#9aa3ae" : "#5f6875"
    readonly property color accent: dark ? "#5b9cf5" : "#2f6fd6"
    readonly property color accentText: "#ffffff"
    readonly property color selection: dark ? "#33486a" : "#d3e2fa"
    readonly property color ownBubble: dark ? "#2f4a72" : "#dbe8fd"
    readonly property color otherBubble: dark ? "#2c313a" : "#ffffff"
    readonly property color border: dark ? "#3a404a" : "#d5d9e0"
    readonly property color online: "#2fb36b"
    readonly property color offline: dark ? "#5c6470" : "#a9b0ba"
    readonly property color danger: dark ? "#ff7a72" : "#c62f25"
    readonly property color warningBackground: dark ? "#4a3b12" : "#fff3c8"
    readonly property color warningText: dark ? "#f4d98a" : "#5b4700"
    readonly property color errorBackground: dark ? "#4d2020" : "#fde0de"
    readonly property color errorText: dark ? "#ffb4ae" : "#7d1a13"
    readonly property color badge: dark ? "#5b9cf5" : "#2f6fd6"
    readonly property color mention: dark ? "#e0a634" : "#c98a0b"
    readonly property color mentionBubble: dark ? "#4a3d1c" : "#fff4d6"

    readonly property int spacing: 8
    readonly property int radius: 8
    readonly property int sidebarWidth: 260
    readonly property int membersWidth: 200
}
