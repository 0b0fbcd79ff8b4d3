// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts

//! The message field: Enter sends, Shift+Enter starts a new line. Near the server's length limit
//! it shows how many characters remain. It never depends on the connection: sending while
//! offline queues the message (the Room shows it as pending).
Rectangle {
    id: composer

    //! The server's limit in Unicode code points (Client.maxContentLength); 0: unknown.
    property int maxLength: 0
    //! Shown in the empty field.
    property string placeholderText: qsTr("Write a message…")
    readonly property alias text: area.text
    //! Code points of the text as it will be sent (trimmed, as the server counts them).
    readonly property int length: codePoints(area.text.trim())
    readonly property int remaining: maxLength > 0 ? maxLength - length : Number.MAX_SAFE_INTEGER
    //! The remaining count shows in the last tenth of the limit (at least the last 50).
    readonly property bool nearLimit: maxLength > 0 && remaining <= Math.max(50, maxLength / 10)
    readonly property bool canSend: length > 0 && remaining >= 0

    //! The user sent `text` (already checked against the limit; not trimmed).
    signal sendRequested(string text)
    //! The user started (true) or stopped (false) typing.
    signal typingActivity(bool typing)

    // Counted by hand: Array.from() walks UTF-16 units in this JS engine. Every unit that is not
    // the low half of a surrogate pair starts a code point.
    function codePoints(text) {
        let n = 0
        for (let i = 0; i < text.length; ++i) {
            const unit = text.charCodeAt(i)
            if (unit < 0xDC00 || unit > 0xDFFF)
                ++n
        }
        return n
    }

    function send() {
        if (!canSend)
            return false
        const message = area.text
        area.clear()
        composer.sendRequested(message)
        return true
    }
    function clear() { area.clear() }
    function focusField() { area.forceActiveFocus() }

    objectName: "composer"
    implicitHeight: Math.min(layout.implicitHeight, 200) + 2 * Theme.spacing
    color: Theme.window

    Rectangle {
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: 1
        color: Theme.border
    }

    RowLayout {
        id: layout
        anchors.fill: parent
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        QQC2.ScrollView {
            Layout.fillWidth: true
            Layout.fillHeight: true
            Layout.preferredHeight: Math.min(area.implicitHeight, 180)

            QQC2.TextArea {
                id: area
                objectName: "composerField"
                placeholderText: composer.placeholderText
                textFormat: TextEdit.PlainText
                wrapMode: TextEdit.Wrap
                color: Theme.text
                placeholderTextColor: Theme.mutedText
                selectByMouse: true
                background: Rectangle {
                    radius: Theme.radius
                    color: Theme.base
                    border.color: area.activeFocus ? Theme.accent : Theme.border
                }
                Accessible.name: qsTr("Message")

                Keys.onReturnPressed: (event) => composer.handleEnter(event)
                Keys.onEnterPressed: (event) => composer.handleEnter(event)
                Keys.onEscapePressed: (event) => {
                    event.accepted = area.text.length > 0
                    area.clear()
                }
                onTextChanged: composer.typingActivity(text.length > 0)
            }
        }

        QQC2.Label {
            objectName: "remainingCount"
            visible: composer.nearLimit
            text: composer.remaining
            color: composer.remaining < 0 ? Theme.danger : Theme.mutedText
            font.bold: composer.remaining < 0
            Accessible.name: qsTr("%1 characters left").arg(composer.remaining)
        }

        QQC2.Button {
            objectName: "sendButton"
            text: qsTr("Send")
            enabled: composer.canSend
            onClicked: {
                composer.send()
                area.forceActiveFocus()
            }
        }
    }

    function handleEnter(event) {
        event.accepted = true
        if (event.modifiers & Qt.ShiftModifier) {
            // Inserted by hand: the text control would insert U+2028, not a plain new line.
            if (area.selectedText.length > 0)
                area.remove(area.selectionStart, area.selectionEnd)
            area.insert(area.cursorPosition, "\n")
            return
        }
        send()
    }
}
