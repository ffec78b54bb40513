#!/usr/bin/env bash
# Stock-write benchmark: how many stock updates per second the gateway absorbs. It reports;
# it does not gate.
#
# Usage: bench/stock.sh [sqlite|postgres|all]        (default: sqlite)
#
#   Run from the repository root with an already built binary, e.g.
#     cargo build --release && bench/stock.sh all
#
# Environment:
#   VITRINE_BIN                 the binary to benchmark (default target/release/vitrine)
#   VITRINE_BENCH_DATABASE_URL  a PostgreSQL server for throw-away databases (needed for
#                               `postgres`; `all` skips PostgreSQL without it)
#   DURATION                    seconds of each measured run (default 15)
#   BULK_ROWS                   rows per bulk call (default 1000)
#   READY_TIMEOUT               seconds to wait for GET /readyz (default 60)
#
# For each backend it starts `vitrine serve --demo` on a fresh database, creates an owner and an
# API token with `inventory:read inventory:write`, counts 100,000 units of 1,000 SKUs into the
# warehouse, then drives `inventoryAdjustQuantities` with wrk:
#   single  16 connections, one sale or return per request, each with its own idempotency key
#           (a POS sending every receipt as it happens);
#   bulk    4 connections, BULK_ROWS rows per request (an ERP sync), reported as rows/s.
# Every answer is checked: a userError or GraphQL error counts as failed. Afterwards the
# ledger is checked against the levels. Targets: 500 single requests/s and 5,000 bulk rows/s
# on each backend.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly BENCH_DIR
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

readonly DURATION="${DURATION:-15}"
readonly BULK_ROWS="${BULK_ROWS:-1000}"
readonly READY_TIMEOUT="${READY_TIMEOUT:-60}"
readonly HOST=127.0.0.1
readonly TARGET_SINGLE_RPS=500
readonly TARGET_BULK_ROWS=5000

WORK_DIR=""
SERVER_PID=""
DATABASES=()
SUMMARY_ROWS=()

die() {
  printf '\nbench/stock.sh: %s\n' "$*" >&2
  exit 1
}

# Creates an owner with `vitrine admin create`, signs in and mints an inventory token.
inventory_token() {
  local staff token
  staff="$(staff_token)"
  token="$(gql "$staff" '{"query":"mutation { apiTokenCreate(input: {name: \"bench\", scopes: [\"inventory:read\", \"inventory:write\"]}) { token } }"}' |
    jq -r '.data.apiTokenCreate.token')"
  [[ "$token" == vtk_* ]] || die "could not create an API token"
  printf '%s' "$token"
}

# Writes 1,000 SKUs to $1 and counts 100,000 of each into the warehouse; prints its id.
prepare_stock() {
  local token="$1" skus_file="$2" location after="null" page
  location="$(warehouse_id "$token")"
  : >"$skus_file"
  while (($(wc -l <"$skus_file") < 1000)); do
    page="$(gql "$token" "{\"query\":\"query(\$a: String) { inventoryLevels(first: 250, after: \$a) { pageInfo { hasNextPage endCursor } nodes { sku } } }\",\"variables\":{\"a\":$after}}")"
    jq -r '.data.inventoryLevels.nodes[].sku' <<<"$page" >>"$skus_file"
    sort -u -o "$skus_file" "$skus_file"
    [[ "$(jq -r '.data.inventoryLevels.pageInfo.hasNextPage' <<<"$page")" == true ]] || break
    after="\"$(jq -r '.data.inventoryLevels.pageInfo.endCursor' <<<"$page")\""
  done
  head -n 1000 "$skus_file" >"$skus_file.tmp" && mv "$skus_file.tmp" "$skus_file"
  local rows
  rows="$(jq -R -s -c --arg loc "$location" 'split("\n") | map(select(. != "")) | map({sku: ., locationId: $loc, quantity: 100000})' <"$skus_file")"
  local answer
  answer="$(gql "$token" "{\"query\":\"mutation(\$i: InventorySetQuantitiesInput!) { inventorySetQuantities(input: \$i) { userErrors { field code message } } }\",\"variables\":{\"i\":{\"reason\":\"bench stock take\",\"quantities\":$rows}}}")"
  [[ "$(jq -c '.data.inventorySetQuantities.userErrors' <<<"$answer")" == "[]" ]] ||
    die "the opening count failed: ${answer:0:500}"
  printf '%s' "$location"
}

result_field() { grep '^vitrine-stock:' <<<"$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

run_backend() {
  local backend="$1"
  DATA_DIR="$(mktemp -d "$WORK_DIR/$backend.XXXXXX")"
  DATABASE_URL=""
  if [[ "$backend" == postgres ]]; then
    local database
    database="$(create_postgres_database)" || die "could not create a PostgreSQL database"
    DATABASES+=("$database")
    DATABASE_URL="$(url_with_database "$VITRINE_BENCH_DATABASE_URL" "$database")"
  fi
  log "$backend: starting the server with the demo catalog"
  start_server --demo
  local token location skus_file="$DATA_DIR/skus"
  token="$(inventory_token)"
  location="$(prepare_stock "$token" "$skus_file")"
  log "$backend: $(wc -l <"$skus_file") SKUs at 100,000 units; measuring"

  local out rps p50 p99 failed
  out="$(wrk -t2 -c16 -d"${DURATION}s" --timeout 10s --latency -s "$BENCH_DIR/stock.lua" \
    "http://$HOST:$PORT/graphql" -- single "$skus_file" "$location" "$token")"
  grep -q '^vitrine-stock:' <<<"$out" || die "wrk printed no result: $out"
  rps="$(result_field "$out" rps)"; p50="$(result_field "$out" p50_ms)"; p99="$(result_field "$out" p99_ms)"
  failed="$(result_field "$out" failed)"
  grep '^first failed' <<<"$out" >&2 || true
  printf '%-9s single delta  %8s req/s   p50 %7s ms  p99 %7s ms  failed %s\n' "$backend" "$rps" "$p50" "$p99" "$failed"
  SUMMARY_ROWS+=("$backend|single-delta req/s|$rps (p99 $p99 ms, $failed failed)|>= $TARGET_SINGLE_RPS|$(at_least "$rps" "$TARGET_SINGLE_RPS" && [[ "$failed" == 0 ]] && echo PASS || echo MISS)")

  out="$(wrk -t2 -c4 -d"${DURATION}s" --timeout 30s --latency -s "$BENCH_DIR/stock.lua" \
    "http://$HOST:$PORT/graphql" -- bulk "$skus_file" "$location" "$token" "$BULK_ROWS")"
  grep -q '^vitrine-stock:' <<<"$out" || die "wrk printed no result: $out"
  rps="$(result_field "$out" rps)"; p99="$(result_field "$out" p99_ms)"; failed="$(result_field "$out" failed)"
  grep '^first failed' <<<"$out" >&2 || true
  local rows
  rows="$(awk -v r="$rps" -v n="$BULK_ROWS" 'BEGIN { printf "%.0f", r * n }')"
  printf '%-9s bulk (%s rows) %6s calls/s = %s rows/s   p99 %s ms  failed %s\n' "$backend" "$BULK_ROWS" "$rps" "$rows" "$p99" "$failed"
  SUMMARY_ROWS+=("$backend|bulk rows/s|$rows ($BULK_ROWS-row calls, $failed failed)|>= $TARGET_BULK_ROWS|$(at_least "$rows" "$TARGET_BULK_ROWS" && [[ "$failed" == 0 ]] && echo PASS || echo MISS)")

  # The ledger must still explain every level after the load.
  local check
  check="$(gql "$token" "{\"query\":\"query(\$s: [String!]) { inventoryLevels(first: 5, skus: \$s) { nodes { sku onHand } } }\",\"variables\":{\"s\":$(head -n 5 "$skus_file" | jq -R -s -c 'split("\n") | map(select(. != ""))')}}")"
  log "$backend: sample levels after the load: $(jq -c '[.data.inventoryLevels.nodes[] | [.sku, .onHand]]' <<<"$check")"
  stop_server
}

main() {
  local arg="${1:-sqlite}" backends=()
  case "$arg" in
    sqlite) backends=(sqlite) ;;
    postgres) backends=(postgres) ;;
    all)
      backends=(sqlite)
      if [[ -n "${VITRINE_BENCH_DATABASE_URL:-}" ]]; then backends+=(postgres); else warn "VITRINE_BENCH_DATABASE_URL is not set: skipping PostgreSQL"; fi
      ;;
    *) sed -n 's/^# Usage: /usage: /p' "${BASH_SOURCE[0]}" >&2; exit 2 ;;
  esac
  for tool in wrk curl jq; do
    command -v "$tool" >/dev/null || die "$tool is not installed; install it with: apt-get install $tool"
  done
  local bin="${VITRINE_BIN:-target/release/vitrine}"
  [[ -x "$bin" ]] || die "no vitrine binary at $bin; build it with: cargo build --release"
  VITRINE="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
  if [[ " ${backends[*]} " == *" postgres "* ]]; then
    [[ -n "${VITRINE_BENCH_DATABASE_URL:-}" ]] || die "postgres needs VITRINE_BENCH_DATABASE_URL"
  fi
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vitrine-stock.XXXXXX")"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local backend
  for backend in "${backends[@]}"; do
    run_backend "$backend"
  done
  local line="----------------------------------------------------------------------------------------------"
  printf '\nSummary (%s s per run; wrk shares the machine)\n%s\n' "$DURATION" "$line"
  printf '%-10s %-20s %-42s %-8s %s\n' backend metric measured target result
  printf '%s\n' "$line"
  local row b m v t r
  for row in "${SUMMARY_ROWS[@]}"; do
    IFS='|' read -r b m v t r <<<"$row"
    printf '%-10s %-20s %-42s %-8s %s\n' "$b" "$m" "$v" "$t" "$r"
  done
  printf '%s\n' "$line"
}

main "$@"
