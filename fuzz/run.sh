#!/usr/bin/env bash
# Fuzzes the readers of hostile input: seeds each corpus with small pieces
# of the real files in ../shared/data, then runs each target for SECONDS
# (default 60). Crashes land in fuzz/artifacts/<target>/.
#
#   fuzz/run.sh [SECONDS]
#   FUZZ_TARGETS="geojson ban_csv" FUZZ_SANITIZER=none fuzz/run.sh 300
#
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP=1 lets the stable
# toolchain take them. FUZZ_SANITIZER=none skips AddressSanitizer (the
# project's crates forbid unsafe code; ASan checks their dependencies).
set -euo pipefail

seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
data=${PASSERELLE_DATA:-$here/../../shared/data}
targets=${FUZZ_TARGETS:-geojson ban_csv address_query carte_csv ics_roundtrip}
sanitizer=${FUZZ_SANITIZER:-address}
target_dir=${CARGO_TARGET_DIR:-$here/target}
export RUSTC_BOOTSTRAP=1
export PASSERELLE_FUZZ_BAN=$data/ban/adresses-75.csv.gz

[ -d "$data" ] || { echo "no real data at $data (set PASSERELLE_DATA)" >&2; exit 1; }

python3 - "$data" "$here/corpus" <<'PY'
"""Small seeds cut from the real files: a corpus of whole files would be
too big for the fuzzer to mutate usefully."""
import csv, gzip, io, json, os, sys

data, out = sys.argv[1], sys.argv[2]

def write(target, name, content):
    os.makedirs(os.path.join(out, target), exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    with open(os.path.join(out, target, "seed-" + name), "wb") as f:
        f.write(content)

# GeoJSON: one to three features of each real map, as FeatureCollections.
for path, tag in [("paris/secteurs-colleges-2024-2025.geojson", "paris"),
                  ("lille/secteurs-colleges-mel-2022.geojson", "lille"),
                  ("fixtures/paris-75111-secteurs-subset.geojson", "subset")]:
    with open(os.path.join(data, path), encoding="utf-8") as f:
        fc = json.load(f)
    features = fc["features"]
    for i in range(0, min(len(features), 24), 3):
        piece = dict(fc, features=features[i:i + 1 + i % 3])
        write("geojson", f"{tag}-{i}.json", json.dumps(piece, ensure_ascii=False))

# BAN: the header and a few rows, from several places in the file.
with gzip.open(os.path.join(data, "ban/adresses-75.csv.gz"), "rt", encoding="utf-8") as f:
    header = f.readline()
    rows = [line for _, line in zip(range(40000), f)]
for k, start in enumerate(range(0, len(rows), 4000)):
    write("ban_csv", f"{k}.csv", header + "".join(rows[start:start + 1 + k % 4]))

# Carte scolaire: the header and a few rows (CRLF, BOM as published).
with open(os.path.join(data, "ille-et-vilaine/fr-en-carte-scolaire-colleges-publics.csv"), "rb") as f:
    lines = f.read().split(b"\n")
header, rows = lines[0] + b"\n", [l + b"\n" for l in lines[1:] if l]
for k, start in enumerate(range(0, len(rows), 300)):
    write("carte_csv", f"{k}.csv", header + b"".join(rows[start:start + 1 + k % 5]))

# Addresses as people type them, from the Paris 11e sample.
with open(os.path.join(data, "fixtures/paris-75111-ban-sample-expected-sector.csv"), encoding="utf-8-sig") as f:
    sample = list(csv.DictReader(f, delimiter=";"))
for k, row in enumerate(sample[:60]):
    parts = [row["numero"], row["rep"], row["nom_voie"], row["code_postal"] if k % 2 else "", "Paris"]
    write("address_query", f"{k}.txt", " ".join(p for p in parts if p))
for k, text in enumerate(["12 rue de la roquette 75011 paris", "10 B, bd voltaire PARIS 11e",
                          "rue de charonne", "16 boulevard voltair 75012", "3 ter av parmentier",
                          "passage de la main d'or", "12, 75011", "de la"]):
    write("address_query", f"typed-{k}.txt", text)

# iCalendar: the text of real holiday events (SUMMARY, DESCRIPTION...).
with open(os.path.join(data, "calendrier-scolaire/Zone-A-B-C-Corse-2021.ics"), "rb") as f:
    events = f.read().split(b"BEGIN:VEVENT")
for k, event in enumerate(events[1:40]):
    write("ics_roundtrip", f"{k}.bin", event[:400])
PY

for target in $targets; do
    echo "== $target: $seconds s" >&2
    cargo fuzz run --target-dir "$target_dir" -s "$sanitizer" "$target" "$here/corpus/$target" -- \
        -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1
done
