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

    function init() {
        composer.clear()
        composer.maxLength = 100
        sendSpy.clear()
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
}
