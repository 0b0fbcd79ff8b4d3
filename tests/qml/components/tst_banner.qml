// SPDX-License-Identifier: MIT
import QtQuick
import QtTest
import Palaver
import Palaver.Chat

TestCase {
    name: "ConnectionBanner"
    when: windowShown
    visible: true
    width: 600
    height: 100

    ConnectionBanner {
        id: banner
        width: 600
    }
    SignalSpy { id: retrySpy; target: banner; signalName: "retryNowClicked" }
    SignalSpy { id: signInSpy; target: banner; signalName: "signInAgainClicked" }

    function init() {
        banner.connectionState = Client.Connected
        banner.errorCode = Client.NoError
        banner.errorString = ""
        banner.retryInMs = 0
        banner.showingSaved = false
        retrySpy.clear()
        signInSpy.clear()
    }

    function test_hiddenWhenConnected() {
        verify(!banner.visible)
        compare(banner.height, 0)
        banner.connectionState = Client.Disconnected
        verify(!banner.visible)
    }

    function test_reconnectingCountsDown() {
        banner.errorCode = Client.ConnectionRefused
        banner.retryInMs = 3000
        banner.connectionState = Client.Reconnecting
        verify(banner.visible)
        compare(findChild(banner, "bannerText").text, "Reconnecting in 3 s")
        compare(findChild(banner, "bannerButton").text, "Retry now")
        tryCompare(findChild(banner, "bannerText"), "text", "Reconnecting in 2 s", 2000)
    }

    function test_retryNowButton() {
        banner.retryInMs = 5000
        banner.connectionState = Client.Reconnecting
        mouseClick(findChild(banner, "bannerButton"))
        compare(retrySpy.count, 1)
    }

    function test_savedMessagesAreSaidToBeSaved() {
        banner.showingSaved = true
        banner.connectionState = Client.Connecting
        compare(banner.text, "Offline: showing saved messages. Connecting…")
        banner.retryInMs = 3000
        banner.connectionState = Client.Reconnecting
        compare(banner.text, "Offline: showing saved messages. Reconnecting in 3 s")
        compare(findChild(banner, "bannerButton").text, "Retry now")
        banner.connectionState = Client.Connected
        verify(!banner.visible)
    }

    function test_offline() {
        banner.connectionState = Client.Offline
        verify(banner.visible)
        compare(banner.text, "Offline – waiting for the network")
        verify(!findChild(banner, "bannerButton").visible)
    }

    function test_tokenRefused_data() {
        return [
            { tag: "invalid", code: Client.InvalidToken },
            { tag: "expired", code: Client.TokenExpired },
            { tag: "missing", code: Client.AuthRequired },
        ]
    }
    function test_tokenRefused(data) {
        banner.errorCode = data.code
        banner.connectionState = Client.Failed
        compare(banner.text, "Signed out: the server refused the token")
        compare(banner.actionText, "Sign in again")
        mouseClick(findChild(banner, "bannerButton"))
        compare(signInSpy.count, 1)
    }

    function test_otherFailure() {
        banner.errorCode = Client.ServerDisconnected
        banner.errorString = "The server ended the session"
        banner.connectionState = Client.Failed
        compare(banner.text, "Disconnected: The server ended the session")
        compare(banner.actionText, "Reconnect")
    }
}
