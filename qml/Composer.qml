// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts

//! The message field: Enter sends, Shift+Enter starts a new line. Near the server's length limit
//! it shows how many characters remain. It never depends on the connection: sending while
//! offline queues the message (the Room shows it as pending).
//! It also writes replies (a quote of the original above the field) and edits (the message's
//! text in the field; Up in an empty field asks for the last own message); Esc cancels either.
//! Typing `@` offers the room's members (Up/Down, Enter or Tab, or a click) and inserts
//! `@userId`, which is what the server recognises as a mention.
//! What is typed and not sent is a draft (draftChanged(); an edit's text is none): the page keeps
//! one per room (setDraft()), and an edit started over a draft gives it back when it ends.
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
    //! The message being answered: {id, author, excerpt, deleted}, or null.
    property var replyTo: null
    //! The own message being edited: {id, content}, or null.
    property var editing: null
    //! The room's MemberModel, for the `@` completion (null: none).
    property var members: null
    //! The completion's current choices: [{id, name}].
    property var completions: []
    readonly property alias completionVisible: completionPopup.visible

    //! The field's text before an edit took its place.
    property string draftBeforeEdit

    //! The user sent `text` (already checked against the limit; not trimmed).
    signal sendRequested(string text)
    //! The draft (what is typed and not sent, outside an edit) is now `text`.
    signal draftChanged(string text)
    //! The user started (true) or stopped (false) typing.
    signal typingActivity(bool typing)
    //! The user sent `text` as a reply to `messageId`.
    signal replySubmitted(string messageId, string text)
    //! The user saved `text` as the new content of their message `messageId`.
    signal editSubmitted(string messageId, string text)
    //! Up in an empty field: the user wants to edit their last message (call startEdit()).
    signal editLastRequested()

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
        const reply = replyTo
        const edit = editing
        area.clear() // while editing is set: an edit's text was never a draft
        replyTo = null
        editing = null
        if (edit) {
            restoreDraft()
            composer.editSubmitted(edit.id, message)
        } else if (reply)
            composer.replySubmitted(reply.id, message)
        else
            composer.sendRequested(message)
        return true
    }
    function startReply(messageId, author, excerpt, deleted) {
        editing = null
        replyTo = { id: messageId, author: author, excerpt: excerpt, deleted: deleted === true }
        area.forceActiveFocus()
    }
    function startEdit(messageId, content) {
        if (!editing)
            draftBeforeEdit = area.text
        replyTo = null
        editing = { id: messageId, content: content }
        area.text = content
        area.cursorPosition = area.length
        area.forceActiveFocus()
    }
    //! Leaves reply or edit mode (the text of an edit goes with it).
    function cancel() {
        const wasEditing = editing !== null
        editing = null
        replyTo = null
        if (wasEditing)
            restoreDraft()
    }
    function restoreDraft() {
        area.text = draftBeforeEdit
        area.cursorPosition = area.length
        draftBeforeEdit = ""
    }
    //! Shows `text` as the draft (another room's): no reply or edit goes on.
    function setDraft(text) {
        editing = null
        replyTo = null
        draftBeforeEdit = ""
        area.text = text
        area.cursorPosition = area.length
    }
    function clear() { area.clear() }

    // The `@word` being typed just before the cursor, or null.
    function mentionQuery() {
        const before = area.text.substring(0, area.cursorPosition)
        const match = /(^|\s)@([^\s@]*)$/.exec(before)
        return match ? { start: before.length - match[2].length - 1, text: match[2] } : null
    }
    function updateCompletions() {
        const query = members ? mentionQuery() : null
        if (!query) {
            completions = []
            return
        }
        const needle = query.text.toLowerCase()
        const out = []
        for (let i = 0; i < members.count && out.length < 6; ++i) {
            const m = members.member(i)
            if (m.id.toLowerCase().startsWith(needle) || m.name.toLowerCase().startsWith(needle))
                out.push({ id: m.id, name: m.name })
        }
        completions = out
        completionList.currentIndex = 0
    }
    //! Replaces the `@word` before the cursor with `@userId `.
    function complete(userId) {
        const query = mentionQuery()
        if (!query)
            return
        const insert = "@" + userId + " "
        area.remove(query.start, area.cursorPosition)
        area.insert(query.start, insert)
        area.cursorPosition = query.start + insert.length
        completions = []
    }
    function focusField() { area.forceActiveFocus() }

    objectName: "composer"
    implicitHeight: Math.min(layout.implicitHeight, 200) + 2 * Theme.spacing
        + (modeBar.visible ? modeBar.implicitHeight + Theme.spacing : 0)
    color: Theme.window

    Rectangle {
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: 1
        color: Theme.border
    }

    RowLayout {
        id: modeBar
        objectName: "composerModeBar"
        visible: composer.replyTo !== null || composer.editing !== null
        anchors { left: parent.left; right: parent.right; top: parent.top }
        anchors.margins: Theme.spacing
        spacing: Theme.spacing

        QQC2.Label {
            objectName: "editingLabel"
            visible: composer.editing !== null
            text: qsTr("Editing message")
            font.bold: true
            color: Theme.accent
            Layout.fillWidth: true
        }
        ReplyQuote {
            objectName: "composerReplyQuote"
            visible: composer.replyTo !== null
            enabled: false
            author: composer.replyTo ? qsTr("Replying to %1").arg(composer.replyTo.author) : ""
            excerpt: composer.replyTo ? composer.replyTo.excerpt : ""
            deleted: composer.replyTo ? composer.replyTo.deleted : false
            maximumWidth: modeBar.width - cancelButton.width - Theme.spacing
            Layout.fillWidth: true
        }
        QQC2.ToolButton {
            id: cancelButton
            objectName: "cancelModeButton"
            text: "✕"
            Accessible.name: composer.editing ? qsTr("Cancel editing") : qsTr("Cancel reply")
            QQC2.ToolTip.visible: hovered
            QQC2.ToolTip.text: qsTr("Cancel (Esc)")
            onClicked: {
                composer.cancel()
                area.forceActiveFocus()
            }
        }
    }

    QQC2.Popup {
        id: completionPopup
        objectName: "mentionCompletion"
        visible: composer.completions.length > 0 && area.activeFocus
        x: Theme.spacing
        // From the content's size, not `height`: the positioner sets that while it polishes,
        // and a y that follows it asks for another polish, in a loop.
        y: -implicitHeight
        width: 260
        padding: 4
        closePolicy: QQC2.Popup.NoAutoClose
        background: Rectangle { radius: Theme.radius; color: Theme.base; border.color: Theme.border }
        contentItem: ListView {
            id: completionList
            objectName: "mentionList"
            implicitHeight: contentHeight
            model: composer.completions
            interactive: false
            delegate: QQC2.ItemDelegate {
                id: choice
                required property var modelData
                required property int index
                objectName: "mentionChoice_" + index
                width: ListView.view.width
                highlighted: ListView.isCurrentItem
                text: modelData.name + "  @" + modelData.id
                onClicked: composer.complete(modelData.id)
                contentItem: Text {
                    text: choice.text
                    textFormat: Text.PlainText
                    elide: Text.ElideRight
                    color: Theme.text
                }
            }
        }
    }

    RowLayout {
        id: layout
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        anchors.margins: Theme.spacing
        height: Math.min(implicitHeight, 200)
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
                    if (composer.completionVisible) {
                        composer.completions = []
                    } else if (composer.replyTo || composer.editing) {
                        composer.cancel()
                    } else {
                        event.accepted = area.text.length > 0
                        area.clear()
                        return
                    }
                    event.accepted = true
                }
                Keys.onUpPressed: (event) => {
                    if (composer.completionVisible) {
                        completionList.decrementCurrentIndex()
                    } else if (area.text.length === 0 && !composer.editing) {
                        composer.editLastRequested()
                    } else {
                        event.accepted = false
                        return
                    }
                    event.accepted = true
                }
                Keys.onDownPressed: (event) => {
                    event.accepted = composer.completionVisible
                    if (event.accepted)
                        completionList.incrementCurrentIndex()
                }
                Keys.onTabPressed: (event) => {
                    event.accepted = composer.completionVisible
                    if (event.accepted)
                        composer.complete(composer.completions[completionList.currentIndex].id)
                }
                onTextChanged: {
                    if (!composer.editing)
                        composer.draftChanged(text)
                    composer.typingActivity(text.length > 0)
                    composer.updateCompletions()
                }
                onCursorPositionChanged: composer.updateCompletions()
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
            text: composer.editing ? qsTr("Save") : qsTr("Send")
            enabled: composer.canSend
            onClicked: {
                composer.send()
                area.forceActiveFocus()
            }
        }
    }

    function handleEnter(event) {
        event.accepted = true
        if (completionVisible && !(event.modifiers & Qt.ShiftModifier)) {
            complete(completions[completionList.currentIndex].id)
            return
        }
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
