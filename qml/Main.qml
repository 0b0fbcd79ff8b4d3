// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import Qt.labs.settings
import Palaver
// The module's C++ types (DesktopNotifier): Main.qml is loaded by its URL, not through an import.
import Palaver.Chat

//! The palaver-chat window: the sign-in page until the server accepts a token, then the chat.
//! The Client comes from the app glue (main.cpp), which also passes the command line.
QQC2.ApplicationWindow {
    id: window

    required property Client client
    //! --url, else the last server used.
    property string initialUrl
    //! Demo users from PALAVER_DEMO_TOKENS (`[{id, name, token}]`); never stored.
    property var demoUsers: []
    //! In demo mode, the demo user to sign in as at once ("" for none).
    property string autoSignInUser

    //! Signed in: the server accepted the token at least once since the sign-in, or the
    //! account's local store knows it (shown from the store until the server answers).
    property bool signedIn: false
    property bool signingIn: false
    property string signInError
    // Kept in memory only until the server accepted it, to store it in the keychain then.
    property string pendingToken
    property bool pendingRemember: false
    property bool restoredSession: false
    // The rooms of the last session are joined again once per sign-in, when the list is known.
    property bool roomsRestored: false
    //! The chat page while signed in, else null.
    readonly property Item chatPage: signedIn ? chatPageItem : null

    function authMessage(error, errorString) {
        switch (error) {
        case Client.AuthRequired:
            return qsTr("The server needs a token to let you in. Paste one above.")
        case Client.InvalidToken:
            return qsTr("The server refused the token. Paste a new one.")
        case Client.TokenExpired:
            return qsTr("The token has expired. Paste a new one.")
        case Client.InvalidUrl:
            return qsTr("That server address does not look right. Try ws://host:port or https://host.")
        case Client.TlsError:
            return qsTr("The server's certificate could not be verified.")
        case Client.ConnectionRejected:
            return qsTr("The server turned the connection down: %1").arg(errorString)
        default:
            return errorString.length > 0 ? errorString : qsTr("Could not sign in.")
        }
    }

    function signIn(url, token, remember) {
        signInError = ""
        signedIn = false
        roomsRestored = false
        pendingToken = token
        pendingRemember = remember
        signingIn = true
        client.close()
        client.setUrl(url)
        client.setToken(token)
        session.lastUrl = url
        client.open()
        // A known account (its local store kept who the user is and the rooms): the chat shows
        // at once from the store, also with no server; the server still checks the token.
        if (client.storeFileName.length > 0 && client.userId.length > 0
                && client.roomList.count > 0)
            signedIn = true
    }

    function signOut(forget) {
        signingIn = false
        signedIn = false
        pendingToken = ""
        if (forget)
            chatPageItem.forgetDrafts()
        client.close()
        if (forget)
            client.removeStore() // what waited to be sent goes with the account
        if (forget && session.rememberedUrl.length > 0) {
            tokenStore.remove(session.rememberedUrl)
            session.rememberedUrl = ""
        }
    }

    function finishSignIn() {
        signingIn = false
        signedIn = true
        // Remembered only once the keychain has it (stored()); never written anywhere else.
        if (pendingRemember)
            tokenStore.store(session.lastUrl, pendingToken)
        pendingToken = ""
    }

    function restoreRooms() {
        if (roomsRestored || !chatPage || client.roomList.count === 0)
            return
        roomsRestored = true
        // Rooms joined in the last session, or the first public room on a first run.
        let wanted = session.joinedRooms ? session.joinedRooms : []
        if (typeof wanted === "string")
            wanted = wanted.length > 0 ? [wanted] : []
        if (wanted.length === 0) {
            for (let i = 0; i < client.roomList.count; ++i) {
                const summary = client.roomList.room(i)
                if (!summary.isPrivate) {
                    wanted = [summary.id]
                    break
                }
            }
        }
        for (const roomId of wanted) {
            if (client.roomList.rowOf(roomId) >= 0 && !client.joinedRooms.includes(roomId))
                client.room(roomId).join()
        }
        let last = session.lastRoom
        if (client.roomList.rowOf(last) < 0)
            last = wanted.length > 0 ? wanted[0] : ""
        if (last.length > 0)
            chatPage.selectRoom(last)
    }

    objectName: "mainWindow"
    title: signedIn && chatPage && chatPage.currentRoom
        ? qsTr("%1 – Palaver").arg(chatPage.currentRoom.name) : qsTr("Palaver")
    width: 1100
    height: 700
    minimumWidth: 640
    minimumHeight: 420
    visible: true
    color: Theme.window

    palette.window: Theme.window
    palette.windowText: Theme.text
    palette.base: Theme.base
    palette.alternateBase: Theme.alternateBase
    palette.text: Theme.text
    palette.button: Theme.alternateBase
    palette.buttonText: Theme.text
    palette.highlight: Theme.accent
    palette.highlightedText: Theme.accentText
    palette.placeholderText: Theme.mutedText
    palette.toolTipBase: Theme.base
    palette.toolTipText: Theme.text
    palette.light: Theme.dark ? "#3a404a" : "#ffffff"
    palette.midlight: Theme.dark ? "#323740" : "#e3e6eb"
    palette.mid: Theme.dark ? "#2a2e35" : "#c9ced6"
    palette.dark: Theme.dark ? "#15171b" : "#a0a7b1"
    palette.link: Theme.accent

    Settings {
        category: "window"
        property alias x: window.x
        property alias y: window.y
        property alias width: window.width
        property alias height: window.height
    }
    Settings {
        id: session
        category: "session"
        property string lastUrl
        property string lastRoom
        property var joinedRooms: []
        //! The server whose token is in the keychain ("" when none is).
        property string rememberedUrl
    }
    Settings {
        id: appearance
        category: "appearance"
        property int theme: Theme.System
    }
    Binding {
        target: Theme
        property: "mode"
        value: appearance.theme
    }

    TokenStore {
        id: tokenStore
        onLoaded: (account, token) => {
            if (account === session.rememberedUrl && !window.signingIn && !window.signedIn) {
                window.restoredSession = true
                window.signIn(account, token, true)
            }
        }
        onStored: (account) => session.rememberedUrl = account
        onFailed: (account, error, message) => {
            if (account !== session.rememberedUrl)
                return // storing failed: the token is simply not remembered
            session.rememberedUrl = ""
            if (error !== TokenStore.NotFound && !window.signedIn)
                window.signInError = qsTr("The saved token could not be read from the keychain: %1")
                    .arg(message)
        }
    }

    Connections {
        target: window.client
        function onStateChanged() {
            const state = window.client.state
            if (window.signingIn && state === Client.Connected) {
                window.finishSignIn()
            } else if (window.signingIn && state === Client.Failed) {
                window.signingIn = false
                window.signedIn = false // shown from the store, but the server said no
                window.signInError = window.authMessage(window.client.error,
                                                        window.client.errorString)
                if (window.restoredSession && session.rememberedUrl.length > 0) {
                    // The stored token no longer works: do not try it again at the next start.
                    tokenStore.remove(session.rememberedUrl)
                    session.rememberedUrl = ""
                }
            }
        }
        function onSessionReady() {
            if (window.signedIn || window.signingIn)
                Qt.callLater(window.restoreRooms)
        }
        function onJoinedRoomsChanged() {
            if (window.signedIn)
                session.joinedRooms = window.client.joinedRooms
        }
    }

    //! Brings the window to the front on `roomId` (a notification was clicked).
    function showRoom(roomId) {
        window.show()
        window.raise()
        window.requestActivate()
        if (chatPage && client.roomList.rowOf(roomId) >= 0)
            chatPage.selectRoom(roomId)
    }

    DesktopNotifier {
        id: notifier
        objectName: "desktopNotifier"
        client: window.client
        enabled: window.signedIn
        shownRoomId: window.signedIn ? chatPageItem.currentRoomId : ""
        windowActive: window.active
        onActivated: (roomId) => window.showRoom(roomId)
    }

    // Both pages exist all the time and take turns: Qt 6.4's Loader gives what it loads a context
    // of its own, where a component of this Bound file may not be instantiated.
    SignInPage {
        id: signInPage
        anchors.fill: parent
        visible: !window.signedIn
        enabled: visible
        serverUrl: window.initialUrl.length > 0 ? window.initialUrl : session.lastUrl
        demoUsers: window.demoUsers
        busy: window.signingIn
        errorText: window.signInError
        statusText: {
            const c = window.client
            if (c.state === Client.Reconnecting)
                return qsTr("Cannot reach the server (%1). Trying again in %2 s.")
                    .arg(c.errorString).arg(Math.ceil(c.nextRetryIn / 1000))
            if (c.state === Client.Offline)
                return qsTr("Offline – waiting for the network")
            return qsTr("Connecting…")
        }
        onSignInRequested: (url, token, remember) => window.signIn(url, token, remember)
        onCancelRequested: window.signOut(false)
    }

    ChatPage {
        id: chatPageItem
        anchors.fill: parent
        visible: window.signedIn
        enabled: visible
        client: window.client
        notifier: notifier
        onCurrentRoomIdChanged: {
            if (currentRoomId.length > 0)
                session.lastRoom = currentRoomId
        }
        onSignOutRequested: {
            const refused = window.client.state === Client.Failed
            window.signOut(true)
            if (refused)
                window.signInError = window.authMessage(window.client.error,
                                                        window.client.errorString)
        }
        onThemeChosen: (mode) => appearance.theme = mode
        onQuitRequested: Qt.quit()
    }

    onSignedInChanged: {
        if (signedIn)
            Qt.callLater(window.restoreRooms)
        else
            chatPageItem.currentRoomId = ""
    }

    Component.onCompleted: {
        if (autoSignInUser.length > 0) {
            for (const user of demoUsers) {
                if (user.id === autoSignInUser) {
                    signIn(initialUrl, user.token, false)
                    return
                }
            }
        }
        if (session.rememberedUrl.length > 0
                && (initialUrl.length === 0 || initialUrl === session.rememberedUrl))
            tokenStore.load(session.rememberedUrl)
    }
}
