# Sourced by the bench scripts (with `work` and `runs` set).
# measure NAME CMD...: RUNS runs under /usr/bin/time; records median wall, CPU, max RSS.
measure() {
  local name=$1
  shift
  : > "$work/$name.times"
  for _ in $(seq 1 "$runs"); do
    local start end
    start=$(date +%s%N)
    status=0
    /usr/bin/time -f '%U %S %M' -o "$work/t" "$@" > "$work/$name.out" 2>&1 || status=$?
    end=$(date +%s%N)
    echo "$(awk -v ns=$((end - start)) 'BEGIN {printf "%.4f", ns / 1e9}') $(tail -1 "$work/t")" >> "$work/$name.times"
  done
  # Medians of wall and of CPU (user+sys), each on its own; the largest peak RSS.
  wall=$(awk '{print $1}' "$work/$name.times" | sort -n | awk '{v[NR]=$1} END {print v[int((NR + 1) / 2)]}')
  cpu=$(awk '{print $2 + $3}' "$work/$name.times" | sort -n | awk '{v[NR]=$1} END {print v[int((NR + 1) / 2)]}')
  rss=$(awk '$4 > r {r = $4} END {print r}' "$work/$name.times")
}
