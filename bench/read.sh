#!/usr/bin/env bash
# Read path: GET /api/campaigns from the service versus nginx serving the identical bytes from a file, with 12 and
# with 5,000 campaigns. Throughput with wrk (closed loop), latency at a fixed 1,000 req/s with hey, and the
# service's peak RSS (VmHWM) over the whole run.
#   bench/read.sh                 # both variants; DURATION=15s, CONNECTIONS=16, RATE=1000, RATE_SECONDS=20
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-15s}" CONNECTIONS="${CONNECTIONS:-16}" RATE="${RATE:-1000}" RATE_SECONDS="${RATE_SECONDS:-20}"
VARIANTS="${VARIANTS:-12 5000}"

build_release
API_PORT=$(free_port); NGINX_PORT=$(free_port)
DATA="$WORK/data"

add_campaigns() { # add_campaigns N: user campaigns straight into the file while the service is stopped
  sqlite3 "$DATA/campaigns.db" <<SQL
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
INSERT INTO campaigns (Key, Name, Property, Active, Description, OfferUrl, ImageUrl, CallToAction, Priority, Source, CreatedAt, UpdatedAt)
SELECT 'bench-' || i, 'Bench campaign ' || i, CASE i % 3 WHEN 0 THEN 'mmm' WHEN 1 THEN 'abc' ELSE 'xyz' END, 1,
       'Generated for the read benchmark; a description of typical length for a campaign teaser text.',
       'https://offers.example.com/bench/' || i, 'https://cdn.example.com/bench/' || i || '.png', 'Read more',
       1000 + i, 'User', '2026-11-23 10:00:00', '2026-11-23 10:00:00' FROM n;
SQL
}

echo "## Read path ($(date -u +%FT%TZ))"
echo "$(machine)"
echo "wrk -t2 -c$CONNECTIONS -d$DURATION --latency; hey -z ${RATE_SECONDS}s -c 10 -q $((RATE / 10)) (= $RATE req/s offered)"

start_api "$DATA" "$API_PORT"
wait_ready "$API_PORT"
for variant in $VARIANTS; do
  if [[ "$variant" != 12 ]]; then
    stop_api
    add_campaigns $(( variant - $(sqlite3 "$DATA/campaigns.db" 'SELECT count(*) FROM campaigns;') ))
    start_api "$DATA" "$API_PORT"
    wait_ready "$API_PORT"
  fi
  url="http://127.0.0.1:$API_PORT/api/campaigns"
  mkdir -p "$WORK/www"
  curl -sf "$url" -o "$WORK/www/campaigns.json"
  [[ -n "${NGINX_PID:-}" ]] || start_nginx "$WORK/www" "$NGINX_PORT"
  nginx_url="http://127.0.0.1:$NGINX_PORT/api/campaigns"
  cmp -s "$WORK/www/campaigns.json" <(curl -sf "$nginx_url") || { log "nginx bytes differ"; exit 1; }
  count=$(sqlite3 "$DATA/campaigns.db" 'SELECT count(*) FROM campaigns;')
  echo
  echo "### $count campaigns in the database, response $(stat -c %s "$WORK/www/campaigns.json") bytes"
  wrk -t2 -c"$CONNECTIONS" -d5s "$url" >/dev/null # warm-up (JIT tiering, caches)
  echo "- load before: $(cut -d' ' -f1-3 /proc/loadavg)"
  api=$(wrk_run "$url" "$DURATION" "$CONNECTIONS");          echo "- service throughput: $api"
  ngx=$(wrk_run "$nginx_url" "$DURATION" "$CONNECTIONS");    echo "- nginx throughput:   $ngx"
  awk -v a="${api%% *}" -v n="${ngx%% *}" 'BEGIN {printf "- ratio service/nginx: %.2f (target >= 0.50)\n", a / n}'
  echo "- service at $RATE req/s: $(hey_fixed "$url" "$RATE_SECONDS" "$RATE")"
  echo "- nginx at $RATE req/s:   $(hey_fixed "$nginx_url" "$RATE_SECONDS" "$RATE")"
  echo "- service peak RSS (VmHWM) since start: $(peak_rss "$API_PID"), RSS now $(current_rss "$API_PID")"
  echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
done
