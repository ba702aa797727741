#!/usr/bin/env bash
# Vulkan backend: kernel/allocator/pipeline-cache/backend tests (ctest label
# "vulkan"), the backend conformance suite with both kernel families, the
# pipeline cache across two process starts, and -- when the test models are
# available -- whole models against the cpu backend.  Without a GPU it runs
# on Mesa's lavapipe; with no Vulkan device at all it says NOT RUN.
set -uo pipefail
: "${BUILD_DIR:?}"
if [ ! -f "$BUILD_DIR/build.ninja" ] && [ ! -f "$BUILD_DIR/Makefile" ]; then
	echo "NOT RUN: $BUILD_DIR is not configured (run make build)"
	exit 77
fi
lvp=/usr/share/vulkan/icd.d/lvp_icd.x86_64.json
if ! command -v glslc >/dev/null || [ ! -f /usr/include/vulkan/vulkan.h ] || [ ! -f "$lvp" ]; then
	tools/setup-deps.sh vulkan >/dev/null 2>&1 || true
fi
if ! grep -q rnpu_vulkan_tests "$BUILD_DIR"/build.ninja "$BUILD_DIR"/Makefile 2>/dev/null; then
	# Configured before the Vulkan packages were installed.
	cmake "$BUILD_DIR" >/dev/null 2>&1 || true
fi
if ! grep -q rnpu_vulkan_tests "$BUILD_DIR"/build.ninja "$BUILD_DIR"/Makefile 2>/dev/null; then
	echo "NOT RUN: the vulkan backend is not built (libvulkan-dev and glslc missing)"
	exit 77
fi
if ! timeout 1800 cmake --build "$BUILD_DIR" --target rnpu_vulkan_tests rnpu_backend_conformance \
	rnpu-vulkan-compare rnpu-onnx-conformance >/dev/null 2>&1; then
	echo "cannot build the vulkan tests"
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

# Use lavapipe when no other device exists (and say so).
if [ -z "${VK_ICD_FILENAMES:-}${VK_DRIVER_FILES:-}" ]; then
	types=$(timeout 60 vulkaninfo --summary 2>/dev/null | grep -E 'deviceType' || true)
	if ! echo "$types" | grep -vq 'PHYSICAL_DEVICE_TYPE_CPU'; then
		if [ -f "$lvp" ]; then
			export VK_ICD_FILENAMES=$lvp VK_DRIVER_FILES=$lvp
			echo "!!! no GPU: running on lavapipe ($lvp); figures are CPU-implementation figures"
		fi
	fi
fi
tests=$BUILD_DIR/tests/vulkan/rnpu_vulkan_tests
probe=$(timeout 120 "$tests" --gtest_filter='VulkanBackend.ListedWithDeviceNameTypeAndDriver' 2>&1)
if echo "$probe" | grep -q 'NOT RUN: no Vulkan device'; then
	echo "$probe" | grep 'NOT RUN' | head -n 1
	echo "NOT RUN: no Vulkan device (install mesa-vulkan-drivers for lavapipe)"
	exit 77
fi
echo "$probe" | grep -E '^vulkan:' | head -n 1

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# A private cache home: the cold/warm pipeline-cache figures start cold.
export XDG_CACHE_HOME=$scratch/cache
# pass/fail/skip, not_run_item, ctest_count, gtest_count (a crash or a
# non-zero exit of a test binary is a failure), print_result.
# shellcheck source=tests/lib/counts.sh
. tests/lib/counts.sh

echo "--- unit tests (ctest label vulkan)"
# VulkanBackendCache.PersistsAcrossProcesses skips unless given a scratch
# cache: it runs below, twice, as two process starts.
ctest --test-dir "$BUILD_DIR" -L '^vulkan$' -E '^VulkanBackendCache\.PersistsAcrossProcesses$' \
	--output-on-failure -j"$(nproc)" --timeout 600 --output-junit "$scratch/ctest.xml" >"$scratch/ctest.log" 2>&1
grep -E 'Failed|\*\*\*' "$scratch/ctest.log" | head -n 40
ctest_count "$scratch/ctest.log" "$scratch/ctest.xml" vulkan
grep -E '^(vulkan cost model|pipeline creation)' "$scratch/ctest.log" | sort -u || true

conf=$BUILD_DIR/tests/userspace/conformance/rnpu_backend_conformance
for kernels in cpu gpu; do
	echo "--- backend conformance on vulkan, $kernels kernel family"
	RNPU_VULKAN_KERNELS=$kernels timeout 1200 "$conf" --gtest_filter='*/vulkan_*' \
		>"$scratch/conf-$kernels.log" 2>&1
	rc=$?
	grep -E 'Failure|FAILED' "$scratch/conf-$kernels.log" | head -n 20
	gtest_count "$scratch/conf-$kernels.log" "$rc" "backend conformance (vulkan, $kernels kernels)"
done

echo "--- ONNX backend tests on vulkan (unsupported ones listed in tests/vulkan/expected-failures-vulkan.txt)"
data=/usr/share/libonnx-testdata/data
if [ -d "$data/node" ]; then
	timeout 1800 "$BUILD_DIR/tests/userspace/rnpu-onnx-conformance" --backend vulkan \
		--data "$data/node" --data "$data/pytorch-converted" --data "$data/pytorch-operator" \
		--data "$data/simple" --expected tests/vulkan/expected-failures-vulkan.txt \
		>"$scratch/onnx.log" 2>&1
	rc=$?
	grep -E '^(UNEXPECTED|ONNX backend tests|!!!)' "$scratch/onnx.log" | head -n 30
	line=$(grep -E '^RESULT: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$scratch/onnx.log" | tail -n 1)
	if [[ $line =~ ^RESULT:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)?$ ]]; then
		p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]} s=${BASH_REMATCH[4]:-0}
		# Its own NOT RUN ITEM lines stand for its skipped count.
		grep -E '^NOT RUN ITEM: [0-9]+ ' "$scratch/onnx.log"
		if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
			echo "FAIL: rnpu-onnx-conformance exited $rc but reported no failure"
			f=1
		fi
		pass=$((pass + p))
		fail=$((fail + f))
		skip=$((skip + s))
		echo "    $p passed, $f failed, $s skipped"
	else
		tail -n 20 "$scratch/onnx.log"
		echo "FAIL: rnpu-onnx-conformance printed no RESULT line (exit $rc)"
		fail=$((fail + 1))
	fi
else
	not_run_item 1 "ONNX backend tests on vulkan: $data missing (libonnx-testdata)"
fi

echo "--- pipeline cache across two process starts"
for start in first second; do
	RNPU_VK_TEST_CACHE_HOME=$scratch/pc timeout 600 "$tests" \
		--gtest_filter='VulkanBackendCache.PersistsAcrossProcesses' >"$scratch/pc-$start.log" 2>&1
	rc=$?
	grep -E '^pipeline cache' "$scratch/pc-$start.log"
	gtest_count "$scratch/pc-$start.log" "$rc" "pipeline cache ($start start)"
done

echo "--- models: vulkan against cpu"
models=()
want=(mobilenetv2 resnet18 ppocr_det ppocr_rec)
missing=()
dir=""
if [ -x tools/fetch-test-models.sh ]; then
	dir=$(timeout 1800 tools/fetch-test-models.sh 2>"$scratch/fetch.log" | tail -n 1)
fi
for m in "${want[@]}"; do
	f=""
	[ -n "$dir" ] && f=$(ls "$dir"/*"$m"*.onnx 2>/dev/null | grep -v -E '_(dyn|qdq)' | head -n 1)
	if [ -n "$f" ]; then models+=("$f"); else missing+=("$m"); fi
done
if [ ${#missing[@]} -gt 0 ]; then
	why="tools/fetch-test-models.sh produced none of them"
	[ -x tools/fetch-test-models.sh ] || why="tools/fetch-test-models.sh is missing"
	[ -z "$dir" ] || [ ${#models[@]} = 0 ] || why="not among the models in $dir"
	tail -n 5 "$scratch/fetch.log" 2>/dev/null
	not_run_item ${#missing[@]} "models vulkan against cpu (${missing[*]}): $why"
fi
for f in "${models[@]}"; do
	if timeout 1200 "$BUILD_DIR/tests/vulkan/rnpu-vulkan-compare" "$f" --runs 1 \
		>"$scratch/model.log" 2>&1; then
		pass=$((pass + 1))
		echo "    $(basename "$f"): $(grep -E '^(vulkan|output)' "$scratch/model.log" | tr '\n' ' ')"
	else
		fail=$((fail + 1))
		echo "    $(basename "$f"): FAILED"
		cat "$scratch/model.log"
	fi
done
print_result
[ "$fail" = 0 ]
