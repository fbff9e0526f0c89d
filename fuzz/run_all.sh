#!/usr/bin/env bash
# Runs fuzz targets one after another for SECONDS each (wall clock; libFuzzer's
# -max_total_time), with the seeds and the growing corpus, and prints one summary line per
# target: CPU seconds, executions, and whether it crashed (the input is then in
# artifacts/TARGET/). Run two of these at once on a 2-core machine.
#
#   fuzz/run_all.sh 660 project_ron brat doccano
set -uo pipefail
cd "$(dirname "$0")"
# Scratch files on tmpfs where there is one: saving a project fsyncs, which on a disk would
# leave the CPU idle.
if [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=${TMPDIR:-/dev/shm}; fi
secs=$1
shift
bin=target/x86_64-unknown-linux-gnu/release
mkdir -p logs
for t in "$@"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  start=$(date +%s)
  /usr/bin/time -f "%U %S" -o "logs/$t.time" "$bin/$t" -max_total_time="$secs" -timeout=20 \
    -artifact_prefix="artifacts/$t/" -print_final_stats=1 "corpus/$t" "seeds/$t" >"logs/$t.log" 2>&1
  rc=$?
  cpu=$(tail -1 "logs/$t.time" | awk '{printf "%.0f", $1 + $2}')
  execs=$(grep -a 'stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}')
  if [ -z "$execs" ]; then execs=$(grep -a -o '#[0-9]*' "logs/$t.log" | tail -1 | tr -d '#'); fi
  echo "$t: exit $rc, wall $(($(date +%s) - start)) s, cpu ${cpu} s, ${execs} executions, corpus $(ls "corpus/$t" | wc -l), artifacts: $(ls "artifacts/$t" | tr '\n' ' ')"
done
