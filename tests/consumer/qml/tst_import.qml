// SPDX-License-Identifier: MIT
// Loaded by qmltestrunner with only the installed QML directory added to the import path:
// passes when the module "Palaver" resolves, its plugin loads and its types are registered.
import QtQuick
import QtTest
import Palaver

TestCase {
    name: "PalaverImport"

    Client {
        id: client
    }

    function test_moduleLoads() {
        // Reaching here means `import Palaver` resolved and the plugin registered its types.
        compare(client.state, Client.Disconnected)
        compare(client.active, false)
    }

    function test_roomsOnDemand() {
        const room = client.room("general")
        verify(room !== null)
        compare(room.id, "general")
        compare(room.joinState, Room.NotJoined)
        compare(room.messages.count, 0)
        compare(client.room("Not A Room!"), null)
    }
}
