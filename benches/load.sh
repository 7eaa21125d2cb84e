#!/usr/bin/env bash
# HTTP load with wrk on loopback against release builds of `passerelle serve`
# (PASSERELLE_RATE_LIMIT=off) and, side by side in the same run, a bare axum
# server (benches/bare-axum) on the same tokio runtime.
#
# Usage: benches/load.sh [lookup|address|geocode|registration|all]...   (default: all)
#   lookup        GET /api/v1/sectors/lookup?lat=&lon= over real Paris points
#   address       GET /api/v1/sectors/lookup?address= over real Paris addresses
#   geocode       GET /api/v1/geocode?q= over the same addresses
#   registration  POST /api/v1/meetings/{id}/registrations on PostgreSQL (and
#                 SQLite), then SQL checks of capacity and waitlist
# Env (defaults): DURATION=10 (s per wrk run), ROUNDS=3 (bare/passerelle
#   pairs, alternating), THREADS=2 CONNECTIONS=64 (wrk), PIN=off (or
#   `split`: server on CPU 0, wrk on CPU 1), WRK_SCHED=batch (wrk runs under
#   SCHED_BATCH; `other` for the default policy), SERVE_LOG=info (PASSERELLE_LOG
#   of the server; its log goes to a file), N_POINTS=20000,
#   REG_BACKENDS="postgres sqlite", MEETINGS=400, CAPACITY=20,
#   PG=postgres://postgres@127.0.0.1:5432 (server for a throw-away database),
#   BASELINE_BIN (unset; another `passerelle` binary, such as a build of an
#   earlier commit, measured in the same rounds; for registrations, on a
#   database of its own).
# Needs wrk, curl, python3, sqlite3, psql/createdb/dropdb. Scratch data goes to
# a temporary directory that is removed at exit, with the servers and the
# PostgreSQL database.
set -euo pipefail

HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
DATA="$(cd "$ROOT/../shared/data" && pwd)"
LUA="$HERE/load"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
THREADS="${THREADS:-2}"
CONNECTIONS="${CONNECTIONS:-64}"
PIN="${PIN:-off}"
WRK_SCHED="${WRK_SCHED:-batch}"
SERVE_LOG="${SERVE_LOG:-info}"
N_POINTS="${N_POINTS:-20000}"
REG_BACKENDS="${REG_BACKENDS:-postgres sqlite}"
MEETINGS="${MEETINGS:-400}"
CAPACITY="${CAPACITY:-20}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
BASELINE_BIN="${BASELINE_BIN:-}"
SVC_PORT=18091
BARE_PORT=18092
BASE_PORT=18093

SCENARIOS=("$@")
[[ ${#SCENARIOS[@]} -eq 0 || " ${SCENARIOS[*]} " == *" all "* ]] &&
    SCENARIOS=(lookup address geocode registration)
for s in "${SCENARIOS[@]}"; do
    case "$s" in lookup | address | geocode | registration) ;;
    *) echo "unknown scenario: $s (lookup, address, geocode, registration or all)" >&2; exit 2 ;;
    esac
done
for tool in wrk curl python3 sqlite3; do
    command -v "$tool" >/dev/null || { echo "missing tool: $tool" >&2; exit 1; }
done

WORK="$(mktemp -d /tmp/passerelle-load.XXXXXX)"
RESULTS="$WORK/results.tsv"
PIDS=()
SVC_PID="" BARE_PID="" BASE_PID=""
PG_DBS=()
cleanup() {
    for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for db in "${PG_DBS[@]}"; do dropdb --if-exists -h 127.0.0.1 -U postgres "$db" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# CPU placement: `split` keeps the server and wrk off each other's core.
SERVER_CPU=() WRK_CPU=()
if [[ "$PIN" == split ]]; then SERVER_CPU=(taskset -c 0) WRK_CPU=(taskset -c 1); fi
# wrk shares the two cores with the server. Under the default policy each
# answer wakes a sleeping wrk thread, which then preempts the server at once:
# a server slower than wrk (anything but a constant answer) pays a context
# switch per request that it would not pay with its clients on other
# machines. SCHED_BATCH tells the kernel not to preempt for wrk's wakeups.
case "$WRK_SCHED" in
batch) WRK_CPU=(chrt --batch 0 "${WRK_CPU[@]}") ;;
other) ;;
*) echo "WRK_SCHED must be batch or other, not $WRK_SCHED" >&2; exit 2 ;;
esac

load() { cut -d' ' -f1-3 /proc/loadavg; }
# CPU time of a process (user + system), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
TICK_US=$(echo "1000000 / $(getconf CLK_TCK)" | bc)
echo "== $(date -u +%FT%TZ), $(nproc) cores, load $(load), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)"
echo "== DURATION=$DURATION ROUNDS=$ROUNDS THREADS=$THREADS CONNECTIONS=$CONNECTIONS PIN=$PIN WRK_SCHED=$WRK_SCHED SERVE_LOG=$SERVE_LOG"

echo "== build (release)"
(cd "$ROOT" && cargo build --quiet --release -p passerelle -p bare-axum --bin passerelle --bin bare-axum)
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}/release"
BIN="$TARGET/passerelle"
BARE="$TARGET/bare-axum"

wait_up() { # url pid
    for _ in $(seq 1 300); do
        curl -sf -o /dev/null "$1" && return 0
        kill -0 "$2" 2>/dev/null || { echo "server exited; log:" >&2; tail -5 "$WORK"/*.log >&2; exit 1; }
        sleep 0.1
    done
    echo "server did not answer $1" >&2
    exit 1
}

# start_serve DATABASE_URL LOGFILE [BINARY PORT]: sets STARTED_PID.
start_serve() {
    local bin=${3:-$BIN} port=${4:-$SVC_PORT}
    PASSERELLE_DATABASE_URL="$1" PASSERELLE_BIND="127.0.0.1:$port" \
        PASSERELLE_RATE_LIMIT=off PASSERELLE_DEMO=off PASSERELLE_LOG="$SERVE_LOG" \
        "${SERVER_CPU[@]}" "$bin" serve 2>"$2" &
    STARTED_PID=$!
    PIDS+=("$STARTED_PID")
    wait_up "http://127.0.0.1:$port/health" "$STARTED_PID"
}

stop() { # pid
    kill "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# run_wrk LABEL TARGET SCRIPT URL CONNECTIONS [ENV=VALUE...]: one wrk run of
# DURATION seconds; appends a line to RESULTS and prints it.
run_wrk() {
    local label=$1 target=$2 script=$3 url=$4 conns=$5
    shift 5
    local out="$WORK/wrk-$label-$target-$RANDOM.txt" before pid t0 t1
    before=$(load)
    case $target in
    bare) pid=$BARE_PID ;;
    baseline) pid=$BASE_PID ;;
    *) pid=$SVC_PID ;;
    esac
    t0=$(cpu_ticks "$pid")
    env "$@" "${WRK_CPU[@]}" wrk -t"$THREADS" -c"$conns" -d"${DURATION}s" --latency \
        -s "$LUA/$script" "$url" >"$out" 2>&1 || { cat "$out" >&2; exit 1; }
    local line
    line=$(grep '^LOAD_RESULT' "$out") || { cat "$out" >&2; exit 1; }
    t1=$(cpu_ticks "$pid")
    # shellcheck disable=SC2086
    local $(echo "${line#LOAD_RESULT }")
    # Server CPU per answer: less noisy than req/s on a shared machine.
    printf '%s\t%s\t%s\t%.0f\t%.2f\t%.2f\t%.2f\t%s\t%s\t%.1f\t%s\n' "$label" "$target" "$conns" "$rps" \
        "$(echo "$p50_us / 1000" | bc -l)" "$(echo "$p90_us / 1000" | bc -l)" "$(echo "$p99_us / 1000" | bc -l)" \
        "$non2xx" "$socket_errors" "$(echo "($t1 - $t0) * $TICK_US / $requests" | bc -l)" "$before" | tee -a "$RESULTS"
    LAST_RPS=$rps
}

# round_order ROUND: the TARGETS, each round starting with the next one so
# that none always follows the same one.
round_order() {
    local k=$((($1 - 1) % ${#TARGETS[@]}))
    echo "${TARGETS[@]:k}" "${TARGETS[@]:0:k}"
}

# The median of a space-separated list, for the summaries' awk programs.
AWK_MEDIAN='function median(list,   v, n, i, j, t) {
    n = split(list, v, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] + 0 < v[i] + 0) { t = v[i]; v[i] = v[j]; v[j] = t }
    return v[int((n + 1) / 2)]
}'

header() {
    printf 'scenario\tserver\tconns\treq/s\tp50 ms\tp90 ms\tp99 ms\tnon-2xx\tsock err\tcpu us/req\tload avg before\n'
}

# --- read scenarios: one SQLite database with the Paris map, collèges, IPS and addresses
READS=()
for s in "${SCENARIOS[@]}"; do [[ "$s" != registration ]] && READS+=("$s"); done
if [[ ${#READS[@]} -gt 0 ]]; then
    echo "== data: Paris sectors, collèges, IPS, BAN Paris; $N_POINTS sampled addresses"
    DB="sqlite://$WORK/read.db?mode=rwc"
    export PASSERELLE_DATABASE_URL="$DB"
    "$BIN" import sectors "$DATA/paris/secteurs-colleges-2024-2025.geojson" --territory paris --year 2024-2025 >/dev/null
    "$BIN" import schools "$DATA/national/colleges-geolocalisation.csv" >/dev/null
    "$BIN" import ips "$DATA/national/ips-colleges-2022.csv" >/dev/null
    "$BIN" import addresses "$DATA/ban/adresses-75.csv.gz" >/dev/null
    python3 "$LUA/prepare.py" sample --ban "$DATA/ban/adresses-75.csv.gz" --n "$N_POINTS" --out "$WORK"
    "$BIN" lookup --csv "$WORK/points.csv" --out "$WORK/looked.csv" --year 2024-2025
    python3 "$LUA/prepare.py" lookup-paths --looked "$WORK/looked.csv" --out "$WORK/lookup-paths.txt"
    unset PASSERELLE_DATABASE_URL

    start_serve "$DB" "$WORK/serve-read.log"
    SVC_PID=$STARTED_PID
    TARGETS=(bare passerelle)
    if [[ -n "$BASELINE_BIN" ]]; then
        start_serve "$DB" "$WORK/baseline-read.log" "$BASELINE_BIN" "$BASE_PORT"
        BASE_PID=$STARTED_PID
        TARGETS+=(baseline)
    fi
    "${SERVER_CPU[@]}" "$BARE" "127.0.0.1:$BARE_PORT" 2>"$WORK/bare.log" &
    BARE_PID=$!
    PIDS+=("$BARE_PID")
    wait_up "http://127.0.0.1:$BARE_PORT/api/v1/sectors/lookup" "$BARE_PID"
    echo "== sample answer: $(curl -s "http://127.0.0.1:$SVC_PORT$(head -1 "$WORK/lookup-paths.txt")" | head -c 300)…"

    SVC="http://127.0.0.1:$SVC_PORT"
    BARE_URL="http://127.0.0.1:$BARE_PORT"
    for s in "${READS[@]}"; do
        case "$s" in
        lookup) paths="$WORK/lookup-paths.txt" ;;
        address) paths="$WORK/address-paths.txt" ;;
        geocode) paths="$WORK/geocode-paths.txt" ;;
        esac
        echo "== $s: warm-up, then $ROUNDS rounds of ${TARGETS[*]}, in turns, ${DURATION}s each"
        header
        DURATION=3 run_wrk "$s-warmup" passerelle get.lua "$SVC" "$CONNECTIONS" LOAD_PATHS="$paths" >/dev/null
        DURATION=3 run_wrk "$s-warmup" bare get.lua "$BARE_URL" "$CONNECTIONS" LOAD_PATHS="$paths" >/dev/null
        [[ -n "$BASE_PID" ]] && DURATION=3 run_wrk "$s-warmup" baseline get.lua "http://127.0.0.1:$BASE_PORT" \
            "$CONNECTIONS" LOAD_PATHS="$paths" >/dev/null
        svc_rates=()
        for round in $(seq 1 "$ROUNDS"); do
            for target in $(round_order "$round"); do
                case $target in
                bare) url=$BARE_URL ;;
                baseline) url="http://127.0.0.1:$BASE_PORT" ;;
                *) url=$SVC ;;
                esac
                run_wrk "$s" "$target" get.lua "$url" "$CONNECTIONS" LOAD_PATHS="$paths"
                [[ $target == passerelle ]] && svc_rates+=("$LAST_RPS")
            done
        done
        # Latency at about half the maximum rate: wrk has no rate option, so
        # each connection pauses PACE_MS between requests (wrk's delay()), and
        # the number of connections is calibrated by a short probe.
        max=$(printf '%s\n' "${svc_rates[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
        half=$(echo "$max / 2" | bc -l)
        pace=2
        probe_c=32
        DURATION=3 run_wrk "$s-probe" passerelle get.lua "$SVC" "$probe_c" LOAD_PATHS="$paths" LOAD_DELAY_MS=$pace >/dev/null
        per_conn=$(echo "$LAST_RPS / $probe_c" | bc -l)
        conns=$(printf '%.0f' "$(echo "$half / $per_conn" | bc -l)")
        ((conns < THREADS)) && conns=$THREADS
        echo "-- $s at half rate: max (median) $(printf '%.0f' "$max") req/s, aim $(printf '%.0f' "$half") req/s: $conns connections pausing ${pace} ms"
        run_wrk "$s-half" passerelle get.lua "$SVC" "$conns" LOAD_PATHS="$paths" LOAD_DELAY_MS=$pace
        run_wrk "$s-half" bare get.lua "$BARE_URL" "$conns" LOAD_PATHS="$paths" LOAD_DELAY_MS=$pace
    done
    stop "$SVC_PID"
    stop "$BARE_PID"
    [[ -n "$BASE_PID" ]] && stop "$BASE_PID"
    log_lines=$(wc -l <"$WORK/serve-read.log")
    echo "== server log: $log_lines lines (PASSERELLE_LOG=$SERVE_LOG)"
fi

# --- registrations: a fresh database per backend, many small meetings
check() { # backend url
    if [[ $1 == postgres ]]; then
        psql -X -q -A -F ' ' -t -d "$2" -f "$LUA/check.sql"
    else
        sqlite3 -separator ' ' "${2#sqlite://}" <"$LUA/check.sql"
    fi
}

# reg_target BACKEND NAME BINARY PORT: a fresh database with the Paris map,
# a server on it and MEETINGS meetings; sets REG_URL and REG_PID and writes
# the meeting ids to $WORK/meetings-NAME.txt.
reg_target() {
    local backend=$1 name=$2 bin=$3 port=$4 token
    if [[ $backend == postgres ]]; then
        local db="passerelle_load_$$_$name"
        createdb -h 127.0.0.1 -U postgres "$db"
        PG_DBS+=("$db")
        REG_URL="$PG/$db"
    else
        REG_URL="sqlite://$WORK/registrations-$name.db"
        touch "$WORK/registrations-$name.db"
    fi
    PASSERELLE_DATABASE_URL="$REG_URL" "$bin" import sectors "$DATA/paris/secteurs-colleges-2024-2025.geojson" --territory paris --year 2024-2025 >/dev/null
    token=$(PASSERELLE_DATABASE_URL="$REG_URL" "$bin" token create --role organizer --name load 2>/dev/null)
    start_serve "$REG_URL" "$WORK/serve-$backend-$name.log" "$bin" "$port"
    REG_PID=$STARTED_PID
    python3 "$LUA/prepare.py" meetings --base "http://127.0.0.1:$port" --token "$token" \
        --n "$MEETINGS" --capacity "$CAPACITY" --out "$WORK/meetings-$name.txt"
}

if [[ " ${SCENARIOS[*]} " == *" registration "* ]]; then
    for backend in $REG_BACKENDS; do
        if [[ $backend == postgres ]]; then
            command -v createdb >/dev/null && pg_isready -q -h 127.0.0.1 ||
                { echo "PostgreSQL not reachable: skipping postgres" >&2; continue; }
        fi
        echo "== registration on $backend: $MEETINGS meetings of capacity $CAPACITY"
        reg_target "$backend" passerelle "$BIN" "$SVC_PORT"
        SVC_PID=$REG_PID
        declare -A REG_URLS=([passerelle]=$REG_URL) REG_PORTS=([passerelle]=$SVC_PORT)
        TARGETS=(passerelle)
        if [[ -n "$BASELINE_BIN" ]]; then
            reg_target "$backend" baseline "$BASELINE_BIN" "$BASE_PORT"
            BASE_PID=$REG_PID
            REG_URLS[baseline]=$REG_URL
            REG_PORTS[baseline]=$BASE_PORT
            TARGETS+=(baseline)
        fi
        header
        for round in $(seq 1 "$ROUNDS"); do
            for target in $(round_order "$round"); do
                run_wrk "registration-$backend" "$target" register.lua "http://127.0.0.1:${REG_PORTS[$target]}" \
                    "$CONNECTIONS" LOAD_MEETINGS="$WORK/meetings-$target.txt" LOAD_RUN="$round"
            done
        done
        stop "$SVC_PID"
        [[ -n "$BASELINE_BIN" ]] && stop "$BASE_PID"
        for target in "${TARGETS[@]}"; do
            echo "-- SQL checks on $backend ($target)"
            check "$backend" "${REG_URLS[$target]}" | tee "$WORK/check-$backend.txt"
            bad=$(awk '$1 ~ /overbooked|waitlisted_with|jumped|duplicate|without/ && $2 != 0' "$WORK/check-$backend.txt")
            if [[ -n "$bad" ]]; then
                echo "CONSISTENCY FAILURE on $backend ($target): $bad" >&2
                printf 'check-%s-%s\tFAILED\n' "$backend" "$target" >>"$RESULTS"
            else
                printf 'check-%s-%s\tok: %s\n' "$backend" "$target" "$(tr '\n' ' ' <"$WORK/check-$backend.txt")" >>"$RESULTS"
            fi
        done
        unset REG_URLS REG_PORTS
    done
fi

echo
echo "== summary ($(date -u +%FT%TZ), load $(load))"
{ header; grep -v -- '-warmup\|-probe\|^check-' "$RESULTS"; } | column -t -s $'\t'
grep '^check-' "$RESULTS" | tr '\t' ' ' || true
if grep -q $'^registration-' "$RESULTS"; then
    echo
    echo "registrations per second, median of the rounds:"
    awk -F'\t' "$AWK_MEDIAN"'
        $1 ~ /^registration-/ { r[$1 " " $2] = r[$1 " " $2] " " $4 }
        END { for (k in r) printf "  %-32s %6.0f (%s)\n", k, median(r[k]), r[k] }' "$RESULTS" | sort
fi
if grep -q $'\tbare\t' "$RESULTS"; then
    echo
    echo "passerelle / bare, per scenario (medians of the saturated rounds):"
    # Also the median of the per-round ratios: each round holds one run of
    # each server, so the i-th runs of two servers are of the same round.
    awk -F'\t' "$AWK_MEDIAN"'
        $1 !~ /-/ && ($2 == "bare" || $2 == "passerelle" || $2 == "baseline") { r[$1, $2] = r[$1, $2] " " $4; c[$1, $2] = c[$1, $2] " " $10; s[$1] = 1
            i = ++n[$1, $2]; v[$1, $2, i] = $4 }
        END { for (k in s) { b = median(r[k, "bare"]); p = median(r[k, "passerelle"])
            cb = median(c[k, "bare"]); cp = median(c[k, "passerelle"])
            printf "  %-8s bare %7.0f req/s, passerelle %7.0f req/s: %.0f %%; server CPU per request %.1f vs %.1f us: %.0f %%\n",
                k, b, p, 100 * p / b, cb, cp, 100 * cb / cp
            printf "  %-8s passerelle / bare per round: %s; median %.0f %%\n", k, ratios(k, "passerelle"), median(last)
            if (r[k, "baseline"] != "") { a = median(r[k, "baseline"]); ca = median(c[k, "baseline"])
                printf "  %-8s baseline %7.0f req/s: %.0f %% of bare; server CPU per request %.1f us\n", k, a, 100 * a / b, ca
                printf "  %-8s baseline / bare per round: %s; median %.0f %%\n", k, ratios(k, "baseline"), median(last) } } }
        function ratios(k, target,   i, out) {
            last = ""
            for (i = 1; i <= n[k, target] && i <= n[k, "bare"]; i++) {
                last = last " " 100 * v[k, target, i] / v[k, "bare", i]
                out = out sprintf("%s%.0f %%", i > 1 ? ", " : "", 100 * v[k, target, i] / v[k, "bare", i])
            }
            return out
        }' "$RESULTS"
fi
