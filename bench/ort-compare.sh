#!/usr/bin/env bash
# rnpu against ONNX Runtime (onnxruntime-node, CPU) on the same models, the
# same inputs and the same thread count.  See bench/README.md.
#
#   bench/ort-compare.sh [MODEL.onnx ...]
#
# Environment: THREADS ("1 2": thread counts to run, default "1"),
# ITERATIONS (timed runs, default 30), WARMUP (default 5), REPEAT (processes
# per side, best p50 kept, default 1), BACKEND (rnpu --backend, default cpu),
# RNPU_MODELS_DIR / ORT_DIR (default: from tools/fetch-test-models.sh),
# BUILD_DIR (default build).
#
# Per model and thread count: `rnpu run --seed 1 --save-inputs` fixes the
# inputs and writes rnpu's outputs, `rnpu bench --json --seed 1` times rnpu
# on those same inputs, bench/ort-run.mjs times ORT on the saved inputs and
# compares its outputs with rnpu's.  Prints a Markdown table: p50 latencies,
# the ratio rnpu/ORT (below 1: rnpu is faster) and the largest absolute
# output difference.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BUILD_DIR=${BUILD_DIR:-$root/build}
THREADS=${THREADS:-1}
ITERATIONS=${ITERATIONS:-30}
WARMUP=${WARMUP:-5}
REPEAT=${REPEAT:-1}
BACKEND=${BACKEND:-cpu}
rnpu=$BUILD_DIR/tools/rnpu

cmake --build "$BUILD_DIR" --target rnpu-cli >/dev/null || {
	echo "cannot build rnpu-cli in $BUILD_DIR (run make build)" >&2
	exit 1
}
command -v node >/dev/null || { echo "node not found (apt-get install nodejs)" >&2; exit 1; }

dir=${RNPU_MODELS_DIR:-}
ort=${ORT_DIR:-}
if [ -z "$dir" ] || [ -z "$ort" ]; then
	fetched=$(tools/fetch-test-models.sh)
	[ -n "$dir" ] || dir=$(echo "$fetched" | tail -n 1)
	[ -n "$ort" ] || ort=$(echo "$fetched" | grep '/onnxruntime-node$' | head -n 1)
fi
if [ -z "$ort" ] || [ ! -d "$ort" ]; then
	echo "onnxruntime-node not found: set ORT_DIR or let tools/fetch-test-models.sh install it" >&2
	exit 1
fi
models=("$@")
if [ ${#models[@]} = 0 ]; then
	for m in mobilenetv2 resnet18 ppocr_det ppocr_rec encoder mobilenetv2_qdq resnet18_qdq \
		encoder_qdq; do
		[ -f "$dir/$m.onnx" ] && models+=("$dir/$m.onnx")
	done
fi
[ ${#models[@]} -gt 0 ] || { echo "no models (pass MODEL.onnx files or set RNPU_MODELS_DIR)" >&2; exit 1; }

json() { node -e "let s='';process.stdin.on('data',d=>s+=d).on('end',()=>{const o=JSON.parse(s);console.log($1)})"; }
ms() { awk -v x="$1" 'BEGIN{printf(x < 1 ? "%.3f ms" : "%.2f ms", x)}'; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

ortver=$(node -p "require('$ort/package.json').version")
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
echo "rnpu $("$rnpu" --version | cut -d' ' -f2) (--backend $BACKEND) vs onnxruntime-node $ortver;" \
	"$(nproc) cores ($cpu); $(date -u +%Y-%m-%d)"
echo "p50 of $ITERATIONS runs after $WARMUP warm-up runs, best of $REPEAT process(es) per side"
echo
echo "| model | threads | rnpu p50 | ORT p50 | rnpu/ORT | max abs diff |"
echo "|---|---|---|---|---|---|"
status=0
for f in "${models[@]}"; do
	name=$(basename "$f" .onnx)
	for t in $THREADS; do
		s=$scratch/$name-$t
		if ! "$rnpu" run "$f" -b "$BACKEND" --threads "$t" --seed 1 --save-inputs "$s/in" \
			-o "$s/rnpu" >"$s.run.log" 2>&1; then
			echo "| $name | $t | rnpu run failed: $(grep -m1 error "$s.run.log") | | | |"
			status=1
			continue
		fi
		best_r="" best_o="" diff=""
		for _ in $(seq "$REPEAT"); do
			r=$("$rnpu" bench "$f" -b "$BACKEND" --threads "$t" --seed 1 -w "$WARMUP" \
				-n "$ITERATIONS" --json 2>"$s.bench.log" | json 'o.latency_ms.p50')
			o=$(node bench/ort-run.mjs --ort "$ort" --model "$f" --threads "$t" \
				--warmup "$WARMUP" --iterations "$ITERATIONS" --inputs-dir "$s/in" \
				--compare-dir "$s/rnpu" 2>"$s.ort.log")
			op=$(echo "$o" | json 'o.latency_ms.p50')
			diff=$(echo "$o" | json \
				'o.compare.map(c => c.error ? c.output + ": " + c.error : c.max_abs_diff.toExponential(1)).join(", ")')
			[ -n "$r" ] && { [ -z "$best_r" ] || awk -v a="$r" -v b="$best_r" 'BEGIN{exit !(a<b)}'; } && best_r=$r
			[ -n "$op" ] && { [ -z "$best_o" ] || awk -v a="$op" -v b="$best_o" 'BEGIN{exit !(a<b)}'; } && best_o=$op
		done
		if [ -z "$best_r" ] || [ -z "$best_o" ]; then
			echo "| $name | $t | ${best_r:-failed: $(head -c 120 "$s.bench.log")} |" \
				"${best_o:-failed: $(head -c 120 "$s.ort.log")} | | |"
			status=1
			continue
		fi
		ratio=$(awk -v a="$best_r" -v b="$best_o" 'BEGIN{printf "%.2f", a / b}')
		echo "| $name | $t | $(ms "$best_r") | $(ms "$best_o") | $ratio | $diff |"
	done
done
exit $status
