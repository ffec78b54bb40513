# Shared by the load scripts in bench/: logging, throw-away PostgreSQL databases, and starting
# and stopping `vitrine serve`. Sourced, not run. Scripts set HOST, READY_TIMEOUT, VITRINE,
# DATA_DIR and DATABASE_URL, keep DATABASES, and define die().

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }

# Prints a loud banner, for anything that makes a run's numbers untrustworthy.
alarm() {
  printf '\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n' >&2
  printf '!!! %s\n' "$@" >&2
  printf '!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n\n' >&2
}

# ---- databases -------------------------------------------------------------------------------

# The URL of database $2 on the server of URL $1: same scheme, credentials, host and query.
url_with_database() {
  local url="$1" database="$2" query="" rest scheme authority
  if [[ "$url" == *\?* ]]; then
    query="?${url#*\?}"
    url="${url%%\?*}"
  fi
  scheme="${url%%://*}"
  rest="${url#*://}"
  authority="${rest%%/*}"
  printf '%s://%s/%s%s' "$scheme" "$authority" "$database" "$query"
}

# Creates a fresh database and prints its name.
create_postgres_database() {
  local name
  name="vitrine_bench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
  psql "$VITRINE_BENCH_DATABASE_URL" -qAtX -v ON_ERROR_STOP=1 \
    -c "CREATE DATABASE \"$name\"" >/dev/null || return 1
  printf '%s' "$name"
}

drop_postgres_database() {
  local name="$1"
  psql "$VITRINE_BENCH_DATABASE_URL" -qAtX -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" \
    >/dev/null 2>&1 ||
    psql "$VITRINE_BENCH_DATABASE_URL" -qAtX -c "DROP DATABASE IF EXISTS \"$name\"" >/dev/null ||
    warn "could not drop database $name; drop it by hand"
  local remaining=() db
  for db in "${DATABASES[@]}"; do
    [[ "$db" == "$name" ]] || remaining+=("$db")
  done
  DATABASES=("${remaining[@]}")
}

# ---- the server ------------------------------------------------------------------------------

# A port nothing on 127.0.0.1 listens on.
pick_free_port() {
  local port attempt
  for attempt in $(seq 1 100); do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if ! (exec 3<>"/dev/tcp/$HOST/$port") 2>/dev/null; then
      printf '%s' "$port"
      return 0
    fi
  done
  die "found no free port on $HOST after $attempt attempts"
}

# The environment the vitrine binary runs with, as arguments to `env`: the scenario's settings
# and no other VITRINE_* variable, so that none of the caller's configuration leaks in.
vitrine_env() {
  VITRINE_ENV=()
  local name
  for name in $(compgen -e); do
    if [[ "$name" == VITRINE_* ]]; then
      VITRINE_ENV+=(-u "$name")
    fi
  done
  VITRINE_ENV+=("VITRINE_LISTEN=$HOST:$PORT" "VITRINE_LOG=warn" "VITRINE_DATA_DIR=$DATA_DIR")
  if [[ -n "$DATABASE_URL" ]]; then
    VITRINE_ENV+=("VITRINE_DATABASE_URL=$DATABASE_URL")
  fi
}

now_ms() {
  local ns
  ns="$(date +%s%N)"
  printf '%s' "$((ns / 1000000))"
}

# Starts `vitrine serve [args]` and waits for the first 200 from /readyz; sets SERVER_PID and
# READY_MS, the time from launch to ready.
start_server() {
  PORT="$(pick_free_port)"
  SERVER_LOG="$DATA_DIR/server.log"
  vitrine_env
  local started
  started="$(now_ms)"
  # `exec`, so that $! is the server itself, not a shell around it. The server runs in its data
  # directory, where no vitrine.toml can be picked up.
  (cd "$DATA_DIR" && exec env "${VITRINE_ENV[@]}" "$VITRINE" serve "$@") >>"$SERVER_LOG" 2>&1 &
  SERVER_PID=$!

  local deadline=$((started + READY_TIMEOUT * 1000)) status
  while true; do
    status="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://$HOST:$PORT/readyz" || true)"
    if [[ "$status" == 200 ]]; then
      READY_MS=$(($(now_ms) - started))
      return 0
    fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      wait "$SERVER_PID" || true
      SERVER_PID=""
      show_server_log
      die "the server exited before it was ready"
    fi
    if (($(now_ms) > deadline)); then
      show_server_log
      die "the server was not ready within ${READY_TIMEOUT} s (last /readyz status: $status)"
    fi
    sleep 0.01
  done
}

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  local pid="$SERVER_PID" _
  SERVER_PID=""
  kill -TERM "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    warn "the server did not stop within 5 s of SIGTERM; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

server_is_alive() {
  [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null
}

show_server_log() {
  if [[ -s "${SERVER_LOG:-}" ]]; then
    printf -- '--- last lines of the server log (%s) ---\n' "$SERVER_LOG" >&2
    tail -n 40 "$SERVER_LOG" >&2
    printf -- '--- end of the server log ---\n' >&2
  fi
}


# The usual EXIT trap of a bench: stops the server, drops the databases made for the run and
# removes the work directory.
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_server
  local db
  for db in "${DATABASES[@]}"; do
    drop_postgres_database "$db"
  done
  [[ -n "$WORK_DIR" && -d "$WORK_DIR" ]] && rm -rf "$WORK_DIR"
  exit "$status"
}

# Posts a GraphQL body ($2) to the running server, as the bearer of $1 when given.
gql() {
  local token="$1" body="$2"
  curl -s --max-time 60 -H 'Content-Type: application/json' ${token:+-H "Authorization: Bearer $token"} \
    --data-binary "$body" "http://$HOST:$PORT/graphql"
}

# Creates an owner with `vitrine admin create`, signs in and prints the staff access token.
staff_token() {
  vitrine_env
  printf 'bench password 123\n' | (cd "$DATA_DIR" && env "${VITRINE_ENV[@]}" "$VITRINE" admin create \
    --email bench@example.com --role owner) >/dev/null || die "admin create failed"
  local staff
  staff="$(gql "" '{"query":"mutation { staffAccessTokenCreate(input: {email: \"bench@example.com\", password: \"bench password 123\"}) { staffAccessToken { accessToken } } }"}' |
    jq -r '.data.staffAccessTokenCreate.staffAccessToken.accessToken')"
  [[ "$staff" != null && -n "$staff" ]] || die "staff sign-in failed"
  printf '%s' "$staff"
}

# Prints the id of the first warehouse the token ($1) can see.
warehouse_id() {
  local location
  location="$(gql "$1" '{"query":"{ locations(first: 10) { nodes { id kind } } }"}' |
    jq -r '.data.locations.nodes[] | select(.kind == "WAREHOUSE") | .id' | head -n 1)"
  [[ -n "$location" ]] || die "no warehouse location"
  printf '%s' "$location"
}
