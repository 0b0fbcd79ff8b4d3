# CPack: one Debian package per install component, plus a TGZ of everything.
#
#   cpack -G DEB --config <build>/CPackConfig.cmake -B <outdir>
#   cpack -G TGZ --config <build>/CPackConfig.cmake -B <outdir>
#
# Debian dependencies come from dpkg-shlibdeps (system libraries) and from the component graph
# (our own packages, at the exact same version). libpalaversdk0 carries a shlibs file, so that
# packages built against it later get a versioned dependency from dpkg-shlibdeps too.
#
# Package for Debian with -DCMAKE_INSTALL_PREFIX=/usr at configure time: GNUInstallDirs then
# picks the multiarch libdir (lib/x86_64-linux-gnu). With the default /usr/local it is lib/,
# which works (ld.so searches /usr/lib) but is not multiarch.

set(CPACK_PACKAGE_NAME "palaver")
set(CPACK_PACKAGE_VENDOR "The Palaver authors")
set(CPACK_PACKAGE_CONTACT "The Palaver authors <maintainers@example.invalid>")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RESOURCE_FILE_LICENSE "${PROJECT_SOURCE_DIR}/LICENSE")
set(CPACK_STRIP_FILES ON)
set(CPACK_PROJECT_CONFIG_FILE "${CMAKE_CURRENT_LIST_DIR}/PalaverCPackProject.cmake")
set(CPACK_SOURCE_GENERATOR "")
set(CPACK_GENERATOR "DEB;TGZ")
# Each generator writes into its own staging tree, so a DEB and a TGZ run can share an outdir.
set(CPACK_PACKAGE_FILE_NAME "palaver-${PROJECT_VERSION}-${CMAKE_SYSTEM_NAME}-${CMAKE_SYSTEM_PROCESSOR}")

# The components that exist in this build. palaver-stub's own directory also installs it without
# a component ("Unspecified"); listing the components keeps that duplicate out of the packages.
set(_palaver_components "")
if(TARGET PalaverSdk)
    list(APPEND _palaver_components Runtime Devel)
endif()
if(PALAVER_HAVE_QML)
    list(APPEND _palaver_components Qml)
endif()
if(TARGET palaver-chat)
    list(APPEND _palaver_components Chat)
endif()
if(TARGET palaver-bot OR TARGET palaver-stub)
    list(APPEND _palaver_components Tools)
endif()
set(CPACK_COMPONENTS_ALL ${_palaver_components})

# TGZ: one archive with every component, as `cmake --install` would lay it out.
set(CPACK_ARCHIVE_COMPONENT_INSTALL OFF)

# Debian descriptions: the first line is the synopsis, the rest the extended description (CPack
# indents it and turns empty lines into " .").
# --- DEB -----------------------------------------------------------------------------------------
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "${PROJECT_HOMEPAGE_URL}")
set(CPACK_DEBIAN_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The binaries are stripped; with debug info in the build (RelWithDebInfo, Debug) it goes into
# -dbgsym .ddeb packages beside them, as Debian does.
if(CMAKE_BUILD_TYPE MATCHES "^(RelWithDebInfo|Debug)$")
    set(CPACK_DEBIAN_DEBUGINFO_PACKAGE ON)
endif()
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A shlibs file (and the ldconfig trigger) for every package holding a library with a SONAME:
# libpalaversdk0, and qml6-module-palaver for libPalaverQml.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_ENABLE_COMPONENT_DEPENDS ON)
# Packages that link libPalaverSdk.so.0 (palaver-chat, palaver-bot, the QML plugin) must let
# dpkg-shlibdeps find it: it is not on the system, it is in the Runtime component's staging tree,
# a sibling of the component being packaged (dpkg-shlibdeps runs in that component's directory;
# /usr is CPackDeb's install prefix).
# The dependency on libpalaversdk0 itself comes from the component graph below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS
    "../Runtime/usr/${CMAKE_INSTALL_LIBDIR}")

# Runtime: the shared library.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME "libpalaversdk${PROJECT_VERSION_MAJOR}")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# The outbox is an SQLite database opened through QtSql, whose driver is a plugin.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libqt6sql6-sqlite")
set(CPACK_COMPONENT_RUNTIME_DISPLAY_NAME "Palaver SDK runtime library")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION
    "Qt 6 realtime chat SDK (Socket.IO v5 over WebSocket) - shared library
Palaver connects Qt applications to chat servers that speak Socket.IO v5 over
WebSocket: reconnection with backoff, acknowledged requests, an offline outbox
and item models for rooms, messages and members.

This package contains the shared library.")

# Devel: headers, the namelink, the CMake package and palaver.pc.
set(CPACK_DEBIAN_DEVEL_PACKAGE_NAME "libpalaversdk-dev")
set(CPACK_DEBIAN_DEVEL_PACKAGE_SECTION libdevel)
# The public headers include QtCore/QtNetwork and PalaverConfig.cmake finds Qt6 Core and Network.
set(CPACK_DEBIAN_DEVEL_PACKAGE_DEPENDS "qt6-base-dev (>= 6.4)")
set(CPACK_DEBIAN_DEVEL_PACKAGE_SHLIBDEPS OFF)
set(CPACK_COMPONENT_DEVEL_DEPENDS Runtime)
set(CPACK_COMPONENT_DEVEL_DISPLAY_NAME "Palaver SDK development files")
set(CPACK_DEBIAN_DEVEL_DESCRIPTION
    "Qt 6 realtime chat SDK (Socket.IO v5 over WebSocket) - development files
Headers, the CMake package (find_package(Palaver)) and the pkg-config file
(palaver.pc) for building applications with the Palaver SDK.")

# Qml: the QML module "Palaver".
set(CPACK_DEBIAN_QML_PACKAGE_NAME "qml6-module-palaver")
set(CPACK_DEBIAN_QML_PACKAGE_SECTION libs)
set(CPACK_COMPONENT_QML_DEPENDS Runtime)
set(CPACK_COMPONENT_QML_DISPLAY_NAME "Palaver QML module")
set(CPACK_DEBIAN_QML_DESCRIPTION
    "Qt 6 realtime chat SDK (Socket.IO v5 over WebSocket) - QML module
The QML module Palaver (import Palaver): the SDK's client, rooms and models
as QML types.")

# Chat: the desktop app.
set(CPACK_DEBIAN_CHAT_PACKAGE_NAME "palaver-chat")
set(CPACK_DEBIAN_CHAT_PACKAGE_SECTION net)
set(CPACK_COMPONENT_CHAT_DEPENDS Runtime)
if(PALAVER_HAVE_QML)
    list(APPEND CPACK_COMPONENT_CHAT_DEPENDS Qml)
endif()
# QML modules are loaded at run time, so dpkg-shlibdeps cannot see them.
set(CPACK_DEBIAN_CHAT_PACKAGE_DEPENDS
    "qml6-module-qtquick, qml6-module-qtquick-controls, qml6-module-qtquick-layouts, qml6-module-qtquick-window, qml6-module-qtqml-workerscript, libqt6sql6-sqlite")
set(CPACK_COMPONENT_CHAT_DISPLAY_NAME "Palaver desktop chat")
set(CPACK_DEBIAN_CHAT_DESCRIPTION
    "Desktop chat client for Socket.IO v5 chat servers
palaver-chat is a Qt Quick chat app built on the Palaver SDK: rooms, history,
typing indicators, and an offline outbox that sends when the network returns.")

# Tools: the headless bot and the server stub.
set(CPACK_DEBIAN_TOOLS_PACKAGE_NAME "palaver-tools")
set(CPACK_DEBIAN_TOOLS_PACKAGE_SECTION net)
if(TARGET palaver-bot)
    set(CPACK_COMPONENT_TOOLS_DEPENDS Runtime)
endif()
# Both keep their state in SQLite through QtSql, whose driver is a plugin.
set(CPACK_DEBIAN_TOOLS_PACKAGE_DEPENDS "libqt6sql6-sqlite")
set(CPACK_COMPONENT_TOOLS_DISPLAY_NAME "Palaver bot and server stub")
set(CPACK_DEBIAN_TOOLS_DESCRIPTION
    "Palaver headless bot and small chat server
palaver-bot is a headless bot built on the Palaver SDK; palaver-stub is a small
Socket.IO v5 chat server (JWT auth, rooms, SQLite history) for development and
tests.")

include(CPack)
