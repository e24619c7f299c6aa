#!/usr/bin/env bash
# Start to ready: process start -> first 200 from /health, on an empty data directory (migrate + reseed the 12),
# RUNS times (default 10); polled every 10 ms with curl. The 1 GB case is in bench/backup.sh.
#   bench/start.sh
# The same with hyperfine (includes stopping the process; prints mean and spread):
#   hyperfine --runs 10 --prepare 'rm -rf /tmp/cs-start' 'bench/start.sh --once /tmp/cs-start'
source "$(dirname "$0")/lib.sh"
RUNS="${RUNS:-10}"

once() { # once DATA_DIR -> milliseconds to ready
  local port t0 t1; port=$(free_port)
  t0=$(date +%s%N); start_api "$1" "$port"
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" == 200 ]]; do
    kill -0 "$API_PID" 2>/dev/null || { tail -20 "$WORK/api-$port.log" >&2; return 1; }
    sleep 0.01
  done
  t1=$(date +%s%N); stop_api
  echo $(( (t1 - t0) / 1000000 ))
}

if [[ "${1:-}" == --once ]]; then SKIP_BUILD=1; once "${2:?data dir}" >/dev/null; exit; fi
build_release
echo "## Start to ready, empty data directory ($(date -u +%FT%TZ))"
echo "$(machine)"
once "$WORK/warm" >/dev/null # first run pays for loading the runtime files from disk
times=()
for i in $(seq "$RUNS"); do times+=("$(once "$WORK/run-$i")"); done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "- %d runs: min %d ms, median %d ms, max %d ms (target < 1000 ms)\n", NR, a[1], a[int((NR+1)/2)], a[NR]}'
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
