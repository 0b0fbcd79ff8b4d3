// SPDX-License-Identifier: MIT
import QtQuick
import QtTest
import QtQuick.Controls as QQC2
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
            edited: false
            editedAt: new Date()
            deleted: false
            reactions: []
            replyToId: ""
            replyToAuthor: ""
            replyToExcerpt: ""
            replyToDeleted: false
            mentionsMe: false
            seq: 1
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

    function test_unreadDividerAboveTheFirstUnread() {
        const read = make({ firstOfAuthorRun: false })
        verify(!findChild(read, "unreadDivider").visible)
        const first = make({ firstOfAuthorRun: false, unreadAbove: true })
        const divider = findChild(first, "unreadDivider")
        verify(divider.visible)
        compare(findChild(divider, "unreadDividerLabel").text, "New messages")
        // Above the message, and the author is named again below it.
        verify(findChild(first, "authorHeader").visible)
        verify(divider.mapToItem(first, 0, 0).y < findChild(first, "bubble").mapToItem(first, 0, 0).y)
        verify(first.implicitHeight > read.implicitHeight + divider.height - 1)
    }

    function test_ownMessagesSitOnTheRight() {
        const own = make({ isOwn: true, content: "mine" })
        const other = make({ isOwn: false, content: "theirs" })
        const ownBubble = findChild(own, "bubble")
        const otherBubble = findChild(other, "bubble")
        verify(ownBubble.x > 300)
        verify(otherBubble.x < 100)
        verify(!Qt.colorEqual(ownBubble.color, otherBubble.color))
    }

    function spy(item, signalName) {
        return createTemporaryObject(spyComponent, testCase, { target: item, signalName: signalName })
    }

    function test_replyShowsItsQuoteAndLeadsToTheOriginal() {
        const plain = make({})
        verify(!findChild(plain, "replyQuote").visible)
        const item = make({ replyToId: "m1", replyToAuthor: "<b>Bob</b>", replyToExcerpt: "<i>the plan</i>" })
        const quote = findChild(item, "replyQuote")
        verify(quote.visible)
        compare(findChild(quote, "replyAuthor").text, "<b>Bob</b>")
        compare(findChild(quote, "replyAuthor").textFormat, Text.PlainText)
        compare(findChild(quote, "replyExcerpt").text, "<i>the plan</i>")
        compare(findChild(quote, "replyExcerpt").textFormat, Text.PlainText)
        const clicked = spy(item, "quoteClicked")
        mouseClick(quote)
        compare(clicked.count, 1)
        compare(clicked.signalArguments[0][0], "m1")
        const gone = make({ replyToId: "m1", replyToAuthor: "Bob", replyToDeleted: true })
        compare(findChild(findChild(gone, "replyQuote"), "replyExcerpt").text, "Message deleted")
    }

    function test_editedMarkerWithItsTime() {
        verify(!findChild(make({}), "editedMark").visible)
        const item = make({ edited: true, editedAt: new Date(2026, 11, 1, 9, 30) })
        const mark = findChild(item, "editedMark")
        verify(mark.visible)
        compare(mark.text, "(edited)")
        verify(mark.QQC2.ToolTip.text.indexOf("Edited") === 0)
    }

    function test_deletedIsATombstone() {
        const item = make({ deleted: true, content: "", edited: true, isOwn: true,
                            reactions: [{ emoji: "👍", count: 1, mine: false, users: ["bob"] }] })
        const content = findChild(item, "content")
        compare(content.text, "Message deleted")
        verify(content.font.italic)
        verify(!findChild(item, "editedMark").visible)
        verify(!findChild(item, "reactionChips").visible)
        verify(!item.actionable)
        mouseMove(item, 20, item.height / 2)
        verify(!findChild(item, "messageActions").visible)
    }

    function test_reactionChipsToggleTheUsersReaction() {
        const names = { alice: "Alice", bob: "Bob" }
        const item = make({ nameOf: (id) => names[id] || id, reactions: [
            { emoji: "👍", count: 2, mine: true, users: ["alice", "bob"] },
            { emoji: "🎉", count: 1, mine: false, users: ["carol"] } ] })
        const chips = findChild(item, "reactionChips")
        verify(chips.visible)
        const own = findChild(item, "reactionChip_0")
        const other = findChild(item, "reactionChip_1")
        compare(own.contentItem.text, "👍 2")
        compare(own.contentItem.textFormat, Text.PlainText)
        verify(own.mine)
        verify(!other.mine)
        verify(!Qt.colorEqual(own.background.color, other.background.color))
        compare(own.who, "Alice, Bob")
        compare(other.who, "carol")
        const toggled = spy(item, "reactionToggled")
        mouseClick(own)
        mouseClick(other)
        compare(toggled.count, 2)
        compare(Array.from(toggled.signalArguments[0]), [0, "👍", false])
        compare(Array.from(toggled.signalArguments[1]), [0, "🎉", true])
    }

    function test_mentionIsHighlighted() {
        const plain = findChild(make({}), "bubble")
        const mention = findChild(make({ mentionsMe: true }), "bubble")
        verify(Qt.colorEqual(mention.color, Theme.mentionBubble))
        verify(!Qt.colorEqual(plain.color, mention.color))
        verify(Qt.colorEqual(mention.border.color, Theme.mention))
    }

    function test_actionsOnHoverAndInTheMenu() {
        const other = make({ isOwn: false })
        verify(!findChild(other, "messageActions").visible)
        mouseMove(other, 30, other.height / 2)
        tryVerify(() => findChild(other, "messageActions").visible)
        verify(findChild(other, "replyButton").visible)
        verify(findChild(other, "reactButton").visible)
        verify(!findChild(other, "editButton").visible) // not one's own
        verify(!findChild(other, "deleteButton").visible)
        const replied = spy(other, "replyRequested")
        const picking = spy(other, "pickEmojiRequested")
        mouseClick(findChild(other, "replyButton"))
        mouseClick(findChild(other, "reactButton"))
        compare(replied.count, 1)
        compare(replied.signalArguments[0][0], 0)
        compare(picking.count, 1)

        const own = make({ isOwn: true, index: 3 })
        own.current = true // the keyboard's current row shows its actions too
        verify(findChild(own, "messageActions").visible)
        const edits = spy(own, "editRequested")
        const deletes = spy(own, "deleteRequested")
        mouseClick(findChild(own, "editButton"))
        mouseClick(findChild(own, "deleteButton"))
        compare(edits.signalArguments[0][0], 3)
        compare(deletes.signalArguments[0][0], 3)

        // Not stored yet: nothing to answer or change.
        const pending = make({ isOwn: true, status: Message.Pending })
        pending.current = true
        verify(!findChild(pending, "messageActions").visible)
    }

    Component {
        id: spyComponent
        SignalSpy { }
    }
}
