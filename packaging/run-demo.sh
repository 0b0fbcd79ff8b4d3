#!/usr/bin/env bash
# Command 1 of the README: installs what is missing, builds, and runs the main job: palaver-stub
# with demo rooms and users, a demo bot, and palaver-chat signed in as a demo user. Closing the
# app stops the rest (see app/desktop/run-demo.sh).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

"$top/packaging/install-deps.sh"

cmake --preset default >/dev/null
cmake --build --preset default --target palaver-stub palaver-bot palaver-chat PalaverQmlplugin

exec "$top/app/desktop/run-demo.sh" "$top/build" "$@"
