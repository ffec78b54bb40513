#!/usr/bin/env bash
# Load benchmark of Vitrine's storefront GraphQL API. It reports; it does not gate.
#
# Usage: bench/load.sh [sqlite|postgres|all] [demo|100k|all]        (default: sqlite demo)
#
#   Run from the repository root with an already built binary, e.g.
#     cargo build --release && bench/load.sh all all
#
# Environment:
#   VITRINE_BIN                 the binary to benchmark (default target/release/vitrine)
#   VITRINE_BENCH_DATABASE_URL  a PostgreSQL server to create throw-away databases on, e.g.
#                               postgres://postgres@127.0.0.1:5432/test; needed for `postgres`
#                               (`all` skips PostgreSQL without it)
#   DURATION                    seconds of each measured wrk run (default 15)
#   WARMUP                      seconds of warm-up before each measured run (default 3)
#   SEED_PRODUCTS               products generated for the `100k` catalog (default 100000)
#   READY_TIMEOUT               seconds to wait for GET /readyz (default 60)
#   VERBOSE=1                   also print wrk's own report of every run
#
# For every backend × catalog it starts `vitrine serve` on 127.0.0.1:<free port> with a fresh
# database (a temporary data directory for SQLite; a `vitrine_bench_<random>` database for
# PostgreSQL), measures the time from launch to the first 200 from /readyz, then drives two
# storefront queries (bench/queries/*.json) with wrk at 32 connections (bench/graphql.lua
# checks every response), sampling the server's resident memory meanwhile. The `100k` catalog
# is generated with `vitrine seed --products` before the server starts.
#
# It prints one line per run and a summary table against the targets, and exits 0 whenever
# the benchmark ran, whatever the numbers. It exits non-zero only when it could not run: a
# missing tool or binary, a server that does not start, a failed seed, a server that dies.
# The server, the temporary directories and the databases are removed on exit, Ctrl-C included.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly BENCH_DIR
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
readonly LUA_SCRIPT="$BENCH_DIR/graphql.lua"
readonly QUERIES=(listing collection-page)

readonly DURATION="${DURATION:-15}"
readonly WARMUP="${WARMUP:-3}"
readonly SEED_PRODUCTS="${SEED_PRODUCTS:-100000}"
readonly READY_TIMEOUT="${READY_TIMEOUT:-60}"
readonly VERBOSE="${VERBOSE:-0}"
readonly THREADS=2
readonly CONNECTIONS=32
readonly HOST=127.0.0.1

# Targets: requests/s per query and backend, resident memory and start-to-ready time with the
# 100k catalog.
readonly TARGET_RPS_SQLITE_LISTING=1500
readonly TARGET_RPS_POSTGRES_LISTING=600
readonly TARGET_RPS_SQLITE_COLLECTION_PAGE=500
readonly TARGET_RPS_POSTGRES_COLLECTION_PAGE=250
readonly TARGET_RSS_MB=150
readonly TARGET_READY_MS=1000

# State that cleanup() undoes.
WORK_DIR=""
SERVER_PID=""
SAMPLER_PID=""
DATABASES=()

# Results: one row per line of the summary table, fields separated by `|`.
SUMMARY_ROWS=()

# ---- output ----------------------------------------------------------------------------------

die() {
  printf '\nbench/load.sh: %s\n' "$*" >&2
  if ((${#SUMMARY_ROWS[@]} > 0)); then
    print_summary >&2
  fi
  exit 1
}

usage() {
  sed -n 's/^# Usage: /usage: /p' "${BASH_SOURCE[0]}"
}

# ---- setup and teardown ----------------------------------------------------------------------

parse_args() {
  BACKEND_ARG="${1:-sqlite}"
  CATALOG_ARG="${2:-demo}"
  if (($# > 2)); then
    usage >&2
    exit 2
  fi
  case "$BACKEND_ARG" in
    sqlite) BACKENDS=(sqlite) ;;
    postgres) BACKENDS=(postgres) ;;
    all)
      BACKENDS=(sqlite)
      if [[ -n "${VITRINE_BENCH_DATABASE_URL:-}" ]]; then
        BACKENDS+=(postgres)
      else
        warn "VITRINE_BENCH_DATABASE_URL is not set: skipping PostgreSQL"
      fi
      ;;
    -h | --help | help)
      sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
  case "$CATALOG_ARG" in
    demo) CATALOGS=(demo) ;;
    100k) CATALOGS=(100k) ;;
    all) CATALOGS=(demo 100k) ;;
    *)
      usage >&2
      exit 2
      ;;
  esac
}

check_prerequisites() {
  command -v wrk >/dev/null || die "wrk is not installed; install it with: apt-get install wrk"
  command -v curl >/dev/null || die "curl is not installed; install it with: apt-get install curl"

  local bin="${VITRINE_BIN:-target/release/vitrine}"
  [[ -x "$bin" ]] || die "no vitrine binary at $bin; build it with: cargo build --release" \
    "(or point VITRINE_BIN at one; run this script from the repository root)"
  # Absolute, because the server runs in its temporary directory (so that no vitrine.toml of
  # the current directory is picked up).
  VITRINE="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"

  [[ "$DURATION" =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a whole number of seconds"
  [[ "$WARMUP" =~ ^[0-9]+$ ]] || die "WARMUP must be a whole number of seconds"
  [[ "$SEED_PRODUCTS" =~ ^[1-9][0-9]*$ ]] || die "SEED_PRODUCTS must be a positive number"
  [[ "$READY_TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "READY_TIMEOUT must be a whole number of seconds"

  if [[ " ${BACKENDS[*]} " == *" postgres "* ]]; then
    [[ -n "${VITRINE_BENCH_DATABASE_URL:-}" ]] ||
      die "the postgres backend needs VITRINE_BENCH_DATABASE_URL," \
        "e.g. postgres://postgres@127.0.0.1:5432/test"
    command -v psql >/dev/null ||
      die "psql is not installed; install it with: apt-get install postgresql-client"
    psql "$VITRINE_BENCH_DATABASE_URL" -qAtX -c 'SELECT 1' >/dev/null ||
      die "cannot connect to VITRINE_BENCH_DATABASE_URL"
  fi
}

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_rss_sampler
  stop_server
  local db
  for db in "${DATABASES[@]}"; do
    drop_postgres_database "$db"
  done
  if [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]]; then
    rm -rf "$WORK_DIR"
  fi
  exit "$status"
}

# ---- resident memory -------------------------------------------------------------------------

# Samples the server's RSS every 0.2 s into $1, keeping the maximum (in kB).
start_rss_sampler() {
  local out="$1" pid="$SERVER_PID"
  printf '0' >"$out"
  (
    max=0
    while kill -0 "$pid" 2>/dev/null; do
      rss="$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ' || true)"
      if [[ "$rss" =~ ^[0-9]+$ ]] && ((rss > max)); then
        max=$rss
        printf '%s' "$max" >"$out"
      fi
      sleep 0.2
    done
  ) &
  SAMPLER_PID=$!
}

stop_rss_sampler() {
  [[ -n "$SAMPLER_PID" ]] || return 0
  kill "$SAMPLER_PID" 2>/dev/null || true
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
}

kb_to_mb() { awk -v kb="$1" 'BEGIN { printf "%.1f", kb / 1024 }'; }

# ---- scenarios -------------------------------------------------------------------------------

body_file() { printf '%s/queries/%s.json' "$BENCH_DIR" "$1"; }

# One request before the load: the query must answer data, no errors, and at least one product
# (so that the collection page measures a real page). Shows the body when it does not.
check_query() {
  local query="$1" body
  body="$(curl -s --max-time 30 -H 'Content-Type: application/json' \
    --data-binary "@$(body_file "$query")" "http://$HOST:$PORT/graphql" || true)"
  local problem=""
  if [[ -z "$body" ]]; then
    problem="no response"
  elif [[ "$body" == *'"errors":'* ]]; then
    problem="the response has errors"
  elif [[ "$body" != *'"data":{'* ]]; then
    problem="the response has no data"
  elif [[ "$body" == *'"collection":null'* ]]; then
    problem="there is no collection with handle \"women\""
  elif [[ "$body" != *'"nodes":[{'* ]]; then
    problem="the response has no products"
  fi
  if [[ -n "$problem" ]]; then
    alarm "$SCENARIO $query: $problem. Response body:" "${body:0:2000}"
    return 1
  fi
}

# Runs wrk against /graphql with the body of query $1 for $2 seconds; prints wrk's output.
run_wrk() {
  local query="$1" seconds="$2"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 10s --latency \
    -s "$LUA_SCRIPT" "http://$HOST:$PORT/graphql" -- "$(body_file "$query")"
}

# The value of key $2 on the `vitrine-bench:` line of wrk output $1.
result_field() {
  grep '^vitrine-bench:' <<<"$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# awk-based comparisons, since the numbers are decimals.
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }
below() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

pass_or_miss() { if "$@"; then printf 'PASS'; else printf 'MISS'; fi; }

rps_target() {
  local name="TARGET_RPS_${1^^}_${2^^}"
  name="${name//-/_}"
  printf '%s' "${!name}"
}

# Warm-up, then the measured run of query $1; prints the result line and records it.
measure_query() {
  local query="$1" output
  check_query "$query" || QUERY_CHECK_FAILED=1

  if ((WARMUP > 0)); then
    run_wrk "$query" "$WARMUP" >/dev/null 2>&1 || die "wrk failed during the warm-up"
  fi

  local rss_file="$DATA_DIR/rss-$query"
  start_rss_sampler "$rss_file"
  output="$(run_wrk "$query" "$DURATION" 2>&1)" || {
    stop_rss_sampler
    printf '%s\n' "$output" >&2
    die "wrk failed"
  }
  stop_rss_sampler
  if ((VERBOSE)); then
    printf '%s\n' "$output" >&2
  fi
  grep -q '^vitrine-bench:' <<<"$output" || {
    printf '%s\n' "$output" >&2
    die "wrk printed no result (see its output above)"
  }

  local rps p50 p99 non2xx gql no_data socket rss_kb rss_mb
  rps="$(result_field "$output" rps)"
  p50="$(result_field "$output" p50_ms)"
  p99="$(result_field "$output" p99_ms)"
  non2xx="$(result_field "$output" non2xx)"
  gql="$(result_field "$output" graphql_errors)"
  no_data="$(result_field "$output" no_data)"
  socket=$(($(result_field "$output" connect) + $(result_field "$output" read) +
    $(result_field "$output" write) + $(result_field "$output" timeout)))
  rss_kb="$(cat "$rss_file")"
  rss_mb="$(kb_to_mb "$rss_kb")"
  ((rss_kb > SCENARIO_RSS_KB)) && SCENARIO_RSS_KB=$rss_kb

  printf '%-30s %9s req/s   p50 %8s ms   p99 %8s ms   non-2xx %s   errors %s   RSS max %s MB\n' \
    "$SCENARIO $query" "$rps" "$p50" "$p99" "$non2xx" "$((gql + no_data + socket))" "$rss_mb"

  local failures=$((non2xx + gql + no_data + socket)) verdict target requests
  requests="$(result_field "$output" requests)"
  target="$(rps_target "$BACKEND" "$query")"
  if ((requests == 0)); then
    verdict="NO DATA"
    alarm "$SCENARIO $query: not one request completed in ${DURATION} s" \
      "(every request took longer than the run; try a longer DURATION)"
  elif ((failures > 0)); then
    verdict="ERRORS"
    alarm "$SCENARIO $query: $failures of the responses failed" \
      "non-2xx: $non2xx, with GraphQL errors: $gql, without data: $no_data, socket errors/timeouts: $socket" \
      "$(grep '^vitrine-bench-first-failure:' <<<"$output" | sed 's/^vitrine-bench-first-failure: /first failure: /' | cut -c1-1200)"
  else
    verdict="$(pass_or_miss at_least "$rps" "$target")"
  fi
  SUMMARY_ROWS+=("$SCENARIO|$query req/s|$rps (p50 $p50 ms, p99 $p99 ms)|>= $target|$verdict")

  if ! server_is_alive; then
    show_server_log
    die "the server died during the $query run of $SCENARIO"
  fi
}

# Generates the large catalog into the scenario's (fresh) database.
seed_catalog() {
  log "$SCENARIO: seeding $SEED_PRODUCTS products (progress on stderr)"
  PORT="$(pick_free_port)"
  vitrine_env
  local started output
  started="$(now_ms)"
  output="$(cd "$DATA_DIR" && env "${VITRINE_ENV[@]}" "$VITRINE" seed --products "$SEED_PRODUCTS")" || {
    printf '%s\n' "$output" >&2
    die "seeding failed"
  }
  log "$SCENARIO: seeded in $((($(now_ms) - started) / 1000)) s (${output##*$'\n'})"
}

catalog_label() {
  if [[ "$1" == 100k && "$SEED_PRODUCTS" != 100000 ]]; then
    printf '%sp' "$SEED_PRODUCTS"
  else
    printf '%s' "$1"
  fi
}

run_scenario() {
  BACKEND="$1"
  local catalog="$2"
  SCENARIO="$BACKEND $(catalog_label "$catalog")"
  SCENARIO_RSS_KB=0
  QUERY_CHECK_FAILED=0
  DATA_DIR="$(mktemp -d "$WORK_DIR/$BACKEND-$catalog.XXXXXX")"
  DATABASE_URL=""
  local database=""
  if [[ "$BACKEND" == postgres ]]; then
    database="$(create_postgres_database)" || die "could not create a PostgreSQL database"
    DATABASES+=("$database")
    DATABASE_URL="$(url_with_database "$VITRINE_BENCH_DATABASE_URL" "$database")"
    log "$SCENARIO: database $database"
  fi

  local serve_args=()
  if [[ "$catalog" == demo ]]; then
    serve_args=(--demo)
  else
    seed_catalog
  fi

  log "$SCENARIO: starting the server"
  start_server "${serve_args[@]}"
  log "$SCENARIO: ready in $READY_MS ms (pid $SERVER_PID, port $PORT)"

  local query
  for query in "${QUERIES[@]}"; do
    measure_query "$query"
  done

  local rss_mb
  rss_mb="$(kb_to_mb "$SCENARIO_RSS_KB")"
  if [[ "$catalog" == 100k ]]; then
    SUMMARY_ROWS+=("$SCENARIO|start to ready|$READY_MS ms|< $TARGET_READY_MS ms|$(pass_or_miss below "$READY_MS" "$TARGET_READY_MS")")
    SUMMARY_ROWS+=("$SCENARIO|RSS under load|$rss_mb MB|< $TARGET_RSS_MB MB|$(pass_or_miss below "$rss_mb" "$TARGET_RSS_MB")")
  else
    SUMMARY_ROWS+=("$SCENARIO|start to ready|$READY_MS ms (loads the demo)|-|info")
    SUMMARY_ROWS+=("$SCENARIO|RSS under load|$rss_mb MB|-|info")
  fi
  if ((QUERY_CHECK_FAILED)); then
    SUMMARY_ROWS+=("$SCENARIO|query check|failed before the load|-|ERRORS")
  fi

  stop_server
  if [[ -n "$database" ]]; then
    drop_postgres_database "$database"
  fi
  rm -rf "$DATA_DIR"
}

print_summary() {
  local line="-------------------------------------------------------------------------------------------------------"
  printf '\nSummary (%s, %d s per run, %d connections)\n%s\n' \
    "$(basename "$VITRINE")" "$DURATION" "$CONNECTIONS" "$line"
  printf '%-16s %-22s %-40s %-12s %s\n' scenario metric measured target result
  printf '%s\n' "$line"
  local row scenario metric measured target result
  for row in "${SUMMARY_ROWS[@]}"; do
    IFS='|' read -r scenario metric measured target result <<<"$row"
    printf '%-16s %-22s %-40s %-12s %s\n' "$scenario" "$metric" "$measured" "$target" "$result"
  done
  printf '%s\n' "$line"
}

main() {
  parse_args "$@"
  check_prerequisites

  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vitrine-bench.XXXXXX")"
  trap cleanup EXIT
  trap 'printf "\ninterrupted; cleaning up\n" >&2; exit 130' INT
  trap 'exit 143' TERM

  log "binary: $VITRINE ($("$VITRINE" --version 2>/dev/null || echo 'unknown version'))"
  if [[ "$VITRINE" == */debug/* ]]; then
    warn "this is a debug build: its numbers say nothing about the targets"
  fi
  log "backends: ${BACKENDS[*]}; catalogs: ${CATALOGS[*]}; wrk -t$THREADS -c$CONNECTIONS," \
    "${WARMUP} s warm-up + ${DURATION} s per query; $(nproc 2>/dev/null || echo '?') CPUs"

  local backend catalog
  for backend in "${BACKENDS[@]}"; do
    for catalog in "${CATALOGS[@]}"; do
      run_scenario "$backend" "$catalog"
    done
  done

  print_summary
  if printf '%s\n' "${SUMMARY_ROWS[@]}" | grep -Eq '\|(ERRORS|NO DATA)$'; then
    alarm "some runs had failed responses or none at all: their numbers are not trustworthy" \
      "(see above)"
  fi
}

main "$@"
