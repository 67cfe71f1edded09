#!/usr/bin/env bash
# putcheck over HTTP/2 beside oha --http2 (and Hurl --http2 when installed), on the same
# PUTs, against nginx with TLS and `http2 on` on loopback.
# Usage: bench/h2.sh [FILES] [JOBS]   (default 5000 files × 2 PUTs = 10,000 PUTs, 16 jobs)
# Prints one markdown table: median wall and CPU (user+sys of the client only) of RUNS
# runs (default 5), requests/s, CPU per request, ratios to oha, peak RSS.
# Needs nginx (apt-get install nginx), openssl and oha (cargo install oha).
# PUTCHECK=path measures another build (default: the release build).
set -euo pipefail
cd "$(dirname "$0")/.."
files=${1:-5000}
jobs=${2:-16}
runs=${RUNS:-5}
port=${PUTCHECK_BENCH_PORT:-18443}
puts=$((files * 2))
body='{"name":"widget","size":3,"tags":["a","b"]}'
for tool in nginx openssl oha; do
  command -v "$tool" >/dev/null || { echo "bench/h2.sh needs $tool" >&2; exit 2; }
done
if [ -z "${PUTCHECK:-}" ]; then
  cargo build --release --locked -q
  PUTCHECK=target/release/putcheck
fi
work=$(mktemp -d)
dav=$(mktemp -d -p /dev/shm putcheck-h2.XXXXXX 2>/dev/null || mktemp -d)
cleanup() {
  [ -f "$work/nginx/nginx.pid" ] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
  rm -rf "$work" "$dav"
}
trap cleanup EXIT
mkdir -p "$work/nginx" "$dav/root/dav" "$dav/tmp"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
  -days 2 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 2>/dev/null
cat > "$work/nginx/nginx.conf" <<CONF
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
    listen 127.0.0.1:$port ssl http2;
    ssl_certificate $work/cert.pem;
    ssl_certificate_key $work/key.pem;
    root $dav/root;
    keepalive_requests 100000;
    http2_max_requests 100000;
    location /dav/ { dav_methods PUT; create_full_put_path on; }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf"
sleep 0.5
base="https://127.0.0.1:$port"
mkdir -p "$work/specs"
for f in $(seq 1 "$files"); do
  printf 'base_url: %s\ndefaults: { verify: false, http_version: "2" }\ntests:\n  - name: put\n    put: /dav/w.json?f=%s\n    json: { name: widget, size: 3, tags: [a, b] }\n    expect: { status: [200, 201, 204], version: "2" }\n' \
    "$base" "$f" > "$work/specs/f$f.yaml"
done

# measure NAME CMD...: RUNS runs under /usr/bin/time; median wall and CPU, largest RSS.
. bench/measure.sh
row() { # name wall cpu rss
  printf '| %s | %.3f s | %.3f s | %.0f | %.1f µs | %.2f× | %.2f× | %.0f MiB |\n' "$1" "$2" "$3" \
    "$(echo "$puts / $2" | bc -l)" "$(echo "$3 * 1000000 / $puts" | bc -l)" \
    "$(echo "$2 / $raw_wall" | bc -l)" "$(echo "$3 / $raw_cpu" | bc -l)" "$(echo "$4 / 1024" | bc -l)"
}

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
echo
echo "### $files spec files × 2 PUTs = $puts PUTs over HTTP/2 (TLS, ALPN h2), $jobs at a time, against nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')"
echo
measure oha oha --http2 --insecure -n "$puts" -c "$jobs" -m PUT -H 'Content-Type: application/json' \
  -d "$body" --no-tui "$base/dav/w.json"
raw_wall=$wall raw_cpu=$cpu
echo "| tool | wall (median of $runs) | CPU user+sys (median) | requests/s | CPU per request | wall ÷ oha | CPU ÷ oha | peak RSS |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
row "oha $(oha --version | awk '{print $2}') --http2 -n $puts -c $jobs" "$wall" "$cpu" "$rss"
measure putcheck "$PUTCHECK" "$work/specs" --no-progress --color never --jobs "$jobs"
[ "$status" = 0 ] || { echo "putcheck did not pass (exit $status):"; tail -5 "$work/putcheck.out"; }
row "putcheck --jobs $jobs (http_version: \"2\")" "$wall" "$cpu" "$rss"
if command -v hurl >/dev/null; then
  mkdir -p "$work/hurl"
  for f in $(seq 1 "$files"); do
    for _ in 1 2; do
      printf 'PUT %s/dav/w.json?f=%s\nContent-Type: application/json\n```\n%s\n```\nHTTP/2 *\n\n' "$base" "$f" "$body" >> "$work/hurl/f$f.hurl"
    done
  done
  measure hurl hurl --test --http2 --insecure --jobs "$jobs" "$work"/hurl/*.hurl
  row "hurl --test --http2 --jobs $jobs" "$wall" "$cpu" "$rss"
else
  echo
  echo "Hurl: skipped (hurl not installed)"
fi
