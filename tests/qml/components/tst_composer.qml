// SPDX-License-Identifier: MIT
import QtQuick
import QtTest
import Palaver.Chat

TestCase {
    id: testCase
    name: "Composer"
    when: windowShown
    visible: true
    width: 500
    height: 200

    Composer {
        id: composer
        width: 480
        maxLength: 100
    }
    SignalSpy {
        id: sendSpy
        target: composer
        signalName: "sendRequested"
    }
    SignalSpy {
        id: replySpy
        target: composer
        signalName: "replySubmitted"
    }
    SignalSpy {
        id: editSpy
        target: composer
        signalName: "editSubmitted"
    }
    SignalSpy {
        id: editLastSpy
        target: composer
        signalName: "editLastRequested"
    }
    SignalSpy {
        id: draftSpy
        target: composer
        signalName: "draftChanged"
    }
    //! Stands in for a MemberModel: what the completion reads of it.
    QtObject {
        id: fakeMembers
        readonly property var list: [{ id: "bob", name: "Bob" }, { id: "bea", name: "Beatrice" },
            { id: "carol", name: "Carol <admin>" }]
        readonly property int count: list.length
        function member(i) { return list[i] }
    }

    function init() {
        composer.cancel()
        composer.clear()
        composer.maxLength = 100
        composer.members = null
        for (const s of [sendSpy, replySpy, editSpy, editLastSpy, draftSpy])
            s.clear()
        composer.focusField()
        const field = findChild(composer, "composerField")
        tryVerify(() => field.activeFocus)
    }

    function typeText(text) {
        for (const c of text)
            keyClick(c)
    }

    function test_enterSends() {
        keyClick(Qt.Key_H)
        keyClick(Qt.Key_I)
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 1)
        compare(sendSpy.signalArguments[0][0], "hi")
        compare(composer.text, "")
    }

    function test_keypadEnterSends() {
        keyClick(Qt.Key_A)
        keyClick(Qt.Key_Enter, Qt.KeypadModifier)
        compare(sendSpy.count, 1)
    }

    function test_shiftEnterInsertsNewLine() {
        keyClick(Qt.Key_A)
        keyClick(Qt.Key_Return, Qt.ShiftModifier)
        keyClick(Qt.Key_B)
        compare(sendSpy.count, 0)
        compare(composer.text, "a\nb")
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 1)
        compare(sendSpy.signalArguments[0][0], "a\nb")
    }

    function test_blankDoesNotSend() {
        keyClick(Qt.Key_Return)
        keyClick(Qt.Key_Space)
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 0)
        verify(!composer.canSend)
    }

    function test_remainingShowsNearTheLimit() {
        const remaining = findChild(composer, "remainingCount")
        typeText("hello")
        verify(!remaining.visible)
        for (let i = 0; i < 45; ++i)
            keyClick(Qt.Key_X)
        // 50 code points of 100: the count shows in the last 50
        compare(composer.remaining, 50)
        verify(remaining.visible)
        compare(remaining.text, "50")
    }

    function test_overTheLimitDoesNotSend() {
        composer.maxLength = 5
        typeText("toolong")
        compare(composer.remaining, -2)
        verify(!composer.canSend)
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 0)
        compare(composer.text, "toolong")
    }

    function test_limitCountsCodePoints() {
        composer.maxLength = 3
        const field = findChild(composer, "composerField")
        field.insert(0, "😀😀😀") // three code points, six UTF-16 units
        compare(composer.length, 3)
        verify(composer.canSend)
    }

    function test_escapeClears() {
        typeText("draft")
        keyClick(Qt.Key_Escape)
        compare(composer.text, "")
    }

    function test_replySendsAsAReplyAndEscCancels() {
        composer.startReply("m7", "Bob", "the <b>plan</b>", false)
        verify(findChild(composer, "composerModeBar").visible)
        const quote = findChild(composer, "composerReplyQuote")
        verify(quote.visible)
        compare(findChild(quote, "replyExcerpt").text, "the <b>plan</b>")
        typeText("ok")
        keyClick(Qt.Key_Return)
        compare(replySpy.count, 1)
        compare(Array.from(replySpy.signalArguments[0]), ["m7", "ok"])
        compare(sendSpy.count, 0)
        verify(!findChild(composer, "composerModeBar").visible) // one reply, then plain again

        composer.startReply("m8", "Bob", "x", false)
        typeText("draft")
        keyClick(Qt.Key_Escape)
        compare(composer.replyTo, null)
        compare(composer.text, "draft") // a cancelled reply keeps what was typed
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 1)
        compare(replySpy.count, 1)
    }

    function test_upInAnEmptyFieldEditsAndSaveSendsTheEdit() {
        keyClick(Qt.Key_Up)
        compare(editLastSpy.count, 1)
        composer.startEdit("m3", "helo")
        compare(composer.text, "helo")
        compare(findChild(composer, "sendButton").text, "Save")
        verify(findChild(composer, "editingLabel").visible)
        keyClick(Qt.Key_Left)
        keyClick(Qt.Key_L)
        keyClick(Qt.Key_Return)
        compare(editSpy.count, 1)
        compare(Array.from(editSpy.signalArguments[0]), ["m3", "hello"])
        compare(sendSpy.count, 0)
        compare(composer.editing, null)
        // Esc leaves an edit and takes its text away; Up with text is the cursor's.
        composer.startEdit("m3", "hello")
        keyClick(Qt.Key_Escape)
        compare(composer.editing, null)
        compare(composer.text, "")
        typeText("a")
        keyClick(Qt.Key_Up)
        compare(editLastSpy.count, 1)
    }

    function test_draftsAreWhatIsTypedNotAnEdit() {
        typeText("half a thought")
        compare(draftSpy.signalArguments[draftSpy.count - 1][0], "half a thought")
        // An edit takes the field, but its text is no draft; the draft is back when it ends.
        const before = draftSpy.count
        composer.startEdit("m3", "old text")
        compare(composer.text, "old text")
        keyClick(Qt.Key_X)
        keyClick(Qt.Key_Return)
        compare(editSpy.count, 1)
        compare(Array.from(editSpy.signalArguments[0]), ["m3", "old textx"])
        compare(composer.text, "half a thought")
        for (let i = before; i < draftSpy.count; ++i)
            compare(draftSpy.signalArguments[i][0], "half a thought")
        composer.startEdit("m3", "old text")
        keyClick(Qt.Key_Escape)
        compare(composer.text, "half a thought")
        // Sent: the draft is empty. Another room's draft shows as it was left.
        keyClick(Qt.Key_Return)
        compare(sendSpy.count, 1)
        compare(draftSpy.signalArguments[draftSpy.count - 1][0], "")
        composer.startReply("m1", "Bob", "hi", false)
        composer.setDraft("elsewhere")
        compare(composer.text, "elsewhere")
        compare(composer.replyTo, null)
        compare(draftSpy.signalArguments[draftSpy.count - 1][0], "elsewhere")
    }

    function test_atCompletesMembers() {
        composer.members = fakeMembers
        typeText("hi @b")
        tryVerify(() => composer.completionVisible)
        compare(composer.completions.length, 2)
        compare(composer.completions[0].id, "bob")
        keyClick(Qt.Key_Down)
        keyClick(Qt.Key_Return) // picks, does not send
        compare(sendSpy.count, 0)
        compare(composer.text, "hi @bea ")
        verify(!composer.completionVisible)
        typeText("and @car")
        compare(composer.completions.length, 1)
        keyClick(Qt.Key_Tab)
        compare(composer.text, "hi @bea and @carol ")
        // Matches the name too; Esc closes the list and keeps the text.
        typeText("@Bea")
        compare(composer.completions.length, 1)
        keyClick(Qt.Key_Escape)
        verify(!composer.completionVisible)
        compare(composer.text, "hi @bea and @carol @Bea")
        // An e-mail address is no mention.
        composer.clear()
        typeText("me@b")
        verify(!composer.completionVisible)
        keyClick(Qt.Key_Return)
        compare(sendSpy.signalArguments[0][0], "me@b")
    }
}
