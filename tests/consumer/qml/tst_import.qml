// SPDX-License-Identifier: MIT
// Loaded by qmltestrunner with only the installed QML directory added to the import path:
// passes when the module "Palaver" resolves, its plugin loads and its types are registered.
import QtQuick
import QtTest
import Palaver

TestCase {
    name: "PalaverImport"

    function test_moduleLoads() {
        // Reaching here means `import Palaver` resolved. Type checks go here as the module grows,
        // e.g. verify(Qt.createQmlObject("import Palaver; Client {}", this) !== null)
        verify(true)
    }
}
