#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Command 1: a whole Palaver demo on this machine. Starts palaver-stub --demo on a free local port
# (its rooms seeded with two days of conversation), a demo bot in #general and #random (when
# palaver-bot was built; it reacts to messages that mention @bot), and palaver-chat signed in as a
# demo user. Closing the app stops the rest.
#
#   app/desktop/run-demo.sh [BUILD_DIR] [-- extra palaver-chat arguments]
#
# BUILD_DIR defaults to $PALAVER_BUILD_DIR, else <repo>/build; binaries not found there are taken
# from PATH (an installed Palaver). PALAVER_DEMO_USER picks the user (alice, bob, carol, dave;
# default alice). The demo tokens reach the app through the environment only, never a file.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
build=${PALAVER_BUILD_DIR:-$repo/build}
if [[ $# -gt 0 && $1 != -- ]]; then
    build=$1
    shift
fi
[[ ${1:-} == -- ]] && shift

find_binary() { # name, path inside the build folder
    if [[ -x $build/$2 ]]; then
        printf '%s\n' "$build/$2"
    elif command -v "$1" >/dev/null 2>&1; then
        command -v "$1"
    fi
}
stub=$(find_binary palaver-stub server-stub/palaver-stub)
chat=$(find_binary palaver-chat app/desktop/palaver-chat)
bot=$(find_binary palaver-bot app/bot/palaver-bot)

if [[ -z $stub || -z $chat ]]; then
    echo "run-demo: palaver-stub and palaver-chat are needed; build them first:" >&2
    echo "  cmake -S $repo -B $build -G Ninja && cmake --build $build --target palaver-stub palaver-chat palaver-bot" >&2
    echo "  (or pass the build folder: $0 /path/to/build)" >&2
    exit 2
fi
if [[ -z ${DISPLAY:-} && -z ${WAYLAND_DISPLAY:-} && -z ${QT_QPA_PLATFORM:-} ]]; then
    echo "run-demo: no display (neither DISPLAY nor WAYLAND_DISPLAY is set)." >&2
    echo "  Run it from a desktop session, or under a virtual X server:" >&2
    echo "    xvfb-run -a $0 $build" >&2
    exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/palaver-demo.XXXXXX")
stub_pid=
bot_pid=
cleanup() {
    [[ -n $bot_pid ]] && kill "$bot_pid" 2>/dev/null || true
    [[ -n $stub_pid ]] && kill "$stub_pid" 2>/dev/null || true
    [[ -n $bot_pid ]] && wait "$bot_pid" 2>/dev/null || true
    [[ -n $stub_pid ]] && wait "$stub_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The secret stays in this script's environment (not on a command line that ps shows).
PALAVER_SECRET=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
export PALAVER_SECRET

"$stub" --demo --port 0 --db "$work/demo.sqlite" >"$work/stub.out" 2>"$work/stub.log" &
stub_pid=$!

port=
for _ in $(seq 1 100); do
    if ! kill -0 "$stub_pid" 2>/dev/null; then
        echo "run-demo: palaver-stub exited:" >&2
        cat "$work/stub.log" >&2
        exit 1
    fi
    port=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\).*/\1/p' "$work/stub.out")
    [[ -n $port ]] && break
    sleep 0.1
done
if [[ -z $port ]]; then
    echo "run-demo: palaver-stub did not start listening within 10 s" >&2
    exit 1
fi
url="ws://127.0.0.1:$port"

# "demo token alice: eyJ..." -> [{"id":"alice","name":"Alice","token":"eyJ..."}, ...]
demo_json=
while read -r _ _ id token; do
    id=${id%:}
    name="$(printf '%s' "${id:0:1}" | tr '[:lower:]' '[:upper:]')${id:1}"
    demo_json+="${demo_json:+,}{\"id\":\"$id\",\"name\":\"$name\",\"token\":\"$token\"}"
done < <(grep '^demo token ' "$work/stub.out")
export PALAVER_DEMO_TOKENS="[$demo_json]"

echo "run-demo: palaver-stub listening on $url (log: $work/stub.log)"
bot_token=
[[ -n $bot ]] && bot_token=$("$stub" token --user bot --name "Palaver Bot")
unset PALAVER_SECRET
if [[ -n $bot ]]; then
    # It waves at every message that mentions @bot (contract v1.1 reactions).
    PALAVER_TOKEN=$bot_token "$bot" --url "$url" --join general --join random --name Bot \
        --react-to-mentions "👋" >"$work/bot.log" 2>&1 &
    bot_pid=$!
    echo "run-demo: palaver-bot in #general and #random (try /help, or mention @bot)"
else
    echo "run-demo: palaver-bot not built; no demo bot"
fi

user=${PALAVER_DEMO_USER:-alice}
echo "run-demo: palaver-chat signed in as $user; close the window to stop the demo"
status=0
"$chat" --url "$url" --demo --demo-user "$user" "$@" || status=$?
exit "$status"
