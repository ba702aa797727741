#!/bin/sh
# Install the CDI refresh hook on a host (docs/deployment.md):
#   tools/cdi/install.sh [DESTDIR]
# puts the udev rule, the refresh script and the boot unit in place under
# DESTDIR (default /); then `udevadm control --reload && udevadm trigger
# -s accel` and `systemctl enable --now rnpu-cdi-refresh` on a live host.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
dest=${1:-}
install -D -m 644 "$here/60-rnpu-cdi.rules" "$dest/etc/udev/rules.d/60-rnpu-cdi.rules"
install -D -m 755 "$here/rnpu-cdi-refresh" "$dest/usr/libexec/rnpu/rnpu-cdi-refresh"
install -D -m 644 "$here/rnpu-cdi-refresh.service" \
	"$dest/etc/systemd/system/rnpu-cdi-refresh.service"
