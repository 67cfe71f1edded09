#!/usr/bin/env bash
# Resource use as a suite grows: peak memory (RSS), most open file descriptors and most
# threads of one putcheck run, for suites of growing size against the embedded demo API
# answering slowly. Usage: bench/resources.sh [JOBS] [LATENCY_MS] [FILES...]
# (default: 16 jobs, 20 ms, 1000 5000 10000 files of one test each). Prints a table.
# Uses /proc/<pid>/status and /proc/<pid>/fd (Linux) and /usr/bin/time -v.
# PUTCHECK=path/to/putcheck to measure another build (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=${1:-16}
latency=${2:-20}
shift $(( $# > 2 ? 2 : $# ))
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 5000 10000)
port=${PUTCHECK_BENCH_PORT:-18182}

if [ -z "${PUTCHECK:-}" ]; then
  cargo build --release --locked -q
  PUTCHECK=target/release/putcheck
fi
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

"$PUTCHECK" serve --addr "127.0.0.1:$port" 2>/dev/null &
server=$!
sleep 0.5

echo "| spec files | tests | wall | peak RSS | most open fds | most threads |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
for files in "${sizes[@]}"; do
  rm -rf "$work/specs" && mkdir -p "$work/specs"
  for f in $(seq 1 "$files"); do
    printf 'base_url: http://127.0.0.1:%s\ntests:\n  - name: put\n    put: /delay/%s?f=%s\n    json: { name: widget-%s, tags: [a, b] }\n    expect: { status: 200 }\n' \
      "$port" "$latency" "$f" "$f" > "$work/specs/f$f.yaml"
  done
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$work/time.txt" "$PUTCHECK" "$work/specs" --no-progress --color never \
    --jobs "$jobs" ${REPORTS:+--json "$work/r.json" --junit "$work/r.xml"} > /dev/null &
  timer=$!
  sleep 0.05
  pid=$(pgrep -P "$timer" || true)
  max_fds=0
  max_threads=0
  while [ -n "$pid" ] && [ -d "/proc/$pid" ]; do
    fds=$(ls "/proc/$pid/fd" 2>/dev/null | wc -l || echo 0)
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${fds:-0}" -gt "$max_fds" ] && max_fds=$fds
    [ "${threads:-0}" -gt "$max_threads" ] && max_threads=$threads
    sleep 0.02
  done
  wait "$timer" || true
  end=$(date +%s.%N)
  rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /, "", $2); print $2}' "$work/time.txt")
  printf '| %s | %s | %.1f s | %.1f MiB | %s | %s |\n' "$files" "$files" \
    "$(echo "$end - $start" | bc)" "$(echo "$rss / 1024" | bc -l)" "$max_fds" "$max_threads"
done
