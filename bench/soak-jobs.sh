#!/usr/bin/env bash
# Soak of the job storage (Hangfire.Storage.SQLite in <data dir>/hangfire.db), against the package's known problems
# on Linux (distributed-lock timeouts, "Unable to update heartbeat ... The resource is not locked"): for DURATION
# seconds a manual backup job every 10 s, the recurring backup every minute, campaign writes, health probes, and one
# restart (SIGTERM, as a deploy does) in the middle. Passes when every job succeeded and the service's log holds
# 0 lock errors and 0 heartbeat warnings.
#   bench/soak-jobs.sh              # DURATION=600 (10 minutes); KEEP_WORK=1 keeps the data directory and logs
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-600}" BACKUP_EVERY="${BACKUP_EVERY:-10}" PROBE_EVERY="${PROBE_EVERY:-2}"
build_release
DATA="$WORK/data" PORT=$(free_port) BASE="http://127.0.0.1:$PORT"
auth=(-H "Authorization: Bearer $ADMIN_KEY")
settings=(Backups__Schedule='* * * * *' Backups__Keep=10)
counts="$WORK/counts"; : >"$counts"
count() { echo "$1" >>"$counts"; }

start() { start_api "$DATA" "$PORT" "${settings[@]}"; wait_ready "$PORT" 120; }

# Writes: create, update and delete a campaign, about twice a second, for the whole run (across the restart).
writer() {
  local n=0 body id code
  while :; do
    n=$((n + 1))
    body=$(printf '{"key":"soak-%d","name":"Soak %d","property":"mmm","description":"soak","offerUrl":"https://offers.example.com/s","imageUrl":"https://cdn.example.com/s.png","callToAction":"Go","priority":500}' "$n" "$n")
    id=$(curl -s -m 10 "${auth[@]}" -H 'Content-Type: application/json' -d "$body" "$BASE/api/campaigns" | jq -r '.id // empty' 2>/dev/null || true)
    if [[ -n "$id" ]]; then
      code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "${auth[@]}" -X PUT -H 'Content-Type: application/json' -d "$body" "$BASE/api/campaigns/$id")
      [[ "$code" == 200 ]] && count write-ok || count write-failed
      curl -s -m 10 -o /dev/null "${auth[@]}" -X DELETE "$BASE/api/campaigns/$id" && count write-ok || count write-failed
    else
      count write-failed
    fi
    sleep 0.5
  done
}

# Health probes: /health must answer 200 (Healthy or Degraded) except while the service restarts.
prober() {
  while :; do
    code=$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$BASE/health" || true)
    [[ "$code" == 200 ]] && count probe-ok || count "probe-$code"
    sleep "$PROBE_EVERY"
  done
}

echo "## Job storage soak ($(date -u +%FT%TZ))"
echo "$(machine)"
start
writer & PIDS+=($!)
prober & PIDS+=($!)
t_end=$(( $(date +%s) + DURATION )) restart_at=$(( $(date +%s) + DURATION / 2 )) restarted="" jobs=()
while (( $(date +%s) < t_end )); do
  if [[ -z "$restarted" ]] && (( $(date +%s) >= restart_at )); then
    log "restart (SIGTERM, then a new process on the same data directory)"
    stop_api; start; restarted=1; count restart
  fi
  id=$(curl -s -m 10 "${auth[@]}" -X POST "$BASE/api/admin/backups" | jq -r '.jobId // empty' 2>/dev/null || true)
  if [[ -n "$id" ]]; then jobs+=("$id"); else count backup-not-accepted; fi
  sleep "$BACKUP_EVERY"
done
sleep 15 # let the last jobs finish

succeeded=0 failed=0 other=0
for id in "${jobs[@]}"; do
  case "$(curl -s -m 10 "${auth[@]}" "$BASE/api/admin/jobs/$id" | jq -r .state)" in
    succeeded) succeeded=$((succeeded + 1)) ;; failed) failed=$((failed + 1)); curl -s "${auth[@]}" "$BASE/api/admin/jobs/$id" >&2 ;; *) other=$((other + 1)) ;;
  esac
done
stats=$(curl -s -m 10 "$BASE/health" | jq -c '.checks.jobs.data // .jobs // {}' 2>/dev/null || echo '{}')
stop_api
kill "${PIDS[@]:0:2}" 2>/dev/null || true

logs=("$WORK"/api-*.log)
problems() { grep -hE '"@l":"(Warning|Error|Fatal)"' "${logs[@]}" | grep -iE "$1" || true; }
lock_errors=$(problems 'DistributedLock|distributed lock|database is locked|SQLITE_BUSY|busy' | wc -l)
heartbeat_warnings=$(problems 'heartbeat' | wc -l)
hangfire_warnings=$(grep -hE '"@l":"(Warning|Error|Fatal)"' "${logs[@]}" | grep -c '"SourceContext":"Hangfire' || true)
echo "- duration ${DURATION} s, restart in the middle: $(grep -c restart "$counts" || true)"
echo "- manual backup jobs: ${#jobs[@]} accepted, $succeeded succeeded, $failed failed, $other not finished; not accepted: $(grep -c backup-not-accepted "$counts" || true)"
echo "- recurring backups (every minute): $(cat "${logs[@]}" | grep -c 'written (\\"scheduled\\")' || true) written"
echo "- writes: $(grep -c write-ok "$counts" || true) ok, $(grep -c write-failed "$counts" || true) failed"
echo "- health probes: $(grep -c probe-ok "$counts" || true) answered 200, $(grep -c 'probe-[^o]' "$counts" || true) did not (during the restart the port is closed)"
echo "- jobs health at the end: $stats"
echo "- hangfire.db: $(du -h "$DATA/hangfire.db" | cut -f1) (+ $(du -ch "$DATA"/hangfire.db-* 2>/dev/null | tail -1 | cut -f1) WAL/SHM)"
echo "- log: $(cat "${logs[@]}" | wc -l) lines; lock errors: $lock_errors; heartbeat warnings: $heartbeat_warnings; Hangfire warnings or errors of any kind: $hangfire_warnings"
if (( lock_errors > 0 || heartbeat_warnings > 0 )); then problems 'lock|heartbeat|busy' | head -20 >&2; fi
(( lock_errors == 0 && heartbeat_warnings == 0 && failed == 0 && other == 0 )) && echo "- result: PASS" || { echo "- result: FAIL"; exit 1; }
