// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts
import Palaver

//! A strip above the timeline that says what the connection is doing when it is not simply
//! connected, with the one action that helps. Hidden while connected.
Rectangle {
    id: banner

    //! Client.state
    property int connectionState: Client.Disconnected
    //! Client.nextRetryIn: the delay of the scheduled attempt, in ms
    property int retryInMs: 0
    //! Client.error
    property int errorCode: Client.NoError
    //! Client.errorString
    property string errorString
    //! The timeline shows what the account's store kept (Room.cached): say it is not live.
    property bool showingSaved: false

    //! The user asked to skip the backoff wait (Client.retryNow()).
    signal retryNowClicked()
    //! The token was refused: go back to the sign-in page.
    signal signInAgainClicked()
    //! The Client gave up for another reason: open it again.
    signal reconnectClicked()

    readonly property bool authRefused: errorCode === Client.AuthRequired
        || errorCode === Client.InvalidToken || errorCode === Client.TokenExpired
    //! What the banner shows: "", "connecting", "reconnecting", "offline", "signedOut", "failed".
    readonly property string kind: {
        switch (connectionState) {
        case Client.Connecting: return "connecting"
        case Client.Reconnecting: return "reconnecting"
        case Client.Offline: return "offline"
        case Client.Failed: return authRefused ? "signedOut" : "failed"
        default: return ""
        }
    }
    readonly property alias text: label.text
    readonly property alias actionText: action.text

    // The countdown runs from the moment the delay was announced; only while it is shown.
    property double retryDeadline: 0
    property double now: Date.now()
    readonly property int secondsLeft: Math.max(0, Math.ceil((retryDeadline - now) / 1000))

    function restartCountdown() {
        now = Date.now()
        retryDeadline = now + retryInMs
    }
    onRetryInMsChanged: restartCountdown()
    onConnectionStateChanged: restartCountdown()
    Component.onCompleted: restartCountdown()

    objectName: "connectionBanner"
    visible: kind !== ""
    implicitHeight: visible ? row.implicitHeight + 2 * Theme.spacing : 0
    color: kind === "signedOut" || kind === "failed" ? Theme.errorBackground : Theme.warningBackground

    Timer {
        interval: 250
        repeat: true
        running: banner.visible && banner.kind === "reconnecting" && banner.secondsLeft > 0
        onTriggered: banner.now = Date.now()
    }

    RowLayout {
        id: row
        anchors.fill: parent
        anchors.leftMargin: Theme.spacing * 2
        anchors.rightMargin: Theme.spacing
        spacing: Theme.spacing

        QQC2.Label {
            id: label
            objectName: "bannerText"
            Layout.fillWidth: true
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: banner.kind === "signedOut" || banner.kind === "failed"
                ? Theme.errorText : Theme.warningText
            text: {
                switch (banner.kind) {
                case "connecting":
                    return banner.showingSaved ? qsTr("Offline: showing saved messages. Connecting…")
                                               : qsTr("Connecting…")
                case "reconnecting":
                    if (banner.showingSaved)
                        return banner.secondsLeft > 0
                            ? qsTr("Offline: showing saved messages. Reconnecting in %1 s")
                                .arg(banner.secondsLeft)
                            : qsTr("Offline: showing saved messages. Reconnecting…")
                    return banner.secondsLeft > 0
                        ? qsTr("Reconnecting in %1 s").arg(banner.secondsLeft)
                        : qsTr("Reconnecting…")
                case "offline": return qsTr("Offline – waiting for the network")
                case "signedOut": return qsTr("Signed out: the server refused the token")
                case "failed":
                    return banner.errorString.length > 0
                        ? qsTr("Disconnected: %1").arg(banner.errorString)
                        : qsTr("Disconnected")
                default: return ""
                }
            }
        }
        QQC2.Button {
            id: action
            objectName: "bannerButton"
            visible: text.length > 0
            flat: true
            text: {
                switch (banner.kind) {
                case "reconnecting": return qsTr("Retry now")
                case "signedOut": return qsTr("Sign in again")
                case "failed": return qsTr("Reconnect")
                default: return ""
                }
            }
            onClicked: {
                if (banner.kind === "reconnecting")
                    banner.retryNowClicked()
                else if (banner.kind === "signedOut")
                    banner.signInAgainClicked()
                else if (banner.kind === "failed")
                    banner.reconnectClicked()
            }
        }
    }
}
