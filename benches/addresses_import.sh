#!/usr/bin/env bash
# Whole-command figures of the address base: `passerelle import addresses`
# of the Paris BAN (158,048 addresses) on SQLite and PostgreSQL, and the
# resident memory of a `passerelle serve` that holds them in memory.
#
#   benches/addresses_import.sh        (needs PostgreSQL on 127.0.0.1:5432 for the second half)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
DATA=$ROOT/../shared/data
OUT=$ROOT/benches/out/addresses
BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/passerelle
mkdir -p "$OUT"
(cd "$ROOT" && cargo build --quiet --release -p passerelle --bin passerelle)

now() { date +%s.%N; }
run_import() { # label url
    local start end
    start=$(now)
    PASSERELLE_DATABASE_URL=$2 "$BIN" import addresses "$DATA/ban/adresses-75.csv.gz" 2>&1 | tail -n1
    end=$(now)
    printf '%s: import addresses (Paris) %.2f s\n' "$1" "$(echo "$end - $start" | bc)"
}

rm -f "$OUT/bench.db"*
SQLITE="sqlite://$OUT/bench.db"
PASSERELLE_DATABASE_URL=$SQLITE "$BIN" migrate 2>/dev/null
run_import sqlite "$SQLITE"
run_import "sqlite (replace)" "$SQLITE"

if pg_isready -h 127.0.0.1 -p 5432 -q; then
    psql -q -h 127.0.0.1 -U postgres -d test -c "DROP DATABASE IF EXISTS passerelle_bench" -c "CREATE DATABASE passerelle_bench"
    PG=postgres://postgres@127.0.0.1:5432/passerelle_bench
    PASSERELLE_DATABASE_URL=$PG "$BIN" migrate 2>/dev/null
    run_import postgres "$PG"
    run_import "postgres (replace)" "$PG"
fi

# Memory of a server holding the Paris map, collèges and addresses.
PASSERELLE_DATABASE_URL=$SQLITE "$BIN" import sectors "$DATA/paris/secteurs-colleges-2024-2025.geojson" --territory paris --year 2024-2025 2>/dev/null
PASSERELLE_DATABASE_URL=$SQLITE "$BIN" import schools "$DATA/national/colleges-geolocalisation.csv" 2>/dev/null
PORT=18087
PASSERELLE_DATABASE_URL=$SQLITE PASSERELLE_BIND=127.0.0.1:$PORT PASSERELLE_LOG=warn "$BIN" serve &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$PORT/api/v1/geocode?q=12%20rue%20de%20la%20roquette" >/dev/null
grep -E 'VmRSS|VmHWM' /proc/$PID/status | sed 's/^/serve with Paris map, collèges and addresses: /'
