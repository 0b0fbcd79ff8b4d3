// SPDX-License-Identifier: MIT
pragma ComponentBehavior: Bound

import QtQuick
import QtQuick.Controls as QQC2
import QtQuick.Layouts

//! Server address and token (pasted), "remember me" (the token goes to the system keychain,
//! never to a file), and in demo mode one button per demo user.
Rectangle {
    id: page

    //! The address shown at first (from --url or the last session).
    property string serverUrl
    //! Demo users, `[{id, name, token}]`; one "Sign in as …" button each.
    property var demoUsers: []
    //! A sign-in is in progress: the form is locked and a spinner shows.
    property bool busy: false
    //! Why the last attempt failed, in the user's words; empty when it did not.
    property string errorText
    //! What the connection is doing while busy ("Connecting…", "Cannot reach …").
    property string statusText
    //! Whether the keychain can be offered (it is off when no secret store answered).
    property bool rememberAvailable: true
    property alias remember: rememberBox.checked

    //! The user asked to sign in.
    signal signInRequested(string url, string token, bool remember)
    //! The user gave up waiting for the server.
    signal cancelRequested()

    function submit() {
        if (urlField.text.trim().length === 0 || tokenField.text.trim().length === 0)
            return
        page.signInRequested(urlField.text.trim(), tokenField.text.trim(), rememberBox.checked)
    }

    objectName: "signInPage"
    color: Theme.window

    QQC2.ScrollView {
        anchors.fill: parent
        contentWidth: availableWidth

        ColumnLayout {
            width: Math.min(420, parent.width - 4 * Theme.spacing)
            x: (parent.width - width) / 2
            spacing: Theme.spacing * 1.5

            Item { Layout.preferredHeight: Math.max(Theme.spacing * 4, page.height * 0.12) }

            QQC2.Label {
                text: qsTr("Palaver")
                font.pointSize: Qt.application.font.pointSize * 2.2
                font.bold: true
                color: Theme.text
                Layout.alignment: Qt.AlignHCenter
            }
            QQC2.Label {
                text: qsTr("Sign in to start chatting")
                color: Theme.mutedText
                Layout.alignment: Qt.AlignHCenter
                Layout.bottomMargin: Theme.spacing * 2
            }

            QQC2.Label { text: qsTr("Server address"); color: Theme.text }
            QQC2.TextField {
                id: urlField
                objectName: "urlField"
                Layout.fillWidth: true
                text: page.serverUrl
                placeholderText: qsTr("ws://localhost:3001")
                enabled: !page.busy
                selectByMouse: true
                inputMethodHints: Qt.ImhUrlCharactersOnly | Qt.ImhNoAutoUppercase
                onAccepted: tokenField.forceActiveFocus()
            }

            QQC2.Label { text: qsTr("Access token"); color: Theme.text }
            QQC2.TextField {
                id: tokenField
                objectName: "tokenField"
                Layout.fillWidth: true
                placeholderText: qsTr("Paste your token here")
                echoMode: TextInput.Password
                enabled: !page.busy
                selectByMouse: true
                inputMethodHints: Qt.ImhSensitiveData | Qt.ImhNoPredictiveText
                onAccepted: page.submit()
            }

            QQC2.CheckBox {
                id: rememberBox
                objectName: "rememberBox"
                text: qsTr("Remember me (the token is kept in the system keychain)")
                enabled: !page.busy && page.rememberAvailable
            }

            QQC2.Label {
                objectName: "signInError"
                Layout.fillWidth: true
                visible: text.length > 0
                text: page.errorText
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                color: Theme.danger
            }

            RowLayout {
                Layout.fillWidth: true
                spacing: Theme.spacing
                QQC2.BusyIndicator {
                    visible: page.busy
                    running: page.busy
                    Layout.preferredHeight: 28
                    Layout.preferredWidth: 28
                }
                QQC2.Label {
                    objectName: "signInStatus"
                    Layout.fillWidth: true
                    visible: page.busy
                    text: page.statusText
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.mutedText
                }
                Item { Layout.fillWidth: !page.busy }
                QQC2.Button {
                    objectName: "cancelButton"
                    visible: page.busy
                    text: qsTr("Cancel")
                    onClicked: page.cancelRequested()
                }
                QQC2.Button {
                    objectName: "signInButton"
                    text: qsTr("Sign in")
                    highlighted: true
                    enabled: !page.busy && urlField.text.trim().length > 0
                        && tokenField.text.trim().length > 0
                    onClicked: page.submit()
                }
            }

            ColumnLayout {
                visible: page.demoUsers.length > 0
                Layout.fillWidth: true
                Layout.topMargin: Theme.spacing * 2
                spacing: Theme.spacing

                RowLayout {
                    Layout.fillWidth: true
                    Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
                    QQC2.Label { text: qsTr("Demo users"); color: Theme.mutedText }
                    Rectangle { Layout.fillWidth: true; height: 1; color: Theme.border }
                }
                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.spacing
                    Repeater {
                        model: page.demoUsers
                        delegate: QQC2.Button {
                            required property var modelData
                            objectName: "demoButton_" + modelData.id
                            text: qsTr("Sign in as %1").arg(modelData.name)
                            enabled: !page.busy
                            onClicked: page.signInRequested(urlField.text.trim(), modelData.token, false)
                        }
                    }
                }
            }
        }
    }
}
