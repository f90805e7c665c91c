#!/usr/bin/env bash
# Runs the whole test suite: type check, lint, unit tests, end-to-end tests with real
# processes and real clients. Installs what it needs first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
export PATH="$root/node_modules/node/bin:$root/node_modules/.bin:$PATH"
exec npm test
