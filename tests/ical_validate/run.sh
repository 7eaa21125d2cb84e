#!/usr/bin/env bash
# Writes sample calendars with passerelle-calendar and has three Python
# parsers (ical, vobject, icalendar) read them back. Exits non-zero on any
# mismatch or warning.
#
# Env: ICAL_VENV  venv to create/reuse (default: <repo>/target/ical-venv)
#      OUT_DIR    where samples go (default: <repo>/target/ical-samples)
#      CARGO_TARGET_DIR, CARGO_BUILD_JOBS are passed to cargo as usual.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${ICAL_VENV:-$repo/target/ical-venv}"
out="${OUT_DIR:-$repo/target/ical-samples}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# Versions pinned below what was validated; pip only downloads when missing.
"$venv/bin/pip" install --quiet --disable-pip-version-check \
    "ical>=14,<15" "icalendar>=7,<8" "vobject>=0.9.9,<0.10"

rm -rf "$out"
mkdir -p "$out"
(cd "$repo" && cargo run --quiet -p passerelle-calendar --example write_samples -- "$out")

"$venv/bin/python" "$here/validate.py" "$out"/*.ics

# Negative controls: the validator must reject broken files, or its
# passing means nothing. Each: name, source sample, sed script.
bad="$out/broken"
mkdir -p "$bad"
controls=(
    "summary invite s/accueil\\\\, 6e/accueil; 6e/"
    "cn invite s/Mimi^' Marie/Mimi^' Mario/"
    "zone feed 0,/TZOFFSETTO:+0200/s//TZOFFSETTO:+0300/"
    "long-line feed s/^X-PUBLISHED-TTL:PT6H/X-PUBLISHED-TTL:PT6H\\r\\nX-LONG:$(printf 'x%.0s' {1..80})/"
)
for control in "${controls[@]}"; do
    read -r name source script <<<"$control"
    sed "$script" "$out/$source.ics" >"$bad/$name.ics"
    cp "$out/$source.expected.json" "$bad/$name.expected.json"
    if cmp -s "$bad/$name.ics" "$out/$source.ics"; then
        echo "negative control $name: sed changed nothing" >&2
        exit 1
    fi
    if "$venv/bin/python" "$here/validate.py" "$bad/$name.ics" >/dev/null 2>&1; then
        echo "negative control $name: validator accepted a broken file" >&2
        exit 1
    fi
done
echo "negative controls: ${#controls[@]} broken files rejected"
