#!/usr/bin/env bash
# compare.sh: the per-chunk workload (issue 8 §6) in Go and in Python, in one run.
#
# N 20 ms chunks each way, every Symbol built when it is produced: through
# DuplexSession.RunDuplex (BenchmarkRunDuplexPerChunk), the same by hand
# without a session (BenchmarkBaselinePerChunk), and through the Python
# package's run_duplex (bench/python/run_duplex_bench.py). Also, as a
# reference, both sessions alone on one prebuilt Symbol (Go's
# BenchmarkRunDuplexBoth, Python's -prebuilt).
#
# Each round runs Python, then Go, then Python again, RUNS runs each; the
# script does ROUNDS rounds (so a burst of load from other jobs on a shared
# machine hits both sides) and reports medians over all runs and the ratio of
# Go's median to Python's, plus each round's own ratio. The Go test binary is
# built before the first timed run so compiling does not overlap them.
#
# Usage (from anywhere in the repository):
#   bash bench/compare.sh            # or: make bench-python
#   N=500000 RUNS=5 ROUNDS=2 bash bench/compare.sh
# Environment: N (chunks each way, default 200000), RUNS (default 3),
# ROUNDS (default 3), PYTHON (default python3), GO (default go), LABEL (the
# first column of the BENCHMARKS.md row it prints, e.g. "after"; default "?").
set -euo pipefail

N=${N:-200000}
RUNS=${RUNS:-3}
ROUNDS=${ROUNDS:-3}
PYTHON=${PYTHON:-python3}
GO=${GO:-go}
LABEL=${LABEL:-?}

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$root"

# median reads numbers, one per line, and prints their median.
median() {
	sort -g | awk '{v[NR] = $1} END {
		if (NR == 0) { print "NaN"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# gofield NAME UNIT FILES... prints, per result line of benchmark NAME, the value before UNIT.
gofield() {
	local name=$1 unit=$2
	shift 2
	cat "$@" | awk -v name="$name" -v unit="$unit" '$1 ~ "^Benchmark" name "(-[0-9]+)?$" {
		for (i = 3; i <= NF; i++) if ($i == unit) print $(i - 1) }'
}

# pyrate FILES... prints the symbols/s of every Python run in FILES.
pyrate() { cat "$@" | grep -o 'symbols/s=[0-9.]*' | cut -d= -f2; }

# python_runs OUT runs the per-chunk and the prebuilt Python workloads RUNS times each.
python_runs() {
	"$PYTHON" bench/python/run_duplex_bench.py -n "$N" -runs "$RUNS" | tee "$1.chunk"
	"$PYTHON" bench/python/run_duplex_bench.py -n "$N" -runs "$RUNS" -prebuilt | tee "$1.prebuilt"
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo '+changes')"
echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(load)"
echo "== $($GO version); $($PYTHON --version 2>&1)"
echo "== commit $commit; N=$N chunks each way; $ROUNDS rounds of $RUNS runs each"
$GO test -c -o "$tmp/fullduplex.test" .

for r in $(seq "$ROUNDS"); do
	echo "== round $r: python (load $(load))"
	python_runs "$tmp/py-$r-a"
	echo "== round $r: go (load $(load))"
	"$tmp/fullduplex.test" -test.run '^$' \
		-test.bench '^Benchmark((RunDuplex|Baseline)PerChunk|RunDuplexBoth|(Audio|ModelAudio|Text)Symbol)$' \
		-test.benchtime "${N}x" -test.count "$RUNS" -test.benchmem | tee "$tmp/go-$r" | grep '^Benchmark'
	echo "== round $r: python again (load $(load))"
	python_runs "$tmp/py-$r-b"
	printf '== round %d ratio RunDuplexPerChunk / python: %.1fx\n' "$r" \
		"$(awk -v g="$(gofield RunDuplexPerChunk symbols/s "$tmp/go-$r" | median)" \
			-v p="$(pyrate "$tmp/py-$r"-?.chunk | median)" 'BEGIN { print g / p }')"
done
echo "== load at the end: $(load)"

py=$(pyrate "$tmp"/py-*.chunk | median)
py_lo=$(pyrate "$tmp"/py-*.chunk | sort -g | head -1)
py_hi=$(pyrate "$tmp"/py-*.chunk | sort -g | tail -1)
py_pre=$(pyrate "$tmp"/py-*.prebuilt | median)
session=$(gofield RunDuplexPerChunk symbols/s "$tmp"/go-* | median)
session_lo=$(gofield RunDuplexPerChunk symbols/s "$tmp"/go-* | sort -g | head -1)
session_hi=$(gofield RunDuplexPerChunk symbols/s "$tmp"/go-* | sort -g | tail -1)
baseline=$(gofield BaselinePerChunk symbols/s "$tmp"/go-* | median)
go_pre=$(gofield RunDuplexBoth symbols/s "$tmp"/go-* | median)
session_allocs=$(gofield RunDuplexPerChunk allocs/symbol "$tmp"/go-* | median)
audio_ns=$(gofield AudioSymbol ns/op "$tmp"/go-* | median)
audio_allocs=$(gofield AudioSymbol allocs/op "$tmp"/go-* | median)
model_allocs=$(gofield ModelAudioSymbol allocs/op "$tmp"/go-* | median)
text_ns=$(gofield TextSymbol ns/op "$tmp"/go-* | median)
text_allocs=$(gofield TextSymbol allocs/op "$tmp"/go-* | median)

awk -v py="$py" -v pylo="$py_lo" -v pyhi="$py_hi" -v s="$session" -v slo="$session_lo" -v shi="$session_hi" \
	-v bl="$baseline" -v sa="$session_allocs" -v an="$audio_ns" -v aa="$audio_allocs" -v ma="$model_allocs" \
	-v tn="$text_ns" -v ta="$text_allocs" -v pypre="$py_pre" -v gopre="$go_pre" \
	-v n="$N" -v runs="$((RUNS * ROUNDS))" -v label="$LABEL" -v when="$(date +%F) $commit" 'BEGIN {
	printf "\nmedians, N=%d, symbols/s per direction (%d Go runs, %d Python runs):\n", n, runs, 2 * runs
	printf "  python run_duplex        %9.0f  (runs %.0f-%.0f)\n", py, pylo, pyhi
	printf "  go RunDuplexPerChunk     %9.0f  (runs %.0f-%.0f), %.2f allocs/symbol\n", s, slo, shi, sa
	printf "  go BaselinePerChunk      %9.0f  (no session, same symbols)\n", bl
	printf "  ratio RunDuplexPerChunk / python: %.1fx (target >= 10x)\n", s / py
	printf "  AudioSymbol %.0f ns, %g allocs (with role+turn: %g allocs); TextSymbol %.0f ns, %g allocs\n", an, aa, ma, tn, ta
	printf "  prebuilt symbols (the sessions alone): python %.0f, go RunDuplexBoth %.0f, ratio %.1fx\n", pypre, gopre, gopre / pypre
	printf "\nBENCHMARKS.md row:\n"
	printf "| %s | %s | %.0f | %.0f | %.0f | **%.1fx** | %.2f | %.0f ns, %g | %.0f ns, %g | %.1fx |\n",
		label, when, py, s, bl, s / py, sa, an, aa, tn, ta, gopre / pypre
}'
