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
	echo "RESULT: 0 passed, 1 failed"
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
pass=0
fail=0
count() { # $1 = log of a gtest binary run
	local p f
	p=$(grep -cE '^\[       OK \]' "$1")
	f=$(grep -E '^\[  FAILED  \] [A-Za-z_/0-9]+\.' "$1" | sort -u | wc -l)
	pass=$((pass + p))
	fail=$((fail + f))
	echo "    $p passed, $f failed"
}

echo "--- unit tests (ctest label vulkan)"
ctest --test-dir "$BUILD_DIR" -L '^vulkan$' --output-on-failure -j"$(nproc)" \
	--timeout 600 >"$scratch/ctest.log" 2>&1
line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$scratch/ctest.log" | tail -n 1)
if [ -z "$line" ]; then
	cat "$scratch/ctest.log"
	fail=$((fail + 1))
else
	f=$(echo "$line" | sed -E 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\1/')
	t=$(echo "$line" | sed -E 's/.*tests passed, ([0-9]+) tests failed out of ([0-9]+).*/\2/')
	[ "$f" = 0 ] || grep -E 'Failed|\*\*\*' "$scratch/ctest.log" | head -n 40
	pass=$((pass + t - f))
	fail=$((fail + f))
	echo "    $((t - f)) passed, $f failed"
	grep -E '^(vulkan cost model|pipeline creation)' "$scratch/ctest.log" | sort -u || true
fi

conf=$BUILD_DIR/tests/userspace/conformance/rnpu_backend_conformance
for kernels in cpu gpu; do
	echo "--- backend conformance on vulkan, $kernels kernel family"
	RNPU_VULKAN_KERNELS=$kernels timeout 1200 "$conf" --gtest_filter='*/vulkan_*' \
		>"$scratch/conf-$kernels.log" 2>&1
	grep -E 'Failure|FAILED' "$scratch/conf-$kernels.log" | head -n 20
	count "$scratch/conf-$kernels.log"
done

echo "--- ONNX backend tests on vulkan (unsupported ones listed in tests/vulkan/expected-failures-vulkan.txt)"
data=/usr/share/libonnx-testdata/data
if [ -d "$data/node" ]; then
	timeout 1800 "$BUILD_DIR/tests/userspace/rnpu-onnx-conformance" --backend vulkan \
		--data "$data/node" --data "$data/pytorch-converted" --data "$data/pytorch-operator" \
		--data "$data/simple" --expected tests/vulkan/expected-failures-vulkan.txt \
		>"$scratch/onnx.log" 2>&1
	grep -E '^(UNEXPECTED|ONNX backend tests|!!!)' "$scratch/onnx.log" | head -n 30
	line=$(grep -E '^RESULT: [0-9]+ passed, [0-9]+ failed$' "$scratch/onnx.log" | tail -n 1)
	if [ -n "$line" ]; then
		p=$(echo "$line" | sed -E 's/^RESULT: ([0-9]+) passed, ([0-9]+) failed$/\1/')
		f=$(echo "$line" | sed -E 's/^RESULT: ([0-9]+) passed, ([0-9]+) failed$/\2/')
		pass=$((pass + p))
		fail=$((fail + f))
		echo "    $p passed, $f failed"
	else
		tail -n 20 "$scratch/onnx.log"
		fail=$((fail + 1))
	fi
else
	echo "!!! ONNX backend tests NOT RUN: $data missing (libonnx-testdata)"
fi

echo "--- pipeline cache across two process starts"
for start in first second; do
	RNPU_VK_TEST_CACHE_HOME=$scratch/pc timeout 600 "$tests" \
		--gtest_filter='VulkanBackendCache.PersistsAcrossProcesses' >"$scratch/pc-$start.log" 2>&1
	grep -E '^pipeline cache' "$scratch/pc-$start.log"
	count "$scratch/pc-$start.log"
done

echo "--- models: vulkan against cpu"
models=()
if [ -x tools/fetch-test-models.sh ]; then
	dir=$(timeout 1800 tools/fetch-test-models.sh 2>"$scratch/fetch.log" | tail -n 1)
	for m in mobilenetv2 resnet18 ppocr_det ppocr_rec; do
		f=$(ls "$dir"/*"$m"*.onnx 2>/dev/null | grep -v -E '_(dyn|qdq)' | head -n 1)
		[ -n "$f" ] && models+=("$f")
	done
fi
if [ ${#models[@]} = 0 ]; then
	echo "!!! models NOT RUN: tools/fetch-test-models.sh missing or produced no models" \
		"(not counted as passed)"
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
echo "RESULT: $pass passed, $fail failed"
[ "$fail" = 0 ]
