#!/usr/bin/env bash
# Renders the same 10,000-meeting sector feed with passerelle-calendar
# (release build) and with Python `icalendar`, and prints the ratio.
#
# Env: ICAL_VENV  venv to create/reuse (default: <repo>/target/ical-venv)
#      EVENTS     number of meetings (default 10000)
#      TARGET_RATIO  exit non-zero below this ratio (default 50; 0 disables)
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${ICAL_VENV:-$repo/target/ical-venv}"
events="${EVENTS:-10000}"
target="${TARGET_RATIO:-50}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check "icalendar>=7,<8"

(cd "$repo" && cargo run --quiet --release -p passerelle-calendar --example render_feed -- \
    "$events" 50 "$work/events.json" "$work/feed.ics") | tee "$work/rust.txt"
rust_ms="$(sed -n 's/^rust_median_ms=//p' "$work/rust.txt")"

"$venv/bin/python" "$repo/benches/ical_vs_python.py" "$work/events.json" "$rust_ms" 3 | tee "$work/python.txt"
ratio="$(sed -n 's/^ratio_serialise_only=\([0-9]*\)x$/\1/p' "$work/python.txt")"
if [ "$target" != 0 ] && [ "$ratio" -lt "$target" ]; then
    echo "ratio ${ratio}x is below the ${target}x target" >&2
    exit 1
fi
