#!/usr/bin/env bash
# bench-http.sh: issue Data Integrity credentials over HTTP on one node and
# compare the rate with Digital Bazaar's in-process signing rate on the same
# machine (the target of the speed issue: at least 10x).
#
#   make bench-http                      # bolt and Redis, 15 s each
#   BENCH_STORES=bolt BENCH_DURATION=30s make bench-http
#
# It builds bin/accolade, starts `accolade serve` on a fresh data directory
# for each store, runs `accolade bench issue` against it (the load generator
# shares the machine's cores with the server), then runs the `bench` op of
# interop/js/dbvc.mjs on a credential the server issued.
set -euo pipefail

cd "$(dirname "$0")/.."
BIN=${BIN:-bin/accolade}
DURATION=${BENCH_DURATION:-15s}
CONCURRENCY=${BENCH_CONCURRENCY:-32}
STORES=${BENCH_STORES:-bolt redis}
REDIS_URL=${ACCOLADE_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}
PORT=${BENCH_PORT:-18090}
: "${ACCOLADE_CONTEXTS_DIR:?set ACCOLADE_CONTEXTS_DIR (make bench-http does)}"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

declare -A rate
for store in $STORES; do
  dir="$work/$store"
  mkdir -p "$dir"
  args=(--data-dir "$dir" --addr "127.0.0.1:$PORT" --log-level warn)
  if [ "$store" = redis ]; then
    args+=(--store "$REDIS_URL" --redis-prefix "accolade-bench-$$-$RANDOM")
  fi
  "$BIN" serve "${args[@]}" >"$dir/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  echo "== $store: accolade bench issue --duration $DURATION --concurrency $CONCURRENCY"
  # bench issue takes only its own settings: the server and its data directory (for the admin token).
  "$BIN" bench issue --data-dir "$dir" --addr "127.0.0.1:$PORT" --duration "$DURATION" --concurrency "$CONCURRENCY" --json >"$dir/report.json"
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print("   %(issued)d issued, %(failed)d failed, %(perSecond).0f/s, p50 %(p50).1f ms, p99 %(p99).1f ms, %(verified)d sampled credentials verified" % dict(r, **r["latencyMs"]))' "$dir/report.json"
  rate[$store]=$(python3 -c 'import json,sys; print(round(json.load(open(sys.argv[1]))["perSecond"]))' "$dir/report.json")
  token=$(cat "$dir/admin-token")
  curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/credentials?limit=1" >"$work/one.json"
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
  # Redis keys of the run are left under their prefix only if the script is killed.
  if [ "$store" = redis ] && command -v redis-cli >/dev/null; then
    prefix=${args[-1]}
    redis-cli -u "$REDIS_URL" --scan --pattern "*$prefix*" | xargs -r -n 500 redis-cli -u "$REDIS_URL" del >/dev/null || true
  fi
done

echo "== peer: Digital Bazaar eddsa-rdfc-2022 in process (interop/js/dbvc.mjs bench, 5 s)"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["items"][0]["credential"]; print(json.dumps({"op":"bench","credential":c,"seconds":5}))' "$work/one.json" >"$work/peer.json"
# The harness reads one directory (the one holding index.json).
ctxdir=""
IFS=: read -ra dirs <<<"$ACCOLADE_CONTEXTS_DIR"
for d in "${dirs[@]}"; do [ -f "$d/index.json" ] && ctxdir=$d && break; done
peer=$(ACCOLADE_CONTEXTS_DIR="$ctxdir" node interop/js/dbvc.mjs <"$work/peer.json")
echo "   $peer"
peer_rate=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["signPerSecond"])' "$peer")
for store in $STORES; do
  python3 -c 'import sys; r,p=float(sys.argv[2]),float(sys.argv[3]); print("   %-6s %6.0f/s = %4.1fx the peer (%d/s)" % (sys.argv[1], r, r/p, p))' "$store" "${rate[$store]}" "$peer_rate"
done
