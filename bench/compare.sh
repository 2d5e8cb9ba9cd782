#!/usr/bin/env bash
# compare.sh: the per-chunk workload (issue 8 §6) in Go and in Python, in one run.
#
# N 20 ms chunks each way, every Symbol built when it is produced: through
# DuplexSession.RunDuplex (BenchmarkRunDuplexPerChunk), the same by hand
# without a session (BenchmarkBaselinePerChunk), and through the Python
# package's run_duplex (bench/python/run_duplex_bench.py). Order: Python,
# then Go, then Python again, RUNS runs each; medians; the ratio is Go's
# median over the median of all Python runs. The Go test binary is built
# before the first timed run so compiling does not overlap the measurements.
#
# Usage (from anywhere in the repository):
#   bash bench/compare.sh            # or: make bench-python
#   N=500000 RUNS=7 bash bench/compare.sh
# Environment: N (chunks each way, default 200000), RUNS (default 5),
# PYTHON (default python3), GO (default go).
set -euo pipefail

N=${N:-200000}
RUNS=${RUNS:-5}
PYTHON=${PYTHON:-python3}
GO=${GO:-go}

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

# gofield NAME UNIT prints, per result line of benchmark NAME, the value before UNIT.
gofield() {
	awk -v name="$1" -v unit="$2" '$1 ~ "^Benchmark" name "(-[0-9]+)?$" {
		for (i = 3; i <= NF; i++) if ($i == unit) print $(i - 1) }' "$tmp/go.txt"
}

python_runs() {
	"$PYTHON" bench/python/run_duplex_bench.py -n "$N" -runs "$RUNS" | tee -a "$tmp/python-$1.txt"
	"$PYTHON" bench/python/run_duplex_bench.py -n "$N" -runs "$RUNS" -prebuilt | tee -a "$tmp/prebuilt-$1.txt"
}

# pyrate FILES... prints the symbols/s of every run in FILES.
pyrate() { cat "$@" | grep -o 'symbols/s=[0-9.]*' | cut -d= -f2; }

echo "== machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $($GO version); $($PYTHON --version 2>&1)"
commit="$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . ':!bench' 2>/dev/null || echo '+changes')"
echo "== commit $commit; N=$N chunks each way, $RUNS runs each"
$GO test -c -o "$tmp/fullduplex.test" .

echo "== python (before go)"
python_runs before
echo "== go"
"$tmp/fullduplex.test" -test.run '^$' \
	-test.bench '^Benchmark((RunDuplex|Baseline)PerChunk|RunDuplexBoth|(Audio|ModelAudio|Text)Symbol)$' \
	-test.benchtime "${N}x" -test.count "$RUNS" -test.benchmem | tee "$tmp/go.txt" | grep '^Benchmark'
echo "== python (after go)"
python_runs after
echo "== load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"

py_before=$(pyrate "$tmp/python-before.txt" | median)
py_after=$(pyrate "$tmp/python-after.txt" | median)
py=$(pyrate "$tmp"/python-*.txt | median)
py_pre=$(pyrate "$tmp"/prebuilt-*.txt | median)
go_pre=$(gofield RunDuplexBoth symbols/s | median)
session=$(gofield RunDuplexPerChunk symbols/s | median)
baseline=$(gofield BaselinePerChunk symbols/s | median)
session_allocs=$(gofield RunDuplexPerChunk allocs/symbol | median)
audio_ns=$(gofield AudioSymbol ns/op | median)
audio_allocs=$(gofield AudioSymbol allocs/op | median)
model_allocs=$(gofield ModelAudioSymbol allocs/op | median)
text_ns=$(gofield TextSymbol ns/op | median)
text_allocs=$(gofield TextSymbol allocs/op | median)

awk -v py="$py" -v pyb="$py_before" -v pya="$py_after" -v s="$session" -v bl="$baseline" \
	-v sa="$session_allocs" -v an="$audio_ns" -v aa="$audio_allocs" -v ma="$model_allocs" \
	-v tn="$text_ns" -v ta="$text_allocs" -v n="$N" -v runs="$RUNS" \
	-v label="$(date +%F) $commit" -v pypre="$py_pre" -v gopre="$go_pre" 'BEGIN {
	printf "\nmedians of %d runs, N=%d, symbols/s per direction:\n", runs, n
	printf "  python run_duplex        %12.0f  (before go %.0f, after go %.0f)\n", py, pyb, pya
	printf "  go RunDuplexPerChunk     %12.0f  %.2f allocs/symbol\n", s, sa
	printf "  go BaselinePerChunk      %12.0f  (no session, same symbols)\n", bl
	printf "  AudioSymbol %.0f ns, %g allocs; with role+turn %g allocs; TextSymbol %.0f ns, %g allocs\n", an, aa, ma, tn, ta
	printf "  ratio RunDuplex / Python: %.1fx  (target >= 10x)\n", s / py
	printf "prebuilt symbols (the session alone): python %.0f, go RunDuplexBoth %.0f, ratio %.1fx\n", pypre, gopre, gopre / pypre
	printf "\nBENCHMARKS.md row:\n"
	printf "| %s | %.0f | %.0f | %.0f | **%.1fx** | %.2f | %g | %g | %.1fx |\n", label, py, s, bl, s / py, sa, aa, ta, gopre / pypre
}'
