#!/usr/bin/env bash
# The README's two commands on a fresh clone at REV, with an empty CARGO_HOME and no
# target directory, each timed. Usage: bench/first-run.sh REV NAME [OUT_DIR]
# (BENCHMARKS.md, round 6). Prism is linked from this checkout's .ci/npm when there.
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
rev=$1; name=$2
dir=${3:-/tmp/putcheck-first-run}/$name
rm -rf "$dir" && git clone -q "$here" "$dir/src" && git -C "$dir/src" checkout -q "$rev"
mkdir -p "$dir/home"
cp -r ~/.cargo/bin "$dir/home/bin" 2>/dev/null || true
export CARGO_HOME=$dir/home
cd "$dir/src"
[ -d "$here/.ci/npm" ] && [ ! -e .ci/npm ] && ln -s "$here/.ci/npm" .ci/npm
s=$(date +%s.%N)
cargo run --locked -- demo > "$dir/demo.log" 2>&1; echo "demo rc=$?" > "$dir/rc"
m=$(date +%s.%N)
cargo test --locked > "$dir/test.log" 2>&1; echo "test rc=$?" >> "$dir/rc"
e=$(date +%s.%N)
echo "$name demo $(echo "$m - $s" | bc) s, test $(echo "$e - $m" | bc) s, total $(echo "$e - $s" | bc) s" | tee "$dir/times"
