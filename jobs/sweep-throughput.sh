#!/bin/bash
# Sweep throughput: the same landscape on 1 rank and on RANKS ranks (groups of one rank), run in
# turn REPEAT times in one job, so that both see the same machine. Each run's "points per hour"
# line is collected into OUT/throughput.csv; the summary gives the ratio of the medians and of
# each consecutive pair. Settings: OPTS [inputs/main-landscape.opts], N [8] (N x N points),
# RANKS [2], REPEAT [3], OUT [results/throughput]. About 2 minutes on 2 cores at the defaults.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$top/jobs/setup.sh"
OPTS=${OPTS:-$top/inputs/main-landscape.opts}
N=${N:-8}
RANKS=${RANKS:-2}
REPEAT=${REPEAT:-3}
OUT=${OUT:-$top/results/throughput}
mkdir -p "$OUT"
csv="$OUT/throughput.csv"
echo "repeat,ranks,points,seconds,points_per_hour,idle_max_seconds" > "$csv"
for ((r = 1; r <= REPEAT; r++)); do
  for p in 1 "$RANKS"; do
    file="$OUT/landscape-$p.h5"
    rm -rf "$file" "$file.journal"
    log="$OUT/landscape-$p-$r.log"
    mpiexec -n "$p" "$GSINV" landscape -options_file "$OPTS" -gs_n "$N,$N" -gs_gallery_size 0 -gs_group_size 1 \
      -gs_progress_every 0 -gs_output "$file" > "$log"
    # "wrote FILE: T points; P run now in S s (targets included): R points per hour"
    line=$(grep -E "points per hour" "$log")
    points=$(sed -E 's/.*; ([0-9]+) run now.*/\1/' <<< "$line")
    seconds=$(sed -E 's/.* run now in ([0-9.]+) s.*/\1/' <<< "$line")
    rate=$(sed -E 's/.*: ([0-9.]+) points per hour.*/\1/' <<< "$line")
    idle=$(grep -E "^  group [0-9]+:" "$log" | sed -E 's/.*idle ([0-9.]+) s.*/\1/' | sort -g | tail -1)
    echo "$r,$p,$points,$seconds,$rate,$idle" >> "$csv"
    echo "repeat $r, $p rank(s): $points points in $seconds s = $rate points per hour (largest idle time of a group $idle s)"
  done
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
one=$(awk -F, 'NR > 1 && $2 == 1 { print $5 }' "$csv" | median)
many=$(awk -F, -v p="$RANKS" 'NR > 1 && $2 == p { print $5 }' "$csv" | median)
{
  awk -F, -v p="$RANKS" 'NR > 1 { if ($2 == 1) one[$1] = $5; else many[$1] = $5 }
    END { for (r = 1; r in one; r++) printf "pair %d: %d ranks / 1 rank = %.2f\n", r, p, many[r] / one[r] }' "$csv"
  awk -v a="$one" -v b="$many" -v p="$RANKS" 'BEGIN { printf "median points per hour: 1 rank %.0f, %d ranks %.0f: ratio %.2f (ideal %d)\n", a, p, b, b / a, p }'
} | tee "$OUT/summary.txt"
