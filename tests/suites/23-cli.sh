#!/usr/bin/env bash
# The rnpu command: its unit tests (ctest label "cli": .npy, arguments,
# conversions, statistics, traces) and the built binary end to end on ONNX
# node tests from libonnx-testdata (outputs against the expected .pb
# tensors) and on small models generated here: every subcommand, exit
# codes and error messages, bench JSON and profile traces.
set -uo pipefail
: "${BUILD_DIR:?}"
if [ ! -f "$BUILD_DIR/build.ninja" ] && [ ! -f "$BUILD_DIR/Makefile" ]; then
	echo "NOT RUN: $BUILD_DIR is not configured (run make build)"
	exit 77
fi
py=/usr/bin/python3
if ! "$py" -c 'import onnx, numpy' 2>/dev/null || [ ! -d /usr/share/libonnx-testdata ]; then
	tools/setup-deps.sh cli userspace >/dev/null 2>&1 || true
fi
if ! "$py" -c 'import onnx, numpy' 2>/dev/null; then
	echo "NOT RUN: $py cannot import onnx/numpy (python3-onnx, python3-numpy)"
	exit 77
fi
if ! timeout 1800 cmake --build "$BUILD_DIR" --target rnpu-cli rnpu_cli_tests >/dev/null 2>&1; then
	timeout 1800 cmake --build "$BUILD_DIR" --target rnpu-cli rnpu_cli_tests 2>&1 | tail -n 30
	echo "RESULT: 0 passed, 1 failed, 0 skipped"
	exit 1
fi

# shellcheck source=tests/lib/counts.sh
. tests/lib/counts.sh
ok() { pass=$((pass + 1)); echo "ok    $1"; }
bad() { fail=$((fail + 1)); echo "FAIL  $1"; }

echo "--- unit tests (ctest -L cli)"
ctlog=$(mktemp)
ctjunit=$(mktemp)
timeout 300 ctest --test-dir "$BUILD_DIR" -L '^cli$' --output-on-failure \
	--output-junit "$ctjunit" >"$ctlog" 2>&1
grep -E 'tests passed|Failed|\*\*\*' "$ctlog" || true
ctest_count "$ctlog" "$ctjunit" cli
rm -f "$ctlog" "$ctjunit"

rnpu=$BUILD_DIR/tools/rnpu
helpers=tests/cli/e2e_helpers.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The Vulkan backend would otherwise probe (and on lavapipe calibrate) in
# every process; the suite is about the command, not the backend.
export RNPU_VULKAN=${RNPU_VULKAN-0}

# expect RC NAME NEEDLE -- command...: exit status RC and, when NEEDLE is
# not empty, NEEDLE in what the command printed.
expect() {
	local rc=$1 name=$2 needle=$3
	shift 4
	timeout 300 "$@" >"$tmp/out" 2>&1
	local got=$?
	if [ "$got" = "$rc" ] && { [ -z "$needle" ] || grep -qF -- "$needle" "$tmp/out"; }; then
		ok "$name"
	else
		bad "$name (exit $got, wanted $rc${needle:+ and '$needle'})"
		sed 's/^/      /' "$tmp/out" | head -n 15
	fi
}

echo "--- help and info"
expect 0 "rnpu --help" "Commands:" -- "$rnpu" --help
expect 2 "rnpu without a command" "Usage: rnpu COMMAND" -- "$rnpu"
expect 2 "unknown command" "unknown command 'frobnicate'" -- "$rnpu" frobnicate
for c in info run bench inspect profile; do
	expect 0 "rnpu $c --help" "Usage: rnpu $c" -- "$rnpu" "$c" --help
done
expect 0 "rnpu info lists the cpu backend" "cpu" -- "$rnpu" info
expect 0 "rnpu info without NPU nodes says so" "npu devices: none" -- \
	"$rnpu" info --accel-dir "$tmp/no-such-dir"

echo "--- ONNX node tests: rnpu run against the expected outputs"
data=/usr/share/libonnx-testdata/data/node
for t in test_conv_with_strides_padding test_matmul_3d test_add_bcast test_softmax_axis_1 \
	test_relu test_argmax_default_axis_example test_and_bcast3v1d test_gather_0 \
	test_cast_FLOAT_to_FLOAT16 test_cast_FLOAT16_to_FLOAT test_dequantizelinear \
	test_quantizelinear test_maxpool_2d_pads test_transpose_default test_where_example; do
	if [ ! -d "$data/$t" ]; then
		bad "$t (missing from $data)"
		continue
	fi
	mkdir -p "$tmp/$t/in" "$tmp/$t/out"
	# shellcheck disable=SC2046
	if ! args=$("$py" "$helpers" pb2npy "$data/$t" "$tmp/$t/in"); then
		bad "$t: cannot convert its inputs"
		continue
	fi
	# shellcheck disable=SC2086
	if timeout 120 "$rnpu" run "$data/$t/model.onnx" $args -o "$tmp/$t/out" >"$tmp/$t/log" 2>&1 &&
		"$py" "$helpers" compare "$data/$t" "$tmp/$t/out" >>"$tmp/$t/log" 2>&1; then
		ok "run $t"
	else
		bad "run $t"
		sed 's/^/      /' "$tmp/$t/log" | tail -n 10
	fi
done

echo "--- generated models"
for k in cnn qdq dynamic float16; do
	"$py" "$helpers" model "$k" "$tmp/$k.onnx" || bad "generate $k model"
done
m=$tmp/cnn.onnx
expect 0 "run with random inputs prints outputs" "output 'class': int64 [1,1]" -- \
	"$rnpu" run "$m" --seed 3 -o "$tmp/s3a"
expect 0 "same seed, same outputs (second run)" "" -- "$rnpu" run "$m" --seed 3 -o "$tmp/s3b"
expect 0 "same seed gives identical .npy outputs" "" -- "$py" "$helpers" same "$tmp/s3a" "$tmp/s3b"
expect 0 "run --threads 1 agrees with the default threads" "" -- \
	"$rnpu" run "$m" --seed 3 --threads 1 -o "$tmp/s3t"
expect 0 "thread count does not change outputs" "" -- "$py" "$helpers" same "$tmp/s3a" "$tmp/s3t"
"$py" -c "import numpy as np; np.save('$tmp/x.npy', np.random.default_rng(1).uniform(-1,1,(1,3,16,16)).astype(np.float32))"
expect 0 "run --backend cpu with a numpy input" "from file $tmp/x.npy" -- \
	"$rnpu" run "$m" -b cpu -i "x=$tmp/x.npy" -o "$tmp/cpu"
if RNPU_VULKAN= "$rnpu" info 2>/dev/null | grep -qE '^  vulkan +available'; then
	expect 0 "run --backend vulkan" "" -- env RNPU_VULKAN= "$rnpu" run "$m" -b vulkan \
		-i "x=$tmp/x.npy" -o "$tmp/vk"
	# ArgMax runs on the cpu (fallback); logits come from Vulkan.
	expect 0 "vulkan outputs agree with the cpu backend" "" -- "$py" "$helpers" same "$tmp/cpu" "$tmp/vk"
else
	not_run_item 2 "vulkan checks (run --backend vulkan, outputs agree with cpu): no Vulkan device"
fi
expect 0 "dynamic input via --shape" "output 'y': float32 [3,6]" -- \
	"$rnpu" run "$tmp/dynamic.onnx" --shape x=3x4
expect 0 "float16 in and out" "output 'y': float16 [2,3]" -- "$rnpu" run "$tmp/float16.onnx" -o "$tmp/f16"
expect 0 "float16 output is a numpy float16 array" "" -- "$py" -c \
	"import numpy as np; a=np.load('$tmp/f16/y.npy'); assert a.dtype==np.float16 and a.shape==(2,3), a"
expect 0 "QDQ conv on cpu: the weight's DequantizeLinear folded, the activation QDQ kept (Q, DQ, Conv, Q, DQ)" \
	"summary: 5 ops in 1 partition" -- "$rnpu" inspect "$tmp/qdq.onnx" -b cpu --no-run

echo "--- inspect, bench, profile"
expect 0 "inspect shows ops, backend, reason, partitions and memory plan" \
	"memory plan: runtime arena peak" -- "$rnpu" inspect "$m"
grep -qE '^  [0-9]+ +conv +Conv\+Relu +\[1,8,16,16\] +cpu +cpu: ' "$tmp/out" &&
	ok "inspect row: fused Conv+Relu with its shape, backend and reason" ||
	bad "inspect row for conv"
"$rnpu" bench "$m" --warmup 2 --iterations 15 --json >"$tmp/bench.json" 2>"$tmp/bench.err" &&
	[ ! -s "$tmp/bench.err" ] &&
	"$py" "$helpers" check-bench "$tmp/bench.json" 15 &&
	ok "bench --json: percentiles, throughput, memory; no progress line off a terminal" ||
	bad "bench --json"
expect 0 "bench text output" "latency over 5 runs: p50" -- "$rnpu" bench "$m" -n 5 -w 0
expect 0 "profile writes a trace" "trace: $tmp/trace.json" -- \
	"$rnpu" profile "$m" -o "$tmp/trace.json" --iterations 2
"$py" -c "import json; json.load(open('$tmp/trace.json'))" &&
	"$py" "$helpers" check-trace "$tmp/trace.json" && ok "profile trace is valid Chrome trace JSON" ||
	bad "profile trace JSON"

echo "--- errors: exit codes and messages"
expect 2 "run without MODEL" "missing MODEL" -- "$rnpu" run
expect 2 "unknown option" "unknown option '--bogus'" -- "$rnpu" run "$m" --bogus
expect 2 "unknown backend lists the available ones" "available: auto," -- \
	"$rnpu" run "$m" --backend npu9
expect 2 "bad --threads" "--threads: expected an integer" -- "$rnpu" bench "$m" --threads zero
expect 2 "profile without -o" "missing -o FILE" -- "$rnpu" profile "$m"
expect 3 "missing model file" "no-such.onnx" -- "$rnpu" run "$tmp/no-such.onnx"
printf 'not a model' >"$tmp/garbage.onnx"
expect 3 "garbage model file" "cannot load the model" -- "$rnpu" inspect "$tmp/garbage.onnx"
expect 3 "op no backend can run" "Bernoulli" -- "$rnpu" run "$data/test_bernoulli/model.onnx"
expect 4 "missing input file" "$tmp/none.npy" -- "$rnpu" run "$m" -i "x=$tmp/none.npy"
expect 4 "input name the model lacks" "no input named 'nope' (inputs: 'x')" -- \
	"$rnpu" run "$m" -i "nope=$tmp/x.npy"
"$py" -c "import numpy as np; np.save('$tmp/wrong.npy', np.zeros((1,3,8,8), np.float32)); np.save('$tmp/f64.npy', np.zeros((1,3,16,16)))"
expect 4 "shape mismatch names the input and both shapes" \
	"input 'x': shape [1,3,8,8] does not match the model's [1,3,16,16]" -- \
	"$rnpu" run "$m" -i "x=$tmp/wrong.npy"
expect 4 "dtype mismatch" "holds float64, the model wants float32" -- \
	"$rnpu" run "$m" -i "x=$tmp/f64.npy"
expect 4 "not a .npy file" "not a .npy file" -- "$rnpu" run "$m" -i "x=$tmp/garbage.onnx"
expect 5 "requested backend unavailable" "disabled by RNPU_VULKAN=0" -- \
	env RNPU_VULKAN=0 "$rnpu" run "$m" --backend vulkan

print_result
[ "$fail" = 0 ]
