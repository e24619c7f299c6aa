# Shared helpers for the bench/ scripts: sourced, never run. Everything listens on 127.0.0.1 only and every
# process a script starts is stopped by its pid when the script exits.
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
API_DLL="${API_DLL:-$ROOT/src/Campaigns.Api/bin/Release/net10.0/Campaigns.Api.dll}" # or a published build (a self-contained one: its apphost, no .dll)
SEED_DLL="$ROOT/src/Campaigns.Seed/bin/Release/net10.0/campaigns-seed.dll"
ADMIN_KEY="${ADMIN_KEY:-bench-admin-key-0123456789abcdef}"
WORK="${BENCH_WORK:-$(mktemp -d /tmp/campaigns-bench.XXXXXX)}"; mkdir -p "$WORK"
PIDS=()
chmod 755 "$WORK" # nginx workers (www-data) read the served file from here

cleanup() {
  local pid
  for pid in "${PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

log() { printf '[%s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

# One line that goes next to every figure: the machine and how busy it was.
machine() {
  printf 'machine: %s cores, %s RAM; %s; load average %s\n' \
    "$(nproc)" "$(free -h | awk '/^Mem:/ {print $2}')" "$(uname -r)" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

build_release() {
  if [[ -z "${SKIP_BUILD:-}" ]]; then
    log "dotnet build -c Release"
    (cd "$ROOT" && dotnet build -c Release Campaigns.sln -v q -nologo >/dev/null)
  fi
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; } # ratio A B: A / B to two decimals

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_api DATA_DIR PORT [extra env assignments...]: the Release build with the settings of the Docker image
# (Production, workstation GC, content root = the app folder); sets API_PID.
start_api() {
  local data="$1" port="$2"; shift 2
  mkdir -p "$data"
  (cd "$(dirname "$API_DLL")" && exec env ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=0 Storage__AllowEphemeral=true DATA_DIR="$data" ADMIN_API_KEY="$ADMIN_KEY" \
    "$@" $([[ "$API_DLL" == *.dll ]] && echo dotnet) "$API_DLL" --urls "http://127.0.0.1:$port" >>"$WORK/api-$port.log" 2>&1) &
  API_PID=$!
  PIDS+=("$API_PID")
}

# wait_ready PORT [TIMEOUT_S]: until /health answers 200.
wait_ready() {
  local port="$1" deadline=$(( $(date +%s) + ${2:-60} ))
  until [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" == 200 ]]; do
    if ! kill -0 "$API_PID" 2>/dev/null; then log "API exited:"; tail -20 "$WORK/api-$port.log" >&2; return 1; fi
    (( $(date +%s) < deadline )) || { log "API not ready in time"; return 1; }
    sleep 0.05
  done
}

stop_api() { kill "$API_PID" 2>/dev/null || true; wait "$API_PID" 2>/dev/null || true; }

# kB -> "N MiB"
peak_rss() { awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }
current_rss() { awk '/VmRSS/ {printf "%.0f MiB", $2/1024}' "/proc/$1/status"; }

# start_nginx ROOT_DIR PORT: serves ROOT_DIR as static files (access log off, 2 workers); sets NGINX_PID.
start_nginx() {
  local root="$1" port="$2" conf="$WORK/nginx-$2"
  mkdir -p "$conf" && chmod -R a+rX "$root"
  cat >"$conf/nginx.conf" <<CONF
worker_processes auto;
pid $conf/nginx.pid;
error_log $conf/error.log warn;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $conf/tmp;
  proxy_temp_path $conf/tmp;
  fastcgi_temp_path $conf/tmp;
  uwsgi_temp_path $conf/tmp;
  scgi_temp_path $conf/tmp;
  server {
    listen 127.0.0.1:$port;
    root $root;
    location /api/campaigns { default_type "application/json; charset=utf-8"; try_files /campaigns.json =404; }
  }
}
CONF
  nginx -c "$conf/nginx.conf" -p "$conf" &
  NGINX_PID=$!
  PIDS+=("$NGINX_PID")
  local i
  for i in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$port/api/campaigns" && return 0; sleep 0.05; done
  log "nginx did not start"; cat "$conf/error.log" >&2; return 1
}

# wrk_rps URL DURATION CONNECTIONS -> prints "requests/s p50 p99" (wrk --latency, 2 threads)
wrk_run() {
  local url="$1" duration="$2" connections="$3"
  wrk -t2 -c"$connections" -d"$duration" --latency "$url" >"$WORK/wrk.out"
  awk '/Requests\/sec/ {rps=$2} /^ +50%/ {p50=$2} /^ +99%/ {p99=$2} /Non-2xx/ {bad=$NF} END {printf "%s req/s, p50 %s, p99 %s%s\n", rps, p50, p99, (bad ? ", NON-2XX " bad : "")}' "$WORK/wrk.out"
}

# hey_fixed URL SECONDS RATE -> latency distribution at a fixed offered rate (10 workers, RATE/10 q/s each)
hey_fixed() {
  local url="$1" seconds="$2" rate="$3"
  hey -z "${seconds}s" -c 10 -q $(( rate / 10 )) "$url" >"$WORK/hey.out"
  awk '/Requests\/sec/ {rps=$2} /50%+ in/ {p50=$3*1000} /90%+ in/ {p90=$3*1000} /99%+ in/ {p99=$3*1000} /Slowest/ {max=$2*1000}
       /^ +\[[0-9]+\][ \t]+[0-9]+ responses/ {codes=codes " " $1 " x" $2}
       END {printf "%.0f req/s achieved, p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; status codes:%s\n", rps, p50, p90, p99, max, codes}' "$WORK/hey.out"
}
