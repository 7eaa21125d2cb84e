#!/usr/bin/env bash
# Address search on the real Paris BAN (158,048 addresses): accuracy on
# noisy spellings (first result within 30 m of the true address, target
# >= 98%), import time, query latency, memory; then whole-France capacity
# on a synthetic base of 5 million addresses made from Paris.
#
#   benches/geocode_accuracy.sh [--quick]       # --quick: Paris only
#
# Extra arguments go to the example (--samples N, --seed S, --ban PATH).
# Prints figures only, never an address. Criterion latencies:
#   cargo bench -p passerelle-geocode --bench search
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SYNTHETIC=(--synthetic 5000000)
if [ "${1:-}" = "--quick" ]; then
    SYNTHETIC=()
    shift
fi

cd "$ROOT"
echo "$(date -u +%Y-%m-%dT%H:%MZ); $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg)"
cargo run --quiet --release -p passerelle-geocode --example accuracy -- "${SYNTHETIC[@]}" "$@"
