#!/usr/bin/env bash
# putcheck side by side with a raw load generator (oha, else wrk) and Hurl, on the same
# PUTs, on loopback. Usage: bench/compare.sh [FILES] [JOBS]   (default 5000 files, 16 jobs)
#
# Suites: FILES spec files of one PUT test each; putcheck sends each test twice, so the
# fast suite is 2 × FILES PUTs. Targets: nginx with WebDAV PUT (Debian's `nginx`, started
# on a loopback port from a temporary prefix) when installed, else `putcheck serve`'s
# `/echo`; the 20 ms suite runs against `putcheck serve`'s `/delay/20`.
# Prints one markdown table per suite: median wall, median CPU (user+sys of the client
# only), requests/s, ratios, peak RSS. Then `--list` over 10,000 files and a full run's
# peak RSS over them. Medians of RUNS runs (default 5). The machine's other load counts:
# read the CPU column where wall time is noisy.
#
# Tools: oha (`cargo install oha`) when installed, else wrk (`apt-get install wrk`) with
# bench/put.lua; Hurl when `hurl` is on PATH (otherwise skipped with a line saying so).
# PUTCHECK=path measures another build (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-5000}
jobs=${2:-16}
runs=${RUNS:-5}
slow_files=${SLOW_FILES:-1000}
list_files=${LIST_FILES:-10000}
latency=20
demo_port=${PUTCHECK_BENCH_PORT:-18183}
nginx_port=$((demo_port + 1))
puts=$((files * 2))
body='{"name":"widget","size":3,"tags":["a","b"]}'

if [ -z "${PUTCHECK:-}" ]; then
  cargo build --release --locked -q
  PUTCHECK=target/release/putcheck
fi
work=$(mktemp -d)
cleanup() {
  [ -n "${demo:-}" ] && kill "$demo" 2>/dev/null
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  rm -rf "$work"
  case "${dav:-}" in /dev/shm/putcheck-bench.*) rm -rf "$dav" ;; esac
}
trap cleanup EXIT

"$PUTCHECK" serve --addr "127.0.0.1:$demo_port" 2>/dev/null &
demo=$!

# nginx: WebDAV PUT into a temporary root, one worker, access log off.
fast_base="http://127.0.0.1:$demo_port"
fast_path=/echo
fast_target="putcheck serve /echo (nginx not installed: apt-get install nginx)"
if command -v nginx >/dev/null; then
  # The PUT files go to memory (/dev/shm) when it is there: the disk is not what is
  # measured (on this machine nginx writing to disk manages ~5,000 PUT/s, to memory ~27,000).
  dav=$work/nginx
  if [ -d /dev/shm ] && [ -w /dev/shm ]; then
    dav=$(mktemp -d -p /dev/shm putcheck-bench.XXXXXX)
  fi
  mkdir -p "$work/nginx" "$dav/root/dav" "$dav/tmp"
  cat > "$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon on;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
user root;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dav/tmp;
  server {
    listen 127.0.0.1:$nginx_port;
    root $dav/root;
    keepalive_requests 100000;
    location /dav/ { dav_methods PUT; create_full_put_path on; }
  }
}
EOF
  nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
  fast_base="http://127.0.0.1:$nginx_port"
  fast_path=/dav/w.json
  fast_target="nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') WebDAV PUT"
fi
sleep 0.5

# suite DIR N BASE PATH EXPECT: N putcheck spec files and N Hurl files (2 PUTs each).
suite() {
  local dir=$1 n=$2 base=$3 path=$4 expect=$5
  mkdir -p "$dir/specs" "$dir/hurl"
  for f in $(seq 1 "$n"); do
    printf 'base_url: %s\ntests:\n  - name: put\n    put: %s?f=%s\n    json: { name: widget, size: 3, tags: [a, b] }\n    expect: { status: %s }\n' \
      "$base" "$path" "$f" "$expect" > "$dir/specs/f$f.yaml"
    for _ in 1 2; do
      printf 'PUT %s%s?f=%s\nContent-Type: application/json\n```\n%s\n```\nHTTP *\n[Asserts]\nstatus < 300\n\n' \
        "$base" "$path" "$f" "$body" >> "$dir/hurl/f$f.hurl"
    done
  done
}

# measure NAME CMD...: bench/measure.sh.
. bench/measure.sh

# raw N CONCURRENCY URL: the raw load generator's wall for N PUTs and its CPU.
raw() {
  local n=$1 c=$2 url=$3
  if command -v oha >/dev/null; then
    raw_tool="oha $(oha --version | awk '{print $2}') -n $n -c $c"
    measure raw oha -n "$n" -c "$c" -m PUT -H 'Content-Type: application/json' -d "$body" \
      --no-tui "$url"
    raw_n=$n
  else
    # wrk runs for a duration, not a count: run 3 s, scale to N from its request count.
    raw_tool="wrk 4.1 -t 2 -c $c (3 s, scaled to $n PUTs; oha not installed)"
    measure raw wrk -t 2 -c "$c" -d 3s -s bench/put.lua "$url"
    raw_n=$(awk '/requests in/ {print $1}' "$work/raw.out")
    local scale
    scale=$(echo "$n / $raw_n" | bc -l)
    wall=$(echo "$wall * $scale" | bc -l)
    cpu=$(echo "$cpu * $scale" | bc -l)
  fi
}

row() { # name wall cpu n rss
  printf '| %s | %.3f s | %.3f s | %.0f | %.1f µs | %.2f× | %.2f× | %.0f MiB |\n' "$1" "$2" "$3" \
    "$(echo "$4 / $2" | bc -l)" "$(echo "$3 * 1000000 / $4" | bc -l)" \
    "$(echo "$2 / $raw_wall" | bc -l)" "$(echo "$3 / $raw_cpu" | bc -l)" "$(echo "$5 / 1024" | bc -l)"
}
header() {
  echo "| tool | wall (median of $runs) | CPU user+sys (median) | requests/s | CPU per request | wall ÷ raw | CPU ÷ raw | peak RSS |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo), load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo

# 1. Fast target: FILES × 2 PUTs at JOBS.
suite "$work/fast" "$files" "$fast_base" "$fast_path" '[200, 201, 204]'
echo "### $files spec files × 2 PUTs = $puts PUTs, $jobs at a time, against $fast_target"
echo
raw "$puts" "$jobs" "$fast_base$fast_path"
raw_wall=$wall raw_cpu=$cpu raw_rss=$rss
header
row "$raw_tool" "$raw_wall" "$raw_cpu" "$puts" "$raw_rss"
measure putcheck "$PUTCHECK" "$work/fast/specs" --no-progress --color never --jobs "$jobs"
[ "$status" = 0 ] || { echo "putcheck did not pass (exit $status):"; tail -5 "$work/putcheck.out"; }
row "putcheck --jobs $jobs" "$wall" "$cpu" "$puts" "$rss"
pc_wall=$wall pc_cpu=$cpu
if command -v hurl >/dev/null; then
  measure hurl hurl --test --jobs "$jobs" "$work"/fast/hurl/*.hurl
  row "hurl --test --jobs $jobs" "$wall" "$cpu" "$puts" "$rss"
  printf '\nputcheck wall ÷ Hurl wall: %.2f×\n' "$(echo "$pc_wall / $wall" | bc -l)"
else
  echo
  echo "Hurl: skipped (hurl not installed; see https://hurl.dev for packages)"
fi
# How much of putcheck's CPU is loading the spec files (one test each here, the costliest
# case per request), and what the rest costs per request.
measure listfast "$PUTCHECK" "$work/fast/specs" --list --no-progress --color never
printf '\nputcheck CPU loading the %s files (--list): %.3f s; without it, %.1f µs per request = %.2f× the raw client\n' \
  "$files" "$cpu" "$(echo "($pc_cpu - $cpu) * 1000000 / $puts" | bc -l)" "$(echo "($pc_cpu - $cpu) / $raw_cpu" | bc -l)"
echo

# 2. 20 ms target: SLOW_FILES × 2 PUTs at the default --jobs.
rm -rf "$work/fast"
suite "$work/slow" "$slow_files" "http://127.0.0.1:$demo_port" "/delay/$latency" 200
default_jobs=$("$PUTCHECK" --help | grep -e '--jobs' | sed -n 's/.*\[default: \([0-9]*\)\].*/\1/p' | head -1)
default_jobs=${default_jobs:-64}
# ceil(N / jobs) waves of 2 sequential sends each (integer arithmetic: whole waves).
waves=$(( (slow_files + default_jobs - 1) / default_jobs ))
ideal=$(echo "$waves * 2 * $latency / 1000" | bc -l)
echo "### $slow_files spec files × 2 PUTs against putcheck serve /delay/$latency, default --jobs ($default_jobs)"
echo
measure slow "$PUTCHECK" "$work/slow/specs" --no-progress --color never
[ "$status" = 0 ] || { echo "putcheck did not pass (exit $status):"; tail -5 "$work/slow.out"; }
printf '| tool | wall (median of %s) | ideal ceil(N / jobs) × 2 × %s ms | wall ÷ ideal |\n| --- | ---: | ---: | ---: |\n' "$runs" "$latency"
printf '| putcheck (default --jobs) | %.3f s | %.3f s | %.2f× |\n' "$wall" "$ideal" "$(echo "$wall / $ideal" | bc -l)"
putcheck_slow=$wall
# The same requests from oha at the same concurrency: what the server itself allows (its
# /delay/20 answers in 20–22 ms, not in exactly 20).
if command -v oha >/dev/null; then
  measure rawslow oha -n $((slow_files * 2)) -c "$default_jobs" -m PUT -H 'Content-Type: application/json' \
    -d "$body" --no-tui "http://127.0.0.1:$demo_port/delay/$latency"
  printf '| oha -n %s -c %s (the same requests, no spec files) | %.3f s | %.3f s | %.2f× |\n' \
    "$((slow_files * 2))" "$default_jobs" "$wall" "$ideal" "$(echo "$wall / $ideal" | bc -l)"
  raw_slow=$wall
fi
if command -v hurl >/dev/null; then
  measure hurlslow hurl --test "$work"/slow/hurl/*.hurl
  printf '| hurl --test (default --jobs) | %.3f s | | |\n' "$wall"
fi
if [ -n "${raw_slow:-}" ]; then
  printf '\nputcheck wall ÷ oha wall at the same concurrency: %.2f×\n' "$(echo "$putcheck_slow / $raw_slow" | bc -l)"
fi
echo

# 3. 10,000 files: --list time and a full run's peak RSS.
rm -rf "$work/slow"
suite "$work/list" "$list_files" "$fast_base" "$fast_path" '[200, 201, 204]'
rm -rf "$work/list/hurl"
measure list "$PUTCHECK" "$work/list/specs" --list --no-progress --color never
printf '%s spec files: --list %.3f s (median of %s), peak RSS %.0f MiB\n' "$list_files" "$wall" "$runs" "$(echo "$rss / 1024" | bc -l)"
runs=1 measure full "$PUTCHECK" "$work/list/specs" --no-progress --color never --jobs "$jobs"
printf '%s spec files: full run (%s PUTs, --jobs %s) %.3f s, peak RSS %.0f MiB\n' "$list_files" "$((list_files * 2))" "$jobs" "$wall" "$(echo "$rss / 1024" | bc -l)"
