#!/usr/bin/env bash
# Optimality and speed of the matching solver against OR-tools, on the same
# files in the same run: Paris scale (100 sectors x 200 requests x 20
# referents), small random and edge-case instances, and national scale
# (4,000 x 200 x 20: 800k requests, 80k referents, 16M arcs).
#
#   benches/matching_vs_ortools.sh [--quick]    # --quick: no national scale
#
# Our side is `passerelle matching solve FILE`; SOLVER overrides the command
# (it gets the file as last argument and must print {"matched", "cost",
# "assignments"} on stdout, and may print a JSON line of timings on stderr).
# Needs python3 with venv, and PyPI for the first run (benches/.venv).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/benches/out/matching
VENV=$ROOT/benches/.venv
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
QUICK=${1:-}

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -c "import ortools, numpy" 2>/dev/null ||
    "$VENV/bin/pip" install --quiet "ortools==9.15.6755" "numpy>=2,<3"

(cd "$ROOT" && cargo build --quiet --release -p passerelle-matching-instances --example generate && cargo build --quiet --release -p passerelle --bin passerelle)
GEN=$TARGET/release/examples/generate
SOLVER=${SOLVER:-"$TARGET/release/passerelle matching solve"}
PY="$VENV/bin/python $ROOT/benches/matching_vs_ortools.py"

mkdir -p "$OUT"
files=()
gen() { # name S R K SEED
    local f=$OUT/$1.txt
    [ -s "$f" ] || "$GEN" "$2" "$3" "$4" "$5" > "$f"
    files+=("$f")
}
gen paris_100x200x20 100 200 20 1
gen small_3x7x3 3 7 3 2
gen small_10x30x6 10 30 6 3
gen surplus_20x10x8 20 10 8 4        # far more capacity than requests
gen scarce_5x50x2 5 50 2 5           # far fewer
for seed in 1 2 3 4; do                # sparse, unsorted, duplicate arcs, zero capacities
    f=$OUT/random_$seed.txt
    [ -s "$f" ] || $PY --random "$seed" > "$f"
    files+=("$f")
done
f=$OUT/random_one_component.txt     # 3,000 referents: above the dense limit
[ -s "$f" ] || $PY --random 5 20000 3000 60000 > "$f"
files+=("$f")
printf '3 2\n1 1\n0\n' > "$OUT/edge_no_arcs.txt"
printf '2 2\n0 0\n3\n0 0 1\n1 1 1\n0 1 1\n' > "$OUT/edge_zero_capacity.txt"
printf '2 2\n9 9\n4\n0 0 1\n0 1 2\n1 0 3\n1 1 1\n' > "$OUT/edge_more_capacity.txt"
printf '0 0\n\n0\n' > "$OUT/edge_empty.txt"
files+=("$OUT"/edge_*.txt)
if [ "$QUICK" != "--quick" ]; then
    gen national_4000x200x20 4000 200 20 1
fi

echo "solver: $SOLVER; $(nproc) cores; $(date -u +%Y-%m-%dT%H:%MZ); load average $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
$PY "$SOLVER" "${files[@]}"
