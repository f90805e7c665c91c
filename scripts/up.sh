#!/usr/bin/env bash
# Starts a single-node k8ts cluster in the foreground (embedded SQLite store).
# Ctrl-C stops everything it started. Extra flags go to `k8ts up`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bash "$root/scripts/setup.sh"
exec "$root/bin/k8ts" up --data-dir /var/lib/k8ts --secure-port 6443 "$@"
