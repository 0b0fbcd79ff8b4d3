#!/usr/bin/env bash
# Command 1 of the README: installs what is missing, builds, and runs the main job.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"

"$top/packaging/install-deps.sh"

cmake --preset default >/dev/null
cmake --build --preset default

stub="$top/build/server-stub/palaver-stub"
if [ -x "$stub" ]; then
    echo "Starting palaver-stub --demo (Ctrl+C stops it)"
    exec "$stub" --demo --port "${PALAVER_PORT:-3001}"
fi
echo "Built:"
find "$top/build" -maxdepth 3 -type f -executable -name 'palaver-*' -o -maxdepth 3 -name '*.a' -type f
