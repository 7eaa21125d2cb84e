#!/usr/bin/env bash
# Schemathesis against a real `passerelle serve`: every operation of
# /api/v1/openapi.json gets generated requests (valid and invalid), and each
# response must be no 5xx, have a documented status, content type, headers
# and body schema. Exits non-zero on any failure.
#
# The database is fresh and holds real rows first (demo town and Lille map,
# collèges, holidays, meetings, a referent, a contact request), so that
# lookups and ids in the document's examples hit something.
#
# Env: PASSERELLE_BIN           binary (default: $CARGO_TARGET_DIR or
#                               <repo>/target, then debug/passerelle)
#      SCHEMATHESIS_VENV        venv to create/reuse (<repo>/target/schemathesis-venv)
#      SCHEMATHESIS_BACKENDS    "sqlite", "postgres" or both (default both)
#      SCHEMATHESIS_POSTGRES    server for the PostgreSQL run
#                               (default postgres://postgres@127.0.0.1:5432)
#      SCHEMATHESIS_MAX_EXAMPLES  per operation and phase (default 30)
#      SCHEMATHESIS_SEED        fixes the generator's seed (default: random,
#                               printed by schemathesis so a failure replays)
#      PASSERELLE_DATA          real open data (default <repo>/../shared/data)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
bin="${PASSERELLE_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/passerelle}"
venv="${SCHEMATHESIS_VENV:-$repo/target/schemathesis-venv}"
backends="${SCHEMATHESIS_BACKENDS:-sqlite postgres}"
pg_server="${SCHEMATHESIS_POSTGRES:-postgres://postgres@127.0.0.1:5432}"
max_examples="${SCHEMATHESIS_MAX_EXAMPLES:-30}"
data="${PASSERELLE_DATA:-$repo/../shared/data}"

if [ ! -x "$bin" ]; then
    echo "no binary at $bin: build it first (cargo build -p passerelle)" >&2
    exit 1
fi
for f in lille/secteurs-colleges-mel-2022.geojson calendrier-scolaire/Zone-A-B-C-Corse-2021.ics; do
    if [ ! -f "$data/$f" ]; then
        echo "missing real data $data/$f (set PASSERELLE_DATA)" >&2
        exit 1
    fi
done

if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv"
fi
# Pinned: checks and generation change between releases.
"$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==4.32.5"

# The school year of today's date, as the server computes it (1 September).
school_year() {
    local y m
    y=$(date -u +%Y)
    m=$(date -u +%-m)
    if [ "$m" -ge 9 ]; then echo "$y-$((y + 1))"; else echo "$((y - 1))-$y"; fi
}

free_port() {
    "$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

server_pid=""
work=""
pg_db=""
cleanup() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
    fi
    if [ -n "$pg_db" ]; then
        dropdb --if-exists -d "$pg_server/postgres" "$pg_db" 2>/dev/null \
            || psql -q "$pg_server/postgres" -c "DROP DATABASE IF EXISTS $pg_db" >/dev/null || true
        pg_db=""
    fi
    if [ -n "$work" ]; then
        rm -rf "$work"
        work=""
    fi
}
trap cleanup EXIT

# The secret of the registration of $1, from the body of the confirmation
# mailed to it (the registration's answer holds no private link, and the
# database keeps only hashes of secrets).
registration_secret() {
    local sql="SELECT body FROM outbox WHERE kind = 'confirmation' AND recipient_email = '$1' ORDER BY id DESC LIMIT 1"
    case "$PASSERELLE_DATABASE_URL" in
        sqlite://*)
            "$venv/bin/python" -c 'import sqlite3, sys
row = sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()
print(row[0] if row else "")' "${PASSERELLE_DATABASE_URL#sqlite://}" "$sql"
            ;;
        *) psql -qAt "$PASSERELLE_DATABASE_URL" -c "$sql" ;;
    esac | grep -o -m 1 'ins_[0-9a-f]*' || true
}

# POSTs JSON with the organizer token; prints the response body.
post() {
    curl -sS --fail-with-body -X POST -H "Authorization: Bearer $token" \
        -H 'Content-Type: application/json' --data "$2" "$base$1"
}

run_backend() {
    local backend=$1
    work="$(mktemp -d)"
    case "$backend" in
        sqlite) export PASSERELLE_DATABASE_URL="sqlite://$work/passerelle.db" ;;
        postgres)
            pg_db="schemathesis_$$"
            psql -q "$pg_server/postgres" -c "CREATE DATABASE $pg_db" >/dev/null
            export PASSERELLE_DATABASE_URL="$pg_server/$pg_db"
            ;;
        *) echo "unknown backend $backend" >&2; return 1 ;;
    esac
    local port
    port=$(free_port)
    base="http://127.0.0.1:$port"
    export PASSERELLE_BIND="127.0.0.1:$port" PASSERELLE_PUBLIC_URL="$base"
    # Thousands of requests from one IP: the limits would answer 429 to most.
    export PASSERELLE_RATE_LIMIT=off PASSERELLE_DEMO=off PASSERELLE_LOG=warn

    echo "== $backend: importing real data"
    "$bin" import schools "$repo/data/demo/colleges.csv" >/dev/null
    "$bin" import ips "$repo/data/demo/ips.csv" >/dev/null
    "$bin" import sectors "$repo/data/demo/secteurs.geojson" \
        --territory demo --year "$(school_year)" >/dev/null
    # Lille without its collèges: sectors whose schools are unknown, so the
    # nullable fields of the document are exercised too.
    "$bin" import sectors "$data/lille/secteurs-colleges-mel-2022.geojson" \
        --territory lille --year 2022-2023 --uai-property codeuai >/dev/null
    "$bin" import holidays "$data/calendrier-scolaire/Zone-A-B-C-Corse-2021.ics" >/dev/null
    token=$("$bin" token create --role organizer --name st)

    "$bin" serve >"$work/server.log" 2>&1 &
    server_pid=$!
    for _ in $(seq 1 100); do
        curl -sf "$base/health" >/dev/null && break
        kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; return 1; }
        sleep 0.1
    done
    curl -sSf "$base/health" >/dev/null

    # Rows for the generated requests to find: sector 1 is the demo town's.
    local day
    day=$(date -u -d '+30 days' +%Y-%m-%d)
    post /api/v1/meetings "{\"title\":\"Réunion de quartier\",\"sector_ids\":[1,2],
        \"venue\":null,\"online_url\":\"https://visio.example.org/r\",
        \"starts_at\":\"${day}T18:30\",\"ends_at\":\"${day}T20:00\",\"capacity\":2}" >/dev/null
    post /api/v1/meetings "{\"title\":\"Café des parents\",\"sector_ids\":[3],
        \"online_url\":\"https://visio.example.org/c\",
        \"starts_at\":\"${day}T09:00\",\"ends_at\":\"${day}T10:30\",\"capacity\":10}" >/dev/null
    # Two of each private link: one for the operations that read or change,
    # one for the DELETE operations to erase.
    local who registration referent request kept="" erased=""
    for who in kept erased; do
        post /api/v1/meetings/1/registrations \
            "{\"name\":\"Camille\",\"email\":\"camille.$who@example.org\",\"guests\":1}" >/dev/null
        registration=$(registration_secret "camille.$who@example.org")
        [ -n "$registration" ] || { echo "no confirmation mailed to camille.$who@example.org" >&2; return 1; }
        referent=$(post /api/v1/referents "{\"first_name\":\"Awa\",\"email\":\"awa.$who@example.org\",
            \"uai\":\"0990001A\",\"child_grade\":\"6e\",\"monthly_capacity\":3,
            \"weekday_evenings\":true,\"consent\":true}")
        request=$(post /api/v1/contact-requests "{\"first_name\":\"Léo\",
            \"email\":\"leo.$who@example.org\",\"lat\":46.005,\"lon\":-3.0,
            \"child_grade\":\"CM2\",\"preferred_contact\":\"email\",\"consent\":true}")
        printf -v "$who" '%s %s %s' \
            "$registration" \
            "$(jq -r '.space_url | split("/")[-1]' <<<"$referent")" \
            "$(jq -r '.status_url | split("/")[-1]' <<<"$request")"
    done
    local proposal
    proposal=$(curl -sSf -H "Authorization: Bearer $token" "$base/api/v1/proposals" | jq '.[0].id // 1')
    local kept_registration kept_referent kept_request
    local erased_registration erased_referent erased_request
    read -r kept_registration kept_referent kept_request <<<"$kept"
    read -r erased_registration erased_referent erased_request <<<"$erased"
    # Private links are secrets that generation cannot guess: the operations
    # that take one get these real ones (and a real proposal id).
    cat >"$work/schemathesis.toml" <<TOML
[[operations]]
include-path-regex = "^/api/v1/registrations/[{]secret[}]/"
parameters = { "path.secret" = "$kept_registration" }
[[operations]]
include-path-regex = "^/api/v1/referents/space/[{]secret[}]"
exclude-method = "DELETE"
parameters = { "path.secret" = "$kept_referent", "path.id" = $proposal }
[[operations]]
include-path-regex = "^/api/v1/contact-requests/status/[{]secret[}]"
exclude-method = "DELETE"
parameters = { "path.secret" = "$kept_request" }
[[operations]]
include-path = "/api/v1/registrations/{secret}"
include-method = "DELETE"
parameters = { "path.secret" = "$erased_registration" }
[[operations]]
include-path = "/api/v1/referents/space/{secret}"
include-method = "DELETE"
parameters = { "path.secret" = "$erased_referent" }
[[operations]]
include-path = "/api/v1/contact-requests/status/{secret}"
include-method = "DELETE"
parameters = { "path.secret" = "$erased_request" }
TOML

    echo "== $backend: schemathesis, at most $max_examples examples per operation"
    local seed=()
    [ -n "${SCHEMATHESIS_SEED:-}" ] && seed=(--seed "$SCHEMATHESIS_SEED")
    # One worker: with several, Python 3.11's ast.parse (inside hypothesis)
    # fails now and then with "AST constructor recursion depth mismatch".
    # Checks: no 5xx; status, content type, headers and body as documented;
    # invalid input (negative data) refused; secured operations refuse a
    # missing or wrong token. Not `positive_data_acceptance`: a request valid
    # by the schema can still name a collège or a meeting that does not
    # exist, and 404/409/422 are the right answers then.
    local status=0
    "$venv/bin/schemathesis" --config-file "$work/schemathesis.toml" \
        run "$base/api/v1/openapi.json" \
        --url "$base" \
        -H "Authorization: Bearer $token" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,ignored_auth \
        --max-examples "$max_examples" \
        --workers 1 \
        --request-timeout 10 \
        --generation-database none \
        --no-color \
        "${seed[@]}" || status=$?
    # Negative controls: the same run must fail on a document that is wrong,
    # or its passing means nothing. Each: name, operation, expected failure,
    # jq edit.
    local controls=(
        "undocumented-404|/api/v1/sectors/{id}|Undocumented status code|del(.paths[\"/api/v1/sectors/{id}\"].get.responses[\"404\"])"
        "wrong-schema|/api/v1/sectors|Response violates schema|.components.schemas.SectorList.required += [\"missing\"]"
    )
    local control name path expected edit
    for control in "${controls[@]}"; do
        IFS='|' read -r name path expected edit <<<"$control"
        curl -sSf "$base/api/v1/openapi.json" | jq "$edit" >"$work/$name.json"
        if "$venv/bin/schemathesis" run "$work/$name.json" --url "$base" \
            -H "Authorization: Bearer $token" --include-path "$path" --include-method GET \
            --checks status_code_conformance,response_schema_conformance \
            --phases examples,coverage,fuzzing --max-examples 10 --workers 1 \
            --generation-database none --no-color >"$work/$name.log" 2>&1; then
            echo "negative control $name: schemathesis passed a wrong document" >&2
            status=1
        elif ! grep -q "$expected" "$work/$name.log"; then
            echo "negative control $name: failed without \"$expected\":" >&2
            tail -n 30 "$work/$name.log" >&2
            status=1
        fi
    done
    [ "$status" -eq 0 ] && echo "== $backend: negative controls failed as they should (${#controls[@]})"
    if [ "$status" -ne 0 ]; then
        echo "== $backend: server log (last lines)" >&2
        tail -n 40 "$work/server.log" >&2
    fi
    cleanup
    return "$status"
}

# Not `run_backend || …`: bash ignores `set -e` inside a function called so.
for backend in $backends; do
    run_backend "$backend"
done
