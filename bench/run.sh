#!/usr/bin/env bash
# Measures putcheck on a generated suite against the embedded demo API with a simulated
# network latency. Usage: bench/run.sh [FILES] [TESTS_PER_FILE] [LATENCY_MS]
# Needs hyperfine (apt-get install hyperfine). Prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-100}
per_file=${2:-5}
latency=${3:-20}
port=${PUTCHECK_BENCH_PORT:-18181}

cargo build --release --locked -q
bin=target/release/putcheck
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" serve --addr "127.0.0.1:$port" 2>/dev/null &
server=$!
sleep 0.5

mkdir -p "$work/specs"
for f in $(seq 1 "$files"); do
  {
    echo "base_url: http://127.0.0.1:$port"
    echo "tests:"
    for t in $(seq 1 "$per_file"); do
      echo "  - name: put $t"
      echo "    put: /delay/$latency?file=$f&test=$t"
      echo "    json: { name: widget-$f-$t, size: $t, tags: [a, b] }"
      echo "    expect:"
      echo "      status: 200"
      echo "      json:"
      echo "        \$.json.size: $t"
    done
  } > "$work/specs/f$f.yaml"
done

tests=$((files * per_file))
echo "suite: $files files x $per_file tests = $tests tests, $((tests * 2)) PUTs (2 sends each), ${latency} ms server latency"
hyperfine --warmup 1 --runs "${RUNS:-3}" --export-markdown "$work/table.md" \
  -L jobs 4,8,16,32,64,128 \
  "$bin $work/specs --no-progress --color never --jobs {jobs} > /dev/null" >/dev/null
sed -e "s#$bin $work/specs --no-progress --color never --jobs \([0-9]*\) > /dev/null#--jobs \1#" "$work/table.md"
