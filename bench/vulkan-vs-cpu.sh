#!/usr/bin/env bash
# Vulkan vs CPU latency on the same models and inputs, plus the Vulkan
# backend's first-start vs cached-start compile time (pipeline cache).
#
#   bench/vulkan-vs-cpu.sh [MODEL.onnx ...]
#
# Without arguments the models come from tools/fetch-test-models.sh (or
# $RNPU_MODELS_DIR).  Each model runs in separate processes: cpu and vulkan
# medians over $RUNS runs (default 10) at $THREADS cpu threads (default 1),
# then vulkan twice more with a fresh cache home to time the cold start
# (driver shader compilation) and the warm one (pipeline cache loaded).
# Without a GPU this runs on lavapipe and says so: those are CPU
# implementation figures, not GPU figures.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
BUILD_DIR=${BUILD_DIR:-$root/build}
RUNS=${RUNS:-10}
THREADS=${THREADS:-1}
tool=$BUILD_DIR/tests/vulkan/rnpu-vulkan-compare
cmake --build "$BUILD_DIR" --target rnpu-vulkan-compare >/dev/null || {
	echo "cannot build rnpu-vulkan-compare in $BUILD_DIR (run make build)" >&2
	exit 1
}

models=("$@")
if [ ${#models[@]} = 0 ]; then
	dir=${RNPU_MODELS_DIR:-}
	if [ -z "$dir" ] && [ -x tools/fetch-test-models.sh ]; then
		dir=$(tools/fetch-test-models.sh | tail -n 1)
	fi
	if [ -z "$dir" ] || [ ! -d "$dir" ]; then
		echo "no models: pass MODEL.onnx files, set RNPU_MODELS_DIR, or add tools/fetch-test-models.sh" >&2
		exit 1
	fi
	for m in mobilenetv2 resnet18 ppocr_det ppocr_rec encoder; do
		f=$(ls "$dir"/*"$m"*.onnx 2>/dev/null | grep -v -E '_(dyn|qdq)' | head -n 1)
		[ -n "$f" ] && models+=("$f")
	done
fi

lvp=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
	if ! vulkaninfo --summary 2>/dev/null | grep deviceType | grep -vq PHYSICAL_DEVICE_TYPE_CPU; then
		[ -f "$lvp" ] && export VK_ICD_FILENAMES=$lvp VK_DRIVER_FILES=$lvp
	fi
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
dev=$(XDG_CACHE_HOME=$scratch/probe "$tool" "${models[0]}" --only vulkan --runs 0 2>&1 |
	sed -n 's/^vulkan: //p' | head -n 1)
echo "device: ${dev:-none}"
case "$dev" in
*"cpu device"*) echo "NOTE: no GPU here; this is lavapipe (Vulkan on the CPU), not a GPU figure" ;;
esac
echo "cpu threads: $THREADS, runs: $RUNS, $(nproc) cores, $(date -u +%Y-%m-%d)"
echo
echo "| model | cpu median | vulkan median | vulkan/cpu | vulkan cold start (load + 1st run) | cached start | max abs diff |"
echo "|---|---|---|---|---|---|---|"
field() { sed -n "s/.*$1=\([^ ]*\).*/\1/p" "$2"; }
for f in "${models[@]}"; do
	name=$(basename "$f" .onnx)
	cache=$scratch/cache-$name
	# Cold: a fresh cache home (also empties Mesa's own shader cache).
	XDG_CACHE_HOME=$cache "$tool" "$f" --runs "$RUNS" --threads "$THREADS" >"$scratch/a.log" 2>&1
	XDG_CACHE_HOME=$cache "$tool" "$f" --runs 0 --only vulkan >"$scratch/b.log" 2>&1
	if ! grep -q '^summary:' "$scratch/a.log"; then
		echo "| $name | error: $(grep -m1 -E 'error|MISMATCH' "$scratch/a.log") | | | | | |"
		continue
	fi
	c=$(field cpu_median_ms "$scratch/a.log")
	v=$(field vk_median_ms "$scratch/a.log")
	cold=$(awk -v l="$(field vk_load_ms "$scratch/a.log")" -v r="$(field vk_first_ms "$scratch/a.log")" 'BEGIN{printf "%.0f ms", l + r}')
	warm=$(sed -n 's/^vulkan: load *\([0-9.]*\) ms *first run *\([0-9.]*\) ms.*/\1 \2/p' "$scratch/b.log" |
		awk '{printf "%.0f ms", $1 + $2}')
	ratio=$(awk -v a="$v" -v b="$c" 'BEGIN{printf "%.1fx", a / b}')
	echo "| $name | $c ms | $v ms | $ratio | $cold | $warm | $(field max_abs_diff "$scratch/a.log") |"
done
