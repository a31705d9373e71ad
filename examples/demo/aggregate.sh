#!/bin/sh
# Aggregates every simulation's output into the mean resolution per energy.
cat "$ALLOT_WORKDIR"/../sim-*/stdout |
  awk '{ sum[$1] += $3; n[$1]++ } END { for (e in sum) printf "energy %s: mean resolution %.1f over %d seeds\n", e, sum[e] / n[e], n[e] }' |
  sort -n -k2 | tee "$ALLOT_WORKDIR/result.txt"
