#!/usr/bin/env bash
# Times `passerelle lookup` (Rust) against a shapely 2 STRtree (Python) on the
# same 1,000,000 random points in Paris's bounding box, checks that both give
# the same UAIs wherever shapely finds the point inside a sector, and prints
# both whole-process times and their ratio (target: Rust >= 3x faster).
#
# Usage: benches/lookup_vs_shapely.sh [--python-only]
#   --python-only   skip the Rust CLI (points + shapely only)
# Env: N_POINTS (default 1000000), SEED (default 20240901).
# Scratch files go to benches/out/ (git-ignored); the virtualenv to benches/.venv.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DATA="$(cd "$(dirname "$0")/../../shared/data" && pwd)"
MAP="$DATA/paris/secteurs-colleges-2024-2025.geojson"
OUT="$HERE/out"
N_POINTS="${N_POINTS:-1000000}"
SEED="${SEED:-20240901}"
PYTHON_ONLY=0
[[ "${1:-}" == "--python-only" ]] && PYTHON_ONLY=1

[[ -f "$MAP" ]] || { echo "missing sector map: $MAP" >&2; exit 1; }
mkdir -p "$OUT"

VENV="$HERE/.venv"
if [[ ! -x "$VENV/bin/python" ]]; then
    python3 -m venv "$VENV"
fi
PY="$VENV/bin/python"
if ! "$PY" -c 'import numpy, shapely; assert shapely.__version__ >= "2"' 2>/dev/null; then
    "$VENV/bin/pip" install --quiet "shapely>=2,<3" numpy
fi

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo "== 1. $N_POINTS random points (seed $SEED) in Paris's bounding box"
POINTS="$OUT/points.csv"
"$PY" "$HERE/lookup_vs_shapely.py" points --map "$MAP" --n "$N_POINTS" --seed "$SEED" --out "$POINTS"

if [[ "$PYTHON_ONLY" == 0 ]]; then
    echo "== 2a. Rust: passerelle lookup"
    (cd "$ROOT" && cargo build --release -p passerelle)
    BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/passerelle"
    DB="$OUT/lookup-bench.db"
    rm -f "$DB" "$DB-shm" "$DB-wal"
    export PASSERELLE_DATABASE_URL="sqlite://$DB?mode=rwc"
    "$BIN" import sectors "$MAP" --territory paris --year 2024-2025
    RUST_OUT="$OUT/rust-lookup.csv"
    t0=$(now)
    "$BIN" lookup --csv "$POINTS" --out "$RUST_OUT" --year 2024-2025
    t1=$(now)
    RUST_S=$(elapsed "$t0" "$t1")
    echo "rust: ${RUST_S} s (whole process)"
fi

echo "== 2b. Python: shapely STRtree, predicate=\"within\""
PY_OUT="$OUT/shapely-lookup.csv"
t0=$(now)
"$PY" "$HERE/lookup_vs_shapely.py" shapely --map "$MAP" --csv "$POINTS" --out "$PY_OUT"
t1=$(now)
PY_S=$(elapsed "$t0" "$t1")
echo "python: ${PY_S} s (whole process)"

if [[ "$PYTHON_ONLY" == 1 ]]; then
    exit 0
fi

echo "== 3. same UAIs wherever shapely finds the point inside"
"$PY" "$HERE/lookup_vs_shapely.py" compare --rust "$RUST_OUT" --python "$PY_OUT"

echo "== 4. result"
awk -v r="$RUST_S" -v p="$PY_S" 'BEGIN {
    ratio = p / r
    printf "rust %.2f s, python %.2f s: rust is %.1fx faster (target >= 3x: %s)\n",
        r, p, ratio, ratio >= 3 ? "met" : "MISSED"
}'
