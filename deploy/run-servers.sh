#!/usr/bin/env bash
# Start N app processes on consecutive ports for deploy/nginx-koper-map.conf (default: 2 from 8501).
# Usage: deploy/run-servers.sh [N] [FIRST_PORT]   (stop them with: kill $(cat run/*.pid))
# Every process reads the same data folder (KOPER_MAP_DATA_DIR, may be mounted read-only) and shares one
# cookie secret (KOPER_MAP_COOKIE_SECRET), so a visitor moved to another process (one stopped) keeps a
# valid XSRF cookie and staff sign-in. The staff page writes only where KOPER_MAP_UPKEEP allows it,
# through the same atomic save (temporary file + rename, change log, stamp check): the other processes
# see the new file's stamp on their next run, and a save based on an older stamp is refused.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-2}"
FIRST="${2:-8501}"
: "${KOPER_MAP_COOKIE_SECRET:?set KOPER_MAP_COOKIE_SECRET to one long random string for all processes}"
mkdir -p run
for i in $(seq 0 $((N - 1))); do
    port=$((FIRST + i))
    STREAMLIT_SERVER_COOKIE_SECRET="$KOPER_MAP_COOKIE_SECRET" \
        nohup .venv/bin/python -m streamlit run app.py --server.port "$port" --server.address 127.0.0.1 \
        --server.headless true --server.fileWatcherType none > "run/streamlit-$port.log" 2>&1 &
    echo $! > "run/streamlit-$port.pid"
    echo "app process on 127.0.0.1:$port (pid $!)"
done
