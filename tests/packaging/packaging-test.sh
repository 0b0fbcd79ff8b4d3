#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The packaging checks of tests/packaging, one step per ctest test:
#   packaging-test.sh install | cmake-consumer | pkgconfig-consumer | qml-import | deb | metadata | docs
# Environment (set by tests/packaging/CMakeLists.txt): PALAVER_SOURCE_DIR, PALAVER_BUILD_DIR,
# PALAVER_WORK (this build's scratch dir), PALAVER_PREFIX (the shared install prefix),
# CMAKE_COMMAND, CPACK_COMMAND, PALAVER_CMAKE_GENERATOR, PALAVER_CXX, PALAVER_QMLTESTRUNNER,
# PALAVER_QMLDIR, PALAVER_LIBDIR, PALAVER_APP_ID.
# Exit 77 means skipped (ctest SKIP_RETURN_CODE).
set -euo pipefail

step=${1:?step}
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need() { command -v "$1" >/dev/null 2>&1 || skip "$1 is not installed"; }

prefix=$PALAVER_PREFIX
export LD_LIBRARY_PATH="$prefix/$PALAVER_LIBDIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# A fresh scratch dir per step, removed when the step passes (kept for a look when it fails).
scratch() {
    mkdir -p "$PALAVER_WORK"
    tmp=$(mktemp -d "$PALAVER_WORK/$step.XXXXXX")
    trap 'rc=$?; if [ $rc -eq 0 ] || [ $rc -eq 77 ]; then rm -rf "$tmp"; else echo "kept $tmp" >&2; fi' EXIT
}

# Files that must never be installed or packaged, and names that must not leak into the exported
# CMake package or palaver.pc: the SDK's private dependencies are linked into libPalaverSdk.so.
check_tree() { # <root of an installed or unpacked tree>
    local root=$1 bad
    bad=$(find "$root" -name '*_p.h' -o -name '*PalaverProtocol*' -o -name '*PalaverLogging*' \
        -o -name '*.a' | sed "s|^$root||")
    [ -z "$bad" ] || fail "must not be installed: $bad"
    local meta
    meta=$(find "$root" -path '*/cmake/Palaver/*' -o -name 'palaver.pc')
    if [ -n "$meta" ]; then
        # shellcheck disable=SC2086
        if grep -nEi 'PalaverProtocol|PalaverLogging|Palaver::Protocol|Palaver::Logging|nlohmann|simdjson|jwt' $meta; then
            fail "private dependency named in the installed CMake package or palaver.pc"
        fi
        # The SDK's private shared dependencies may only appear where CMake lists them for the
        # linker's -rpath-link (IMPORTED_LINK_DEPENDENT_LIBRARIES; names that are not targets
        # in the consumer are ignored there), never as something a consumer must find or link.
        # shellcheck disable=SC2086
        if grep -nEi 'keychain|WebSockets|Qt6::Sql' $meta | grep -v IMPORTED_LINK_DEPENDENT_LIBRARIES; then
            fail "private Qt/QtKeychain dependency in the consumer's interface"
        fi
        # shellcheck disable=SC2086
        if grep -nF -e "$PALAVER_BUILD_DIR" -e "$PALAVER_SOURCE_DIR" $meta; then
            fail "installed CMake package or palaver.pc points into the build or source tree"
        fi
    fi
}

qml_module_dir() { echo "$prefix/$PALAVER_QMLDIR/Palaver"; }

case "$step" in
install)
    rm -rf "$prefix"
    "$CMAKE_COMMAND" --install "$PALAVER_BUILD_DIR" --prefix "$prefix"
    lib="$prefix/$PALAVER_LIBDIR"
    for f in libPalaverSdk.so libPalaverSdk.so.0 include/Palaver/message.h \
        include/Palaver/palaversdk_export.h cmake/Palaver/PalaverConfig.cmake \
        cmake/Palaver/PalaverConfigVersion.cmake cmake/Palaver/PalaverSdkTargets.cmake \
        pkgconfig/palaver.pc; do
        case "$f" in include/*) p="$prefix/$f" ;; *) p="$lib/$f" ;; esac
        [ -e "$p" ] || fail "not installed: $p"
    done
    [ -L "$lib/libPalaverSdk.so" ] && [ -L "$lib/libPalaverSdk.so.0" ] ||
        fail "libPalaverSdk.so and .so.0 should be symlinks to the versioned file"
    soname=$(readelf -d "$lib/libPalaverSdk.so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
    [ "$soname" = libPalaverSdk.so.0 ] || fail "SONAME is '$soname', expected libPalaverSdk.so.0"
    # Every header in the source include dir is installed (and nothing private).
    for h in "$PALAVER_SOURCE_DIR"/sdk/core/include/Palaver/*.h; do
        case "$h" in *_p.h) continue ;; esac
        [ -e "$prefix/include/Palaver/$(basename "$h")" ] || fail "header not installed: $h"
    done
    check_tree "$prefix"
    echo "installed into $prefix"
    ;;

cmake-consumer)
    scratch
    "$CMAKE_COMMAND" -S "$PALAVER_SOURCE_DIR/tests/consumer/cmake" -B "$tmp" \
        -G "$PALAVER_CMAKE_GENERATOR" -DCMAKE_CXX_COMPILER="$PALAVER_CXX" \
        -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo
    grep -q "^Palaver_DIR:PATH=$prefix/" "$tmp/CMakeCache.txt" ||
        fail "Palaver was not found in the test prefix: $(grep ^Palaver_DIR "$tmp/CMakeCache.txt")"
    case "$(cat "$tmp/palaver-qml-import-dir.txt")" in
    "$prefix/$PALAVER_QMLDIR") ;;
    *) fail "Palaver_QML_IMPORT_DIR is $(cat "$tmp/palaver-qml-import-dir.txt"), not under $prefix" ;;
    esac
    "$CMAKE_COMMAND" --build "$tmp"
    "$tmp/palaver-consumer"
    # A version from another major must be refused (SameMajorVersion).
    mkdir -p "$tmp/v1"
    printf 'cmake_minimum_required(VERSION 3.25)\nproject(v1 LANGUAGES CXX)\nfind_package(Palaver 1.0 QUIET)\nif(Palaver_FOUND)\n  message(FATAL_ERROR "Palaver 0.x accepted for a 1.0 request")\nendif()\n' \
        >"$tmp/v1/CMakeLists.txt"
    "$CMAKE_COMMAND" -S "$tmp/v1" -B "$tmp/v1/b" -G "$PALAVER_CMAKE_GENERATOR" \
        -DCMAKE_CXX_COMPILER="$PALAVER_CXX" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
    ;;

pkgconfig-consumer)
    need pkg-config
    need make
    scratch
    export PKG_CONFIG_PATH="$prefix/$PALAVER_LIBDIR/pkgconfig"
    echo "pkg-config --cflags --libs palaver: $(pkg-config --cflags --libs palaver)"
    [ "$(pkg-config --modversion palaver)" = "$(sed -n 's/^Version: //p' "$PALAVER_BUILD_DIR/packaging/palaver.pc")" ] ||
        fail "pkg-config --modversion palaver disagrees with the build"
    make -C "$PALAVER_SOURCE_DIR/tests/consumer/pkgconfig" --no-print-directory \
        CXX="$PALAVER_CXX" O="$tmp" run
    ;;

qml-import)
    [ -f "$(qml_module_dir)/qmldir" ] ||
        skip "QML module Palaver is not built yet (no $(qml_module_dir)/qmldir in the install)"
    [ -x "${PALAVER_QMLTESTRUNNER:-}" ] || skip "qmltestrunner not found"
    export QT_QPA_PLATFORM=offscreen
    # Only our prefix is added; Qt's own modules (QtQuick, QtTest) come from Qt's QML dir.
    "$PALAVER_QMLTESTRUNNER" -import "$prefix/$PALAVER_QMLDIR" \
        -input "$PALAVER_SOURCE_DIR/tests/consumer/qml/tst_import.qml"
    ;;

deb)
    need dpkg-deb
    need dpkg-shlibdeps
    scratch
    cd "$tmp"
    "$CPACK_COMMAND" -G DEB --config "$PALAVER_BUILD_DIR/CPackConfig.cmake" -B "$tmp/out"
    ls -l "$tmp"/out/*.deb
    debof() { ls "$tmp"/out/"$1"_*.deb 2>/dev/null | head -n1 || true; }
    field() { dpkg-deb --field "$1" "$2"; }
    ver=$(sed -n 's/^Version: //p' "$PALAVER_BUILD_DIR/packaging/palaver.pc")

    runtime=$(debof libpalaversdk0)
    dev=$(debof libpalaversdk-dev)
    [ -n "$runtime" ] || fail "no libpalaversdk0 package"
    [ -n "$dev" ] || fail "no libpalaversdk-dev package"

    for deb in "$tmp"/out/*.deb; do
        name=$(field "$deb" Package)
        echo "== $name: Depends: $(field "$deb" Depends)"
        dpkg-deb --info "$deb" >/dev/null
        [ -n "$(field "$deb" Maintainer)" ] && [ -n "$(field "$deb" Section)" ] &&
            [ -n "$(field "$deb" Description)" ] || fail "$name: Maintainer/Section/Description missing"
        [ "$(field "$deb" Version)" = "$ver" ] || fail "$name: Version $(field "$deb" Version) != $ver"
        # Not `| head -n1`: with pipefail, dpkg-deb dying of SIGPIPE after head has exited would
        # end the script silently (it did, now and then, in CI).
        description=$(field "$deb" Description)
        synopsis=${description%%$'\n'*}
        [ ${#synopsis} -le 80 ] || fail "$name: synopsis longer than 80 characters: $synopsis"
        grep -qxF "$synopsis" "$tmp/synopses" 2>/dev/null && fail "$name: synopsis shared with another package"
        echo "$synopsis" >>"$tmp/synopses"
        dpkg-deb --contents "$deb" | grep -E '(_p\.h|PalaverProtocol|PalaverLogging|\.a)$' &&
            fail "$name ships a private header or an internal library"
        mkdir -p "$tmp/x/$name"
        dpkg-deb -x "$deb" "$tmp/x/$name"
        check_tree "$tmp/x/$name"
    done

    # Binaries ship stripped; debug info, when the build has any, goes into -dbgsym .ddeb
    # packages that depend on their package at the exact version.
    if command -v file >/dev/null 2>&1; then
        unstripped=$(find "$tmp/x" -type f -exec file {} + | grep 'ELF' | grep 'not stripped' || true)
        [ -z "$unstripped" ] || fail "unstripped binaries in packages: $unstripped"
    fi
    for ddeb in "$tmp"/out/*.ddeb; do
        [ -e "$ddeb" ] || continue
        name=$(field "$ddeb" Package)
        echo "== $name: Depends: $(field "$ddeb" Depends)"
        [ "$(field "$ddeb" Depends)" = "${name%-dbgsym} (= $ver)" ] || fail "$name: wrong Depends"
    done

    # libpalaversdk0: the library and its SONAME link, no namelink, a shlibs file, Qt deps found
    # by dpkg-shlibdeps (WebSockets proves the private dependencies are accounted for).
    c=$(dpkg-deb --contents "$runtime")
    grep -qE '/libPalaverSdk\.so\.0\.[0-9.]+$' <<<"$c" || fail "libpalaversdk0 lacks the library"
    grep -qE '/libPalaverSdk\.so\.0 -> ' <<<"$c" || fail "libpalaversdk0 lacks the SONAME link"
    grep -qE '/libPalaverSdk\.so -> ' <<<"$c" && fail "libpalaversdk0 ships the dev namelink"
    grep -qE '/include/' <<<"$c" && fail "libpalaversdk0 ships headers"
    d=$(field "$runtime" Depends)
    for dep in libqt6core6 libqt6network6 libqt6websockets6 libqt6sql6 libqt6sql6-sqlite libc6; do
        grep -qE "(^|, )$dep( |,|$)" <<<"$d" || fail "libpalaversdk0 does not depend on $dep: $d"
    done
    [ "$(field "$runtime" Section)" = libs ] || fail "libpalaversdk0 Section should be libs"
    grep -q "^libPalaverSdk 0 libpalaversdk0" <<<"$(dpkg-deb --info "$runtime" shlibs)" ||
        fail "libpalaversdk0 has no shlibs entry for libPalaverSdk 0"

    # libpalaversdk-dev: headers, namelink, CMake package, pc; exact runtime version; Qt dev.
    c=$(dpkg-deb --contents "$dev")
    for f in '/include/Palaver/message\.h$' '/include/Palaver/palaversdk_export\.h$' \
        '/libPalaverSdk\.so -> libPalaverSdk\.so\.0$' '/cmake/Palaver/PalaverConfig\.cmake$' \
        '/cmake/Palaver/PalaverConfigVersion\.cmake$' '/cmake/Palaver/PalaverSdkTargets\.cmake$' \
        '/pkgconfig/palaver\.pc$'; do
        grep -qE "$f" <<<"$c" || fail "libpalaversdk-dev lacks $f"
    done
    d=$(field "$dev" Depends)
    grep -qF "libpalaversdk0 (= $ver)" <<<"$d" || fail "libpalaversdk-dev must depend on libpalaversdk0 (= $ver): $d"
    grep -qF "qt6-base-dev" <<<"$d" || fail "libpalaversdk-dev must depend on qt6-base-dev: $d"
    [ "$(field "$dev" Section)" = libdevel ] || fail "libpalaversdk-dev Section should be libdevel"

    # Packages of programs that exist in this build.
    if tools=$(debof palaver-tools) && [ -n "$tools" ]; then
        c=$(dpkg-deb --contents "$tools")
        d=$(field "$tools" Depends)
        if grep -q '/usr/bin/palaver-bot$' <<<"$c"; then
            grep -qF "libpalaversdk0 (= $ver)" <<<"$d" || fail "palaver-tools (bot) must depend on libpalaversdk0: $d"
        fi
        grep -qE '/usr/bin/palaver-(stub|bot)$' <<<"$c" || fail "palaver-tools has no program"
        grep -q 'libqt6core6' <<<"$d" || fail "palaver-tools: shlibdeps found no Qt dependency: $d"
    fi
    if chat=$(debof palaver-chat) && [ -n "$chat" ]; then
        c=$(dpkg-deb --contents "$chat")
        for f in '/usr/bin/palaver-chat$' "/usr/share/applications/$PALAVER_APP_ID\\.desktop\$" \
            "/usr/share/icons/hicolor/scalable/apps/$PALAVER_APP_ID\\.svg\$" \
            "/usr/share/metainfo/$PALAVER_APP_ID\\.metainfo\\.xml\$"; do
            grep -qE "$f" <<<"$c" || fail "palaver-chat lacks $f"
        done
        grep -qF "libpalaversdk0 (= $ver)" <<<"$(field "$chat" Depends)" ||
            fail "palaver-chat must depend on libpalaversdk0 (= $ver)"
    fi
    if qml=$(debof qml6-module-palaver) && [ -n "$qml" ]; then
        grep -qE '/qml/Palaver/qmldir$' <<<"$(dpkg-deb --contents "$qml")" || fail "qml6-module-palaver lacks qmldir"
    fi

    # The TGZ holds everything a plain install holds.
    "$CPACK_COMMAND" -G TGZ --config "$PALAVER_BUILD_DIR/CPackConfig.cmake" -B "$tmp/tgz"
    t=$(tar -tzf "$tmp"/tgz/*.tar.gz)
    grep -qE '/include/Palaver/message\.h$' <<<"$t" || fail "TGZ lacks the headers"
    grep -qE '/libPalaverSdk\.so\.0$' <<<"$t" || fail "TGZ lacks the library"
    grep -qE '(_p\.h|PalaverProtocol[^/]*)$' <<<"$t" && fail "TGZ ships private files"
    # The real thing, where we may change the machine (CI runs as root on a throwaway machine):
    # apt installs the runtime and tools packages with their Debian dependencies, the installed
    # palaver-stub runs, and everything is removed again.
    if [ "${PALAVER_TEST_APT_INSTALL:-0}" = 1 ] && [ "$(id -u)" -eq 0 ] && [ -n "${tools:-}" ]; then
        if dpkg-query -W libpalaversdk0 >/dev/null 2>&1; then
            fail "libpalaversdk0 is already installed on this machine; not touching it"
        fi
        cleanup_apt() { DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq palaver-tools libpalaversdk0 >/dev/null 2>&1 || true; }
        trap 'rc=$?; cleanup_apt; if [ $rc -eq 0 ]; then rm -rf "$tmp"; else echo "kept $tmp" >&2; fi' EXIT
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$runtime" "$tools" >/dev/null ||
            fail "apt-get install of $runtime $tools failed"
        v=$(/usr/bin/palaver-stub --version) || fail "the installed palaver-stub --version failed"
        grep -qF "$ver" <<<"$v" || fail "palaver-stub --version printed '$v', not $ver"
        echo "installed with apt-get: $v"
    fi
    echo "packages OK"
    ;;

metadata)
    need xmllint
    b=$PALAVER_BUILD_DIR/packaging
    xmllint --noout "$b/$PALAVER_APP_ID.metainfo.xml"
    xmllint --noout "$PALAVER_SOURCE_DIR/packaging/desktop/palaver-chat.svg"
    if command -v appstreamcli >/dev/null 2>&1; then
        appstreamcli validate --no-net --explain "$b/$PALAVER_APP_ID.metainfo.xml"
    fi
    if command -v desktop-file-validate >/dev/null 2>&1; then
        desktop-file-validate "$b/$PALAVER_APP_ID.desktop"
    else
        d="$b/$PALAVER_APP_ID.desktop"
        head -n1 "$d" | grep -qx '\[Desktop Entry\]' || fail "$d: no [Desktop Entry] group"
        for k in Type=Application Name= Exec=palaver-chat "Icon=$PALAVER_APP_ID" Categories=; do
            grep -q "^$k" "$d" || fail "$d: no $k"
        done
    fi
    grep -q "<launchable type=\"desktop-id\">$PALAVER_APP_ID.desktop</launchable>" \
        "$b/$PALAVER_APP_ID.metainfo.xml" || fail "metainfo does not launch the .desktop file"
    ;;

docs)
    "$CMAKE_COMMAND" --build "$PALAVER_BUILD_DIR" --target docs
    [ -f "$PALAVER_BUILD_DIR/packaging/docs/html/index.html" ] || fail "no docs/html/index.html"
    ;;

*)
    fail "unknown step $step"
    ;;
esac
