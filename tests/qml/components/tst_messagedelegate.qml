// SPDX-License-Identifier: MIT
import QtQuick
import QtTest
import Palaver
import Palaver.Chat

TestCase {
    id: testCase
    name: "MessageDelegate"
    when: windowShown
    visible: true
    width: 600
    height: 400

    Component {
        id: delegateComponent
        MessageDelegate {
            availableWidth: 600
            index: 0
            authorId: "alice"
            authorName: "Alice"
            createdAt: new Date()
            status: Message.Sent
            error: ""
            isOwn: false
            firstOfAuthorRun: true
            firstOfDay: false
            clientId: "c-1"
            content: "hello"
        }
    }

    function make(properties) {
        const item = createTemporaryObject(delegateComponent, testCase, properties)
        verify(item)
        return item
    }

    function test_markupIsShownLiterally_data() {
        return [
            { tag: "bold", content: "<b>bold</b>" },
            { tag: "link", content: "<a href=\"https://example.com\">click</a>" },
            { tag: "image", content: "<img src=\"x.png\">" },
            { tag: "entity", content: "&lt;b&gt; &amp;" },
            { tag: "url", content: "see https://example.com/?a=<b>" },
        ]
    }
    function test_markupIsShownLiterally(data) {
        const item = make({ content: data.content, authorName: "<i>Mallory</i>" })
        const content = findChild(item, "content")
        compare(content.text, data.content)
        compare(content.textFormat, Text.PlainText)
        const author = findChild(item, "authorName")
        compare(author.text, "<i>Mallory</i>")
        compare(author.textFormat, Text.PlainText)
    }

    function test_headerOnlyOnTheFirstOfARun() {
        const first = make({ firstOfAuthorRun: true })
        verify(findChild(first, "authorHeader").visible)
        const next = make({ firstOfAuthorRun: false })
        verify(!findChild(next, "authorHeader").visible)
        verify(next.implicitHeight < first.implicitHeight)
    }

    function test_daySeparator() {
        const plain = make({ firstOfDay: false })
        verify(!findChild(plain, "daySeparator").visible)
        const today = make({ firstOfDay: true, firstOfAuthorRun: false })
        const separator = findChild(today, "daySeparator")
        verify(separator.visible)
        // A new day always names the author again.
        verify(findChild(today, "authorHeader").visible)
    }

    function test_dayText() {
        const item = make({})
        compare(item.dayText(new Date()), "Today")
        const yesterday = new Date()
        yesterday.setDate(yesterday.getDate() - 1)
        compare(item.dayText(yesterday), "Yesterday")
        const old = new Date(2020, 0, 15, 12, 0)
        verify(item.dayText(old).indexOf("2020") >= 0)
    }

    function test_pendingIsDimmedWithAClock() {
        const item = make({ status: Message.Pending, isOwn: true })
        verify(findChild(item, "pendingIcon").visible)
        verify(!findChild(item, "failedRow").visible)
        const sent = make({ status: Message.Sent, isOwn: true })
        verify(!findChild(sent, "pendingIcon").visible)
    }

    function test_failedOffersRetryAndDiscard() {
        const item = make({ status: Message.Failed, isOwn: true, error: "too_long" })
        verify(findChild(item, "failedRow").visible)
        verify(findChild(item, "errorText").text.indexOf("too_long") >= 0)
        const retrySpy = createTemporaryObject(spyComponent, testCase,
                                               { target: item, signalName: "retryClicked" })
        const discardSpy = createTemporaryObject(spyComponent, testCase,
                                                 { target: item, signalName: "discardClicked" })
        mouseClick(findChild(item, "retryButton"))
        compare(retrySpy.count, 1)
        compare(retrySpy.signalArguments[0][0], "c-1")
        mouseClick(findChild(item, "discardButton"))
        compare(discardSpy.count, 1)
    }

    function test_ownMessagesSitOnTheRight() {
        const own = make({ isOwn: true, content: "mine" })
        const other = make({ isOwn: false, content: "theirs" })
        const ownBubble = findChild(own, "content").parent
        const otherBubble = findChild(other, "content").parent
        verify(ownBubble.x > 300)
        verify(otherBubble.x < 100)
        verify(!Qt.colorEqual(ownBubble.color, otherBubble.color))
    }

    Component {
        id: spyComponent
        SignalSpy { }
    }
}
