#!/usr/bin/env bash
# Disk full while backing up: the data directory is a small tmpfs (needs root and mount; SIZE default 16m). The
# service is filled with campaigns, the volume nearly filled by another file, then:
#   1. a backup is requested: the job must fail cleanly (no .sqlite without its sidecar, no temporary file left),
#      and the service must keep serving reads and accepting writes;
#   2. writes go on until the volume is truly full: the answer must be 507 problem+json, never another 5xx;
#   3. reads still answer 200; once space is freed, writes succeed again;
#   4. after a restart on the same directory every acknowledged campaign is there and integrity_check is ok.
#   bench/drills/disk-full.sh
source "$(dirname "$0")/../lib.sh"
SIZE="${SIZE:-16m}"
build_release
MNT="$WORK/volume"; mkdir -p "$MNT"
if ! mount -t tmpfs -o "size=$SIZE" tmpfs "$MNT" 2>"$WORK/mount.err"; then
  echo "disk-full drill NOT RUN: cannot mount a tmpfs here ($(cat "$WORK/mount.err")); run it as root on a machine that allows mount"
  exit 2
fi
trap 'stop_api; umount "$MNT" 2>/dev/null || umount -l "$MNT"; cleanup' EXIT
DATA="$MNT/data"; PORT=$(free_port); BASE="http://127.0.0.1:$PORT"
auth=(-H "Authorization: Bearer $ADMIN_KEY")
desc=$(head -c 1400 /dev/urandom | base64 -w0 | head -c 1900)
acked="$WORK/acknowledged.txt"; : >"$acked"
post() { # post KEY -> status code; records the key when acknowledged
  local code
  code=$(curl -s -o "$WORK/last.json" -w '%{http_code}' "${auth[@]}" -H 'Content-Type: application/json' \
    -d "{\"key\":\"$1\",\"name\":\"Full $1\",\"property\":\"ful\",\"offerUrl\":\"https://o.example.com/$1\",\"description\":\"$desc\"}" "$BASE/api/campaigns")
  [[ "$code" == 201 ]] && echo "$1" >>"$acked"
  echo "$code"
}
avail_kb() { df -k --output=avail "$MNT" | tail -1 | tr -d ' '; }
failures=0; fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

echo "## Disk-full drill ($(date -u +%FT%TZ)), tmpfs of $SIZE"
echo "$(machine)"
start_api "$DATA" "$PORT"; wait_ready "$PORT"
for i in $(seq 300); do [[ "$(post "fill-$i")" == 201 ]] || fail "write fill-$i refused with room to spare"; done
echo "- 300 campaigns written; database $(du -sh "$DATA" | cut -f1) on the volume, $(avail_kb) KiB free"
db_kb=$(( $(stat -c %s "$DATA/campaigns.db") / 1024 ))
filler_kb=$(( $(avail_kb) - db_kb / 2 ))
dd if=/dev/zero of="$MNT/filler" bs=1K count="$filler_kb" status=none 2>/dev/null || true
echo "- volume filled by another file: $(avail_kb) KiB left, less than a backup needs (~$db_kb KiB)"

job=$(curl -sf "${auth[@]}" -X POST "$BASE/api/admin/backups" | jq -r .jobId)
for _ in $(seq 600); do
  record=$(curl -sf "${auth[@]}" "$BASE/api/admin/jobs/$job"); state=$(jq -r .state <<<"$record")
  [[ "$state" =~ ^(succeeded|failed)$ ]] && break; sleep 0.1
done
echo "- backup job: $state; error: $(jq -r .error <<<"$record" | cut -c1-200)"
[[ "$state" == failed ]] || fail "the backup did not fail on a full volume"
leftovers=$(find "$DATA/backups" -name '*.tmp*' 2>/dev/null | wc -l)
orphans=0; for f in "$DATA"/backups/*.sqlite; do [[ -e "$f" && ! -e "$f.json" ]] && orphans=$((orphans + 1)); done
echo "- after the failed backup: $leftovers temporary files, $orphans backups without a sidecar; listed: $(curl -sf "${auth[@]}" "$BASE/api/admin/backups" | jq length)"
(( leftovers == 0 && orphans == 0 )) || fail "a failed backup left files behind"
[[ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/campaigns")" == 200 ]] || fail "reads stopped after the failed backup"
code=$(post "after-backup"); echo "- a write right after the failed backup: $code"
[[ "$code" == 201 || "$code" == 507 ]] || fail "write after the failed backup answered $code"

declare -A codes=(); n=0
while (( n < 20000 )); do
  n=$((n + 1)); code=$(post "until-full-$n"); codes[$code]=$(( ${codes[$code]:-0} + 1 ))
  [[ "$code" == 201 ]] || break
done
summary=""; for c in "${!codes[@]}"; do summary+=" $c x${codes[$c]}"; done
echo "- writes until full: $n attempts:$summary; the refusal: $(jq -c '{status, title}' "$WORK/last.json" 2>/dev/null)"
[[ "$code" == 507 ]] || fail "a full volume answered $code, not 507"
for i in $(seq 20); do code=$(post "while-full-$i"); [[ "$code" == 507 || "$code" == 201 ]] || fail "while full: $code"; done
reads=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/campaigns"); health=$(curl -s -o "$WORK/h.json" -w '%{http_code}' "$BASE/health")
echo "- while full: GET /api/campaigns $reads, GET /health $health ($(jq -r .status "$WORK/h.json"))"
[[ "$reads" == 200 ]] || fail "reads failed while full"

rm -f "$MNT/filler"
code=$(post "after-freeing"); echo "- after freeing space: write $code"
[[ "$code" == 201 ]] || fail "writes did not recover after space was freed"
stop_api
start_api "$DATA" "$PORT"; wait_ready "$PORT"
stored=$(sqlite3 "$DATA/campaigns.db" "SELECT Key FROM campaigns WHERE Property = 'ful';" | sort)
lost=$(comm -23 <(sort "$acked") <(echo "$stored") | wc -l)
echo "- after restart: $(wc -l <"$acked") acknowledged, $lost lost; integrity_check: $(sqlite3 "$DATA/campaigns.db" 'PRAGMA integrity_check;')"
(( lost == 0 )) || fail "$lost acknowledged campaigns lost"
(( failures == 0 )) && echo "disk-full drill PASSED" || { echo "disk-full drill FAILED ($failures)"; exit 1; }
