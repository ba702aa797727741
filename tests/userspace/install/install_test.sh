#!/usr/bin/env bash
# Installs librnpu from a build tree into a scratch prefix, then builds and
# runs a consumer through find_package (shared and static) and pkg-config.
#   install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build/userspace" --prefix "$tmp/prefix" >/dev/null
model=/usr/share/libonnx-testdata/data/node/test_relu/model.onnx
[ -f "$model" ] || model=
cmake -S "$src" -B "$tmp/build" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/build" >/dev/null
"$tmp/build/consumer_shared" $model
"$tmp/build/consumer_static" $model
pc=$(find "$tmp/prefix" -type d -name pkgconfig | head -n1)
libdir=$(dirname "$pc")
# The .pc file carries the configured prefix; point pkg-config at ours.
flags=$(PKG_CONFIG_PATH="$pc" pkg-config --define-variable=prefix="$tmp/prefix" --cflags --libs rnpu)
cc "$src/consumer.c" $flags -Wl,-rpath,"$libdir" -o "$tmp/consumer_pc"
"$tmp/consumer_pc" $model
echo "install test passed"
