#!/usr/bin/env bash
# Installs what Palaver needs to build, run and test on Debian 12, and nothing that is already there.
# This is the only place the dependency list lives. Idempotent: a second run installs nothing and
# does not touch the network unless a package is missing or the Node lock file changed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/.." && pwd)

debs=(
    # toolchain
    build-essential cmake ninja-build pkg-config git clang libclang-rt-14-dev clang-format
    # Qt 6.4 (Core, Network, WebSockets, Sql + SQLite driver, Qml, Quick, Controls, Test)
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev qt6-declarative-dev qt6-declarative-dev-tools
    libqt6sql6-sqlite qt6-qpa-plugins libgl1-mesa-dri
    qml6-module-qtqml qml6-module-qtqml-models qml6-module-qtqml-workerscript qml6-module-qtquick
    qml6-module-qtquick-controls qml6-module-qtquick-templates qml6-module-qtquick-layouts
    qml6-module-qtquick-window qml6-module-qt-labs-settings qml6-module-qttest
    # emoji in reactions and messages (without it they render as empty boxes)
    fonts-noto-color-emoji
    # libraries
    qtkeychain-qt6-dev nlohmann-json3-dev libsimdjson-dev libjwt-dev
    # test peers and tools
    nodejs npm openssl redis-server gnome-keyring libglib2.0-bin dbus dbus-x11 xvfb xauth doxygen
    # packaging checks
    dpkg-dev file
)

missing=()
for p in "${debs[@]}"; do
    # Node may come from elsewhere than Debian (a newer nodejs); accept any working node/npm.
    case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
    esac
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if ((${#missing[@]})); then
    echo "install-deps: installing ${missing[*]}"
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
else
    echo "install-deps: all Debian packages present"
fi

# Node test peers (socket.io server and client for interop, conformance and benchmarks), pinned by
# the committed lock file. Re-run npm ci only when the lock file changed since the last install.
node_dir="$top/tests/node"
if [ -f "$node_dir/package-lock.json" ]; then
    stamp="$node_dir/node_modules/.palaver-lock.sha256"
    want=$(sha256sum "$node_dir/package-lock.json" | cut -d' ' -f1)
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
        echo "install-deps: npm ci in tests/node"
        (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error)
        echo "$want" >"$stamp"
    else
        echo "install-deps: Node test peers present"
    fi
fi
