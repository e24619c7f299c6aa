#!/usr/bin/env bash
# Off-site copies side by side in one run: Litestream 0.3.13 beside the service (file replica + S3 replica, 1 s sync)
# against this service's own off-site copies in sync and in async mode, and the service with off-site off as the
# latency baseline. The same workload for each, round by round, the contenders alternating in each round so a change
# in the machine's load hits all of them alike:
#   4 writers (bench/offsite/writer.mjs: create, edit every third, delete every third, one keep-alive connection
#   each) for WRITE_SECONDS, then kill -9 of the service and of Litestream (the container dies), the data directory
#   wiped (the volume is lost), a start on the empty one (for Litestream: `litestream restore`, then the start), and a
#   check of every write that got a 2xx, edits and deletes included.
# The store is s3rver 3.7.1 on loopback behind a counting proxy (bench/offsite/count-proxy.mjs), one per contender, so
# every request each contender makes is counted: while writing (per 1,000 writes), while restoring, and idle (an
# IDLE_SECONDS window after a short burst of writes, extrapolated to an hour).
#   bench/offsite.sh                       # ROUNDS=10, WRITE_SECONDS=10, IDLE_SECONDS=120
#   ROUNDS=1 IDLE_SECONDS=20 bench/offsite.sh   # a quick look
# Installs what it needs (npm, into the git-ignored .tools/): @flydotio/litestream-linux-x64@1.0.1 (Litestream
# v0.3.13's binary) and s3rver@3.7.1. Writes its table to stdout and keeps the raw figures in bench/out/offsite-*/.
source "$(dirname "$0")/lib.sh"
ROUNDS="${ROUNDS:-10}" WRITE_SECONDS="${WRITE_SECONDS:-10}" IDLE_SECONDS="${IDLE_SECONDS:-120}" WRITERS="${WRITERS:-4}"
CONTENDERS=(${CONTENDERS:-off litestream sync async})
TOOLS="$ROOT/.tools"
LITESTREAM="$TOOLS/litestream/node_modules/@flydotio/litestream-linux-x64/litestream"
S3RVER_JS="${CAMPAIGNS_TEST_S3RVER:-$TOOLS/s3rver/node_modules/s3rver/bin/s3rver.js}"
CLIENT="$BENCH_DIR/offsite/writer.mjs"
OUT="${OUT:-$ROOT/bench/out/offsite-$(date -u +%Y%m%dT%H%M%SZ)}"; mkdir -p "$OUT"
BUCKET=bench

install_tools() {
  [[ -x "$LITESTREAM" ]] || npm install --prefix "$TOOLS/litestream" --no-audit --no-fund --loglevel=error @flydotio/litestream-linux-x64@1.0.1 >&2
  [[ -f "$S3RVER_JS" ]] || npm install --prefix "$TOOLS/s3rver" --no-audit --no-fund --loglevel=error s3rver@3.7.1 >&2
  [[ "$("$LITESTREAM" version)" == v0.3.13 ]] || { log "expected Litestream v0.3.13 at $LITESTREAM"; exit 1; }
}

publish() { # the service as the Dockerfile publishes it (Release, framework-dependent, ReadyToRun)
  if [[ -n "${SKIP_BUILD:-}" ]]; then return; fi
  log "dotnet publish -c Release -p:PublishReadyToRun=true (as the Dockerfile does)"
  (cd "$ROOT" && dotnet publish src/Campaigns.Api/Campaigns.Api.csproj -c Release --self-contained false \
    -p:PublishReadyToRun=true -v q -nologo -o "$WORK/api" >/dev/null)
  API_DLL="$WORK/api/Campaigns.Api.dll"
}

start_store() { # one s3rver; one counting proxy per contender (PROXY_PORT[c], request log $WORK/store-c.log)
  S3_PORT=$(free_port)
  node "$S3RVER_JS" -d "$WORK/s3" -a 127.0.0.1 -p "$S3_PORT" --silent --configure-bucket "$BUCKET" >"$WORK/s3rver.log" 2>&1 &
  PIDS+=("$!")
  declare -gA PROXY_PORT
  local c
  for c in "${CONTENDERS[@]}"; do
    PROXY_PORT[$c]=$(free_port); : >"$WORK/store-$c.log"
    node "$BENCH_DIR/offsite/count-proxy.mjs" "${PROXY_PORT[$c]}" "$S3_PORT" "$WORK/store-$c.log" &
    PIDS+=("$!")
  done
  local i
  for i in $(seq 200); do
    curl -s -o /dev/null "http://127.0.0.1:${PROXY_PORT[${CONTENDERS[0]}]}/" && return 0
    sleep 0.05
  done
  log "s3rver did not start"; cat "$WORK/s3rver.log" >&2; return 1
}

requests() { wc -l <"$WORK/store-$1.log"; } # requests the contender has made of the store so far

stored_bytes() { # stored_bytes PREFIX: bytes of the objects under bucket/PREFIX (s3rver keeps each as KEY._S3rver_object)
  local dir="$WORK/s3/$BUCKET/$1"
  [[ -d "$dir" ]] || { echo 0; return; }
  find "$dir" -name '*._S3rver_object' -printf '%s\n' | awk '{s+=$1} END {print s+0}'
}

offsite_env() { # offsite_env CONTENDER PREFIX -> the service's environment for that contender
  case "$1" in
    sync|async) printf '%s\n' "OffSite__Endpoint=http://127.0.0.1:${PROXY_PORT[$1]}" "OffSite__Bucket=$BUCKET" \
      OffSite__AccessKeyId=S3RVER OffSite__SecretAccessKey=S3RVER OffSite__Region=us-east-1 "OffSite__Prefix=$2" "OffSite__Mode=$1" ;;
    *) ;; # off: no OffSite__ settings at all
  esac
}

litestream_config() { # litestream_config VOLUME ROUND -> config path: a file replica off the volume and an S3 replica
  local cfg="$WORK/litestream-$2.yml"
  cat >"$cfg" <<YML
dbs:
  - path: $1/campaigns.db
    replicas:
      - name: file
        type: file
        path: $WORK/litestream-file/r$2
        sync-interval: 1s
      - name: s3
        type: s3
        endpoint: http://127.0.0.1:${PROXY_PORT[litestream]}
        bucket: $BUCKET
        path: litestream/r$2
        region: us-east-1
        access-key-id: S3RVER
        secret-access-key: S3RVER
        force-path-style: true
        sync-interval: 1s
YML
  echo "$cfg"
}

start_contender() { # start_contender CONTENDER VOLUME ROUND: the service (and Litestream beside it), until ready
  local c="$1" vol="$2" round="$3" env
  mapfile -t env < <(offsite_env "$c" "$c/r$round/")
  PORT=$(free_port)
  start_api "$vol" "$PORT" "${env[@]}"
  wait_ready "$PORT" 180
  LS_PID=""
  if [[ "$c" == litestream ]]; then
    "$LITESTREAM" replicate -config "$(litestream_config "$vol" "$round")" >>"$WORK/litestream-$round.log" 2>&1 &
    LS_PID=$!; PIDS+=("$LS_PID")
    sleep 1.5 # its first sync: the generation and the snapshot of the database it found
  fi
}

kill_container() { # kill -9 the service and Litestream: the container dies
  kill -9 "$API_PID" ${LS_PID:+"$LS_PID"} 2>/dev/null || true
  wait "$API_PID" ${LS_PID:+"$LS_PID"} 2>/dev/null || true
}

# One round of one contender: appends a row to rounds.tsv (columns in its header line).
run_round() {
  local c="$1" r="$2" vol="$WORK/volume-$1" acks="$OUT/acks-$1-$2.json" t0 t1 req0 req1 req2 written lost ready_ms bytes check
  rm -rf "$vol"; mkdir -p "$vol"
  start_contender "$c" "$vol" "$r"
  req0=$(requests "$c")
  node "$CLIENT" write "http://127.0.0.1:$PORT" "$ADMIN_KEY" "$c-r$r" "$acks" "$WRITERS" 300 >"$OUT/write-$c-$r.json" &
  local writer=$!
  sleep "$WRITE_SECONDS"
  kill_container
  wait "$writer"
  req1=$(requests "$c")
  written=$(jq .acknowledged "$acks")
  if [[ "$c" == litestream ]]; then bytes=$(stored_bytes "litestream/r$r"); else bytes=$(stored_bytes "$c/r$r/"); fi
  if [[ "$c" == off ]]; then # the baseline: nothing off-site to come back from
    row "$c" "$r" "$written" - - "$(( req1 - req0 ))" - "$bytes"
    return
  fi
  sleep 0.2
  rm -rf "$vol"; mkdir -p "$vol" # the volume is gone; a new empty one is mounted
  t0=$(date +%s%N)
  if [[ "$c" == litestream ]]; then
    "$LITESTREAM" restore -config "$WORK/litestream-$r.yml" "$vol/campaigns.db" >>"$WORK/litestream-$r.log" 2>&1
    local env; mapfile -t env < <(offsite_env off "")
    PORT=$(free_port); start_api "$vol" "$PORT" "${env[@]}"
  else
    local env; mapfile -t env < <(offsite_env "$c" "$c/r$r/")
    PORT=$(free_port); start_api "$vol" "$PORT" "${env[@]}"
  fi
  wait_ready "$PORT" 180
  t1=$(date +%s%N)
  ready_ms=$(( (t1 - t0) / 1000000 ))
  check=$(node "$CLIENT" check "http://127.0.0.1:$PORT" "$acks")
  echo "$check" >"$OUT/check-$c-$r.json"
  lost=$(jq .lost <<<"$check")
  req2=$(requests "$c")
  stop_api
  (( lost == 0 )) || log "$c round $r: $lost acknowledged writes lost: $(jq -c .examples <<<"$check")"
  row "$c" "$r" "$written" "$lost" "$ready_ms" "$(( req1 - req0 ))" "$(( req2 - req1 ))" "$bytes"
}

row() { # the round's figures and the load average, to rounds.tsv and the terminal
  local line; line="$(printf '%s\t' "$@")$(cut -d' ' -f1 /proc/loadavg)"
  echo "$line" >>"$OUT/rounds.tsv"; log "$line"
}

# Idle: every contender with off-site copies at once, after a 2 s burst of writes and a settling pause, for IDLE_SECONDS.
idle() {
  local c pids=() ports=() idle_contenders=()
  for c in "${CONTENDERS[@]}"; do [[ "$c" == off ]] || idle_contenders+=("$c"); done
  (( ${#idle_contenders[@]} > 0 )) || return 0
  for c in "${idle_contenders[@]}"; do
    rm -rf "$WORK/volume-idle-$c"; mkdir -p "$WORK/volume-idle-$c"
    start_contender "$c" "$WORK/volume-idle-$c" "idle"
    pids+=("$API_PID ${LS_PID:-}"); ports+=("$PORT")
    node "$CLIENT" write "http://127.0.0.1:$PORT" "$ADMIN_KEY" "idle-$c" "$OUT/acks-idle-$c.json" 1 2 >/dev/null
  done
  sleep 10
  declare -A before
  for c in "${idle_contenders[@]}"; do before[$c]=$(requests "$c"); done
  log "idle window: ${IDLE_SECONDS} s"
  sleep "$IDLE_SECONDS"
  for c in "${idle_contenders[@]}"; do
    printf '%s\t%s\t%s\n' "$c" "$(( $(requests "$c") - ${before[$c]} ))" "$IDLE_SECONDS" | tee -a "$OUT/idle.tsv" >&2
  done
  local p
  for p in "${pids[@]}"; do kill $p 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait $p 2>/dev/null || true; done
}

install_tools
publish
start_store
{
  echo "## Off-site copies: Litestream 0.3.13 against this service's sync and async modes ($(date -u +%FT%TZ))"
  echo "$(machine)"
  echo "$ROUNDS rounds of: $WRITERS writers for $WRITE_SECONDS s, kill -9, volume wiped, start on the empty one, every acknowledged write checked; contenders alternate in each round: ${CONTENDERS[*]}"
} | tee "$OUT/header.txt"

printf 'contender\tround\tacknowledged\tlost\tready_ms\trequests_writing\trequests_restoring\tbytes\tload1\n' >"$OUT/rounds.tsv"
for r in $(seq "$ROUNDS"); do
  for c in "${CONTENDERS[@]}"; do
    run_round "$c" "$r"
  done
  log "round $r of $ROUNDS done (load $(cut -d' ' -f1-3 /proc/loadavg))"
done
printf 'contender\trequests\tseconds\n' >"$OUT/idle.tsv"
idle
du -sb "$WORK/litestream-file" 2>/dev/null | awk '{print "litestream file replica, all rounds: " $1 " bytes"}' >"$OUT/file-replica.txt" || true
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/header.txt"
node "$CLIENT" report "$OUT" | tee "$OUT/report.md"
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "raw figures: $OUT"
