#!/usr/bin/env bash
# Start to ready (process start -> first 200 from /health, polled every 10 ms) and redeploy downtime (SIGTERM to the
# running process -> the next process on the same data directory answers 200), for this service against a bare ASP.NET
# Core app (bench/hello: MapGet("/health")). Both are published here the way the Dockerfile publishes the service
# (Release, self-contained, one composite ReadyToRun image with the framework), and every round runs each case once,
# one after the other, so a change in the machine's load hits all of them alike. Prints the medians and the ratios to
# the bare app. PUBLISH=framework builds both framework-dependent ReadyToRun instead (the image before issue 12's fifth
# session), for comparison.
#   bench/start.sh                   # RUNS=7 rounds; SIZE_MB=1024 for the large database (0 leaves that case out)
# One start, for hyperfine (includes stopping the process):
#   hyperfine --runs 10 --prepare 'rm -rf /tmp/cs-start' 'bench/start.sh --once /tmp/cs-start'
# RUNTIME_ENV="DOTNET_X=1 ..." hands the same runtime settings to both apps (a setting the image could carry).
source "$(dirname "$0")/lib.sh"
RUNS="${RUNS:-7}" SIZE_MB="${SIZE_MB:-1024}" DB_CACHE="${DB_CACHE:-/tmp/campaigns-bench-db}" PUBLISH="${PUBLISH:-dockerfile}"
if [[ "$PUBLISH" == framework ]]; then
  RID="" PUBLISH_ARGS=(-c Release --self-contained false -p:PublishReadyToRun=true) EXT=.dll
else
  RID=linux-x64 PUBLISH_ARGS=(-c Release -r "$RID" --self-contained true -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=true) EXT=""
fi
HELLO_DLL="$WORK/hello/Hello$EXT"

publish() {
  if [[ -n "${SKIP_BUILD:-}" ]]; then return; fi
  log "dotnet publish ${PUBLISH_ARGS[*]} (as the Dockerfile does, unless PUBLISH=framework), the service and bench/hello"
  # Its own artifacts folder: a composite and a framework-dependent ReadyToRun build of one project would otherwise share
  # obj/Release/net10.0/linux-x64, and crossgen's incremental output of one is not valid for the other (a process
  # that aborts at start).
  local artifacts=(--artifacts-path "$WORK/artifacts")
  (cd "$ROOT" && dotnet publish src/Campaigns.Api/Campaigns.Api.csproj "${PUBLISH_ARGS[@]}" "${artifacts[@]}" -v q -nologo -o "$WORK/api" >/dev/null \
    && dotnet publish bench/hello/Hello.csproj "${PUBLISH_ARGS[@]}" "${artifacts[@]}" -v q -nologo -o "$WORK/hello" >/dev/null)
  # The database a new volume starts from, made by the CLI beside the service as the Dockerfile's last step makes it.
  log "campaigns-seed seed-template (as the Dockerfile does)"
  (cd "$ROOT" && dotnet run --project src/Campaigns.Seed -c Release -v q -- seed-template --out "$WORK/api/seed-data/campaigns.template.db" >/dev/null)
  API_DLL="$WORK/api/Campaigns.Api$EXT"
}

crossgen_extra() { # what Directory.Build.props adds to crossgen2's command line for this publish (the instruction set)
  local extra
  extra=$(cd "$ROOT" && dotnet msbuild bench/hello/Hello.csproj -getProperty:PublishReadyToRunCrossgen2ExtraArgs \
    -p:PublishReadyToRun=true ${RID:+-p:RuntimeIdentifier=$RID} 2>/dev/null)
  [[ -z "$extra" ]] || echo " (crossgen2 $extra, from Directory.Build.props)"
}

start_hello() { # start_hello PORT: the bare app with the same runtime settings; sets API_PID
  (cd "$WORK/hello" && exec env ASPNETCORE_ENVIRONMENT=Production DOTNET_gcServer=0 ${RUNTIME_ENV:-} $([[ "$HELLO_DLL" == *.dll ]] && echo dotnet) "$HELLO_DLL" \
    --urls "http://127.0.0.1:$1" >>"$WORK/hello-$1.log" 2>&1) &
  API_PID=$!
  PIDS+=("$API_PID")
}

# The poll must not take the cores the start needs: a curl and a sleep forked every 10 ms used 0.75 of this 2-core
# machine's CPUs (perf stat), which a start busy on both cores pays for and a single-threaded bare app barely feels.
# POLL=tcp (the default) asks over bash's own /dev/tcp and waits on a FIFO, forking nothing (0.06 CPUs); POLL=curl is
# the poll of the sessions before the ninth, kept for comparison.
POLL="${POLL:-tcp}"
TICK="$WORK/tick"; [[ -p "$TICK" ]] || mkfifo "$TICK"; exec 9<>"$TICK" # read -t on it: a 10 ms wait without forking sleep

health_is_200() { # health_is_200 PORT
  if [[ "$POLL" == curl ]]; then
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/health")" == 200 ]]
    return
  fi
  local status=""
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || return 1
  printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  read -r -t 5 -u 3 status || true
  exec 3>&-
  [[ "$status" == "HTTP/1.1 200 "* ]]
}

until_ready() { # until_ready PORT: polls /health every 10 ms until it answers 200
  until health_is_200 "$1"; do
    kill -0 "$API_PID" 2>/dev/null || { tail -20 "$WORK"/*-"$1".log >&2; return 1; }
    read -r -t 0.01 -u 9 || true
  done
}

start_ms() { # start_ms hello|DATA_DIR [ENV=VALUE...] -> milliseconds from process start to the first 200; stops the process after
  local port t0 t1; port=$(free_port)
  t0=$(date +%s%N)
  if [[ "$1" == hello ]]; then start_hello "$port"; else start_api "$1" "$port" "${@:2}" ${RUNTIME_ENV:-}; fi
  until_ready "$port"
  t1=$(date +%s%N)
  # The first reader right after ready (EF's first use follows ready, as a preload): its latency, kept beside the start.
  if [[ "$1" != hello ]]; then
    curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$port/api/campaigns" | awk '{printf "%d ", $1 * 1000}' >>"$WORK/first-list"
  fi
  stop_api
  echo $(( (t1 - t0) / 1000000 ))
}

redeploy_ms() { # redeploy_ms hello|DATA_DIR -> milliseconds from SIGTERM to the old process to the new one's first 200
  local port t0 t1; port=$(free_port)
  if [[ "$1" == hello ]]; then start_hello "$port"; else start_api "$1" "$port" ${RUNTIME_ENV:-}; fi
  until_ready "$port"
  sleep 0.5 # past the first request, as a deploy that has been serving
  port=$(free_port)
  t0=$(date +%s%N); stop_api # SIGTERM, then wait for it to exit: the platform releases the volume only then
  if [[ "$1" == hello ]]; then start_hello "$port"; else start_api "$1" "$port" ${RUNTIME_ENV:-}; fi
  until_ready "$port"
  t1=$(date +%s%N); stop_api
  echo $(( (t1 - t0) / 1000000 ))
}

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
spread() { sort -n | awk '{a[NR]=$1} END {printf "min %d, median %d, max %d ms", a[1], a[int((NR+1)/2)], a[NR]}'; }

if [[ "${1:-}" == --once ]]; then SKIP_BUILD=1; start_ms "${2:?data dir}" >/dev/null; exit; fi
publish
echo "## Start to ready and redeploy downtime ($(date -u +%FT%TZ))"
echo "$(machine)"
echo "published with: ${PUBLISH_ARGS[*]}$(crossgen_extra); $RUNS rounds, the cases alternating in each; /health polled every 10 ms with POLL=$POLL${RUNTIME_ENV:+; both apps run with $RUNTIME_ENV}"

EXISTING="$WORK/existing"; start_ms "$EXISTING" >/dev/null # a small database from an earlier start: the normal redeploy
start_ms hello >/dev/null # the first start of each pays for reading the runtime's files from disk
cases=(hello existing empty untemplated)
if (( SIZE_MB > 0 )); then
  if [[ ! -f "$DB_CACHE/campaigns.db" ]] || (( $(stat -c %s "$DB_CACHE/campaigns.db") < SIZE_MB * 1024 * 1024 )); then
    log "generating a $SIZE_MB MiB database in $DB_CACHE"
    SKIP_BUILD=1 API_DLL="$API_DLL" bash "$BENCH_DIR/gen-db.sh" "$DB_CACHE" "$SIZE_MB"
  fi
  LARGE="$WORK/large"; mkdir -p "$LARGE"; cp "$DB_CACHE/campaigns.db" "$LARGE/campaigns.db"
  start_ms "$LARGE" >/dev/null # its migrations were applied when it was generated: this start finds none pending
  cases+=(large)
  echo "large database: $(( $(stat -c %s "$LARGE/campaigns.db") / 1024 / 1024 )) MiB, no migration pending"
fi

declare -A results
for round in $(seq "$RUNS"); do
  for c in "${cases[@]}"; do
    case "$c" in
      hello) dir=hello ;; existing) dir="$EXISTING" ;; large) dir="$LARGE" ;;
      empty) dir="$WORK/empty-$round" ;;
      untemplated) dir="$WORK/untemplated-$round" ;;
    esac
    # The template named by a path where there is none: a new database built at the start (an image from before it).
    results[$c]+="$(start_ms "$dir" $([[ "$c" == untemplated ]] && echo "Seeding__TemplateFile=$WORK/no-template.db")) "
  done
  results[redeploy-hello]+="$(redeploy_ms hello) "
  results[redeploy]+="$(redeploy_ms "$EXISTING") "
  log "round $round of $RUNS done"
done

med() { tr ' ' '\n' <<<"${results[$1]}" | grep . | median; }
all() { tr ' ' '\n' <<<"${results[$1]}" | grep . | spread; }
hello=$(med hello)
echo "- bare app, start to ready: $(all hello)"
echo "- service, existing small database: $(all existing); ratio $(ratio "$(med existing)" "$hello") (target <= 1.5)"
echo "- service, empty data directory: $(all empty); ratio $(ratio "$(med empty)" "$hello") (target <= 2)"
echo "- service, empty data directory without the seed template (built at the start, as before it): $(all untemplated); ratio $(ratio "$(med untemplated)" "$hello")"
if [[ -n "${results[large]:-}" ]]; then
  echo "- service, large database: $(all large); ratio $(ratio "$(med large)" "$hello") (target <= 2)"
fi
echo "- bare app, redeploy (SIGTERM -> new process answers 200): $(all redeploy-hello)"
echo "- service, redeploy on the small database: $(all redeploy); ratio to the bare app's start $(ratio "$(med redeploy)" "$hello") (target <= 2)"
echo "- service, first GET /api/campaigns right after its first /health 200 (every service start above): $(tr ' ' '\n' <"$WORK/first-list" | grep . | spread)"
echo "- load after: $(cut -d' ' -f1-3 /proc/loadavg)"
