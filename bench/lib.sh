# Shared helpers of the benchmark scripts (sourced).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
shared=${SHARED_BENCH:-$root/../shared/bench}
bin=$root/target/release/sponsorhub
pg_admin=${BENCH_PG:-postgres://postgres@127.0.0.1:5432}

need_wrk() { command -v wrk >/dev/null || apt-get install -y -qq wrk >/dev/null; }
build() { (cd "$root" && cargo build --release --locked -q -p sponsorhub); }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }

# start_server <database url> <data dir>: starts the release binary, waits for /healthz.
start_server() {
  port=$(free_port)
  DATABASE_URL=$1 SPONSORHUB_DATA_DIR=$2 SPONSORHUB_BIND=127.0.0.1:$port \
    SPONSORHUB_CAPTURE_LIMIT=1000000000 SPONSORHUB_JWT_SECRET=bench-secret-of-thirty-two-bytes-or-more \
    RUST_LOG=warn "$bin" serve >"$2/server.log" 2>&1 &
  server_pid=$!
  base=http://127.0.0.1:$port
  for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && return 0; sleep 0.1; done
  echo "server did not start:"; cat "$2/server.log"; return 1
}
stop_server() { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }

# seed <database url> <data dir> <sponsors>: organizer, event, sponsors, staff; sets EVENT SPONSORS TOKEN ...
seed() {
  eval "$(DATABASE_URL=$1 SPONSORHUB_DATA_DIR=$2 SPONSORHUB_JWT_SECRET=bench-secret-of-thirty-two-bytes-or-more \
    RUST_LOG=warn "$bin" seed --sponsors "$3")"
  export EVENT SPONSORS TOKEN ORG ORGANIZER_TOKEN
}
