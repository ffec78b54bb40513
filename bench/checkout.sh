#!/usr/bin/env bash
# Checkout benchmark: completed checkouts per second with 32 concurrent buyers on distinct
# variants, through the real gateway. It reports; it does not gate.
#
# Usage: bench/checkout.sh [sqlite|postgres|all]        (default: sqlite)
#
#   Run from the repository root with an already built binary, e.g.
#     cargo build --release && bench/checkout.sh all
#
# Environment:
#   VITRINE_BIN                 the binary to benchmark (default target/release/vitrine)
#   VITRINE_BENCH_DATABASE_URL  a PostgreSQL server for throw-away databases (needed for
#                               `postgres`; `all` skips PostgreSQL without it)
#   DURATION                    seconds of each measured run (default 10)
#   BUYERS                      concurrent buyers (default 32)
#   CARTS_PER_BUYER             carts each buyer prepares for the checkout run (default 400)
#
# For each backend it starts `vitrine serve --demo` on a fresh database, counts 1,000,000 units
# of 32 variants into the warehouse (so stock never runs out), then runs bench/checkout.mjs
# (Node 20) twice:
#   checkout  buyers prepare carts first, then only `checkoutComplete` is timed (MANUAL
#             payment: re-price, reserve stock, write order, payment and outbox event);
#   flow      each buyer repeats `cartCreate` + `checkoutComplete`; orders/s for the journey.
# Every answer is checked. Targets (checkout run): 500/s on PostgreSQL, 300/s on SQLite.

set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly BENCH_DIR
# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"

readonly DURATION="${DURATION:-10}"
readonly READY_TIMEOUT="${READY_TIMEOUT:-60}"
readonly HOST=127.0.0.1
export BUYERS="${BUYERS:-32}"

WORK_DIR=""
SERVER_PID=""
DATABASES=()
SUMMARY_ROWS=()

die() {
  printf '\nbench/checkout.sh: %s\n' "$*" >&2
  exit 1
}

# Writes the ids of $BUYERS variants (one per product, all tracked) to $2 and counts
# 1,000,000 units of each into the warehouse.
prepare_variants() {
  local token="$1" file="$2" location levels rows answer
  location="$(warehouse_id "$token")"
  levels="$(gql "$token" '{"query":"{ products(first: 250) { nodes { variants(first: 1) { nodes { id sku } } } } }"}')"
  # jq takes the first $BUYERS itself: `| head` would end jq with SIGPIPE under pipefail.
  jq -r --argjson n "$BUYERS" '[.data.products.nodes[].variants.nodes[0]] | .[:$n][] | "\(.id) \(.sku)"' <<<"$levels" >"$file.both"
  (($(wc -l <"$file.both") == BUYERS)) || die "found fewer than $BUYERS products"
  cut -d' ' -f1 "$file.both" >"$file"
  rows="$(cut -d' ' -f2 "$file.both" | jq -R -s -c --arg loc "$location" 'split("\n") | map(select(. != "")) | map({sku: ., locationId: $loc, quantity: 1000000})')"
  answer="$(gql "$token" "{\"query\":\"mutation(\$i: InventorySetQuantitiesInput!) { inventorySetQuantities(input: \$i) { userErrors { field code message } } }\",\"variables\":{\"i\":{\"reason\":\"bench stock take\",\"quantities\":$rows}}}")"
  [[ "$(jq -c '.data.inventorySetQuantities.userErrors' <<<"$answer")" == "[]" ]] ||
    die "the opening count failed: ${answer:0:500}"
}

result_field() { grep '^vitrine-checkout:' <<<"$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
at_least() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= b) }'; }

run_backend() {
  local backend="$1" target="$2"
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
  local token variants="$DATA_DIR/variants"
  token="$(staff_token)"
  prepare_variants "$token" "$variants"
  local mode out per_s p50 p99 failed
  for mode in checkout flow; do
    log "$backend: $mode run, $BUYERS buyers, ${DURATION} s"
    out="$(node "$BENCH_DIR/checkout.mjs" "http://$HOST:$PORT/graphql" "$variants" "$DURATION" "$mode")"
    grep -q '^vitrine-checkout:' <<<"$out" || die "the driver printed no result: $out"
    per_s="$(result_field "$out" per_s)"; p50="$(result_field "$out" p50_ms)"; p99="$(result_field "$out" p99_ms)"
    failed="$(result_field "$out" failed)"
    grep '^first failed' <<<"$out" >&2 || true
    grep -q 'carts_exhausted=1' <<<"$out" && warn "buyers ran out of prepared carts; raise CARTS_PER_BUYER"
    printf '%-9s %-9s %6s /s   checkout p50 %6s ms  p99 %6s ms  failed %s\n' "$backend" "$mode" "$per_s" "$p50" "$p99" "$failed"
    if [[ "$mode" == checkout ]]; then
      SUMMARY_ROWS+=("$backend|checkouts/s|$per_s (p99 $p99 ms, $failed failed)|>= $target|$(at_least "$per_s" "$target" && [[ "$failed" == 0 ]] && echo PASS || echo MISS)")
    else
      SUMMARY_ROWS+=("$backend|cart + checkout /s|$per_s (p99 $p99 ms, $failed failed)|-|-")
    fi
  done
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
  for tool in node curl jq; do
    command -v "$tool" >/dev/null || die "$tool is not installed"
  done
  local bin="${VITRINE_BIN:-target/release/vitrine}"
  [[ -x "$bin" ]] || die "no vitrine binary at $bin; build it with: cargo build --release"
  VITRINE="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
  if [[ " ${backends[*]} " == *" postgres "* ]]; then
    [[ -n "${VITRINE_BENCH_DATABASE_URL:-}" ]] || die "postgres needs VITRINE_BENCH_DATABASE_URL"
  fi
  WORK_DIR="$(mktemp -d "${TMPDIR:-/tmp}/vitrine-checkout.XXXXXX")"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  local backend
  for backend in "${backends[@]}"; do
    if [[ "$backend" == postgres ]]; then run_backend postgres 500; else run_backend sqlite 300; fi
  done
  local line="----------------------------------------------------------------------------------------------"
  printf '\nSummary (%s s per run, %s buyers; the driver shares the machine)\n%s\n' "$DURATION" "$BUYERS" "$line"
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
