#!/usr/bin/env bash
# Command 2 of the README: installs what is missing, builds with warnings as errors, and runs the
# whole test suite through ctest, then the unit and integration suites again under
# AddressSanitizer + UBSan. CI (.ci/run) runs exactly this.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

"$top/packaging/install-deps.sh"

cmake --preset ci >/dev/null
cmake --build --preset ci
# The unit and integration suites run a second time under AddressSanitizer and UBSan.
cmake --preset asan >/dev/null
cmake --build --preset asan

# Tests that need a desktop session get one here: a virtual X display (gui tests) and a private
# D-Bus session with an unlocked gnome-keyring, a real Secret Service for the keychain tests.
# Nothing of the user's own session is touched: the keyring lives in a throwaway data folder.
# In CI (a throwaway machine, as root) the packaging test also installs the .deb files for real.
[ "${CI:-}" = true ] && export PALAVER_TEST_APT_INSTALL=1
export PALAVER_KEYRING_PASSWORD=palaver-test
scratch=$(mktemp -d "${TMPDIR:-/tmp}/palaver-tests.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data"
mkdir -p "$XDG_DATA_HOME"
xvfb-run -a -s "-screen 0 1280x800x24" \
    dbus-run-session -- bash -c '
        printf %s "$PALAVER_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || true
        # The daemon claims its bus name a moment after --unlock returns. A test that asks for the
        # Secret Service before that makes D-Bus start a second daemon, whose keyring is locked
        # and waits for a password prompt. So wait for the name first.
        gdbus wait --session --timeout 30 org.freedesktop.secrets
        ctest --preset ci "$@" && exec ctest --preset asan "$@"' ctest "$@"
