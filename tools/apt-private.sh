#!/usr/bin/env bash
# Use an extra Debian suite through apt with a private state of its own,
# never editing /etc/apt and never touching the system's package lists
# (/var/lib/apt/lists), so a plain "apt-get update" elsewhere cannot remove
# what this suite fetched, and an update here cannot remove the system's.
#
#   tools/apt-private.sh SUITE sources          print the suite's sources file
#   tools/apt-private.sh SUITE dir              print the suite's state directory
#   tools/apt-private.sh SUITE has-lists        exit 0 when its lists are fetched
#   tools/apt-private.sh SUITE ensure-lists     "apt-get update" privately if not
#   tools/apt-private.sh SUITE apt-cache ARGS.. run apt-cache with the private state
#   tools/apt-private.sh SUITE [apt-get] ARGS.. run apt-get with the private state
#
# Suites:
#   backports  bookworm-backports (deb and deb-src) plus a copy of the
#              system's own sources (sources.list and sources.list.d), so
#              installs resolve dependencies from bookworm too
#              (tools/setup-deps.sh "@backports" packages) and the qemu
#              source package resolves (qemu/build.sh).
#   trixie     trixie (deb) ONLY, for downloads ("apt-get download");
#              commands that would install or remove anything are refused.
#   system     a copy of the system's own sources, for downloads without
#              root and without refreshing the system's lists
#              (qemu/guest-kernel.sh).
#
# State, under ${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}/apt/SUITE/:
#   sources.list      written on every call
#   sources.list.d/   empty: the SourceParts of suites that must not see the
#                     system's sources (trixie)
#   lists/            Dir::State::Lists (with partial/)
#   cache/            Dir::Cache (pkgcache.bin), cache/archives/ (with partial/)
# dpkg's status (what is installed) stays the system's.  Everything is
# signed by /usr/share/keyrings/debian-archive-keyring.gpg.  Without root,
# update, download and source work (the state is the user's own); install
# needs root like any install.
set -euo pipefail

key=/usr/share/keyrings/debian-archive-keyring.gpg
mirror=http://deb.debian.org/debian

usage() { sed -n '2,35p' "$0" >&2; exit 2; }
[ $# -ge 2 ] || usage
suite=$1
shift

state=${RNPU_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnpu}/apt/$suite

# Print the system's own one-line sources (sources.list), minus any
# bookworm-backports line (ours is already there).
system_list() {
	if [ -f /etc/apt/sources.list ]; then
		grep -vE '^[[:space:]]*(#|$)' /etc/apt/sources.list | grep -v 'bookworm-backports' || true
	fi
}

sources() {
	case "$suite" in
	backports)
		for t in deb deb-src; do
			echo "$t [signed-by=$key] $mirror bookworm-backports main"
		done
		system_list
		;;
	trixie)
		echo "deb [signed-by=$key] $mirror trixie main"
		;;
	system)
		system_list
		;;
	*)
		echo "tools/apt-private.sh: unknown suite '$suite' (backports, trixie, system)" >&2
		exit 2
		;;
	esac
}

parts() {
	case "$suite" in
	trixie) echo "$state/sources.list.d" ;;
	*) echo /etc/apt/sources.list.d ;;
	esac
}

case "$1" in
sources) sources; exit 0 ;;
dir) sources > /dev/null; echo "$state"; exit 0 ;;
esac

sources > /dev/null
mkdir -p "$state/sources.list.d" "$state/lists/partial" "$state/cache/archives/partial"
sources > "$state/sources.list.tmp"
mv "$state/sources.list.tmp" "$state/sources.list"

opts=(
	-o "Dir::Etc::SourceList=$state/sources.list"
	-o "Dir::Etc::SourceParts=$(parts)"
	-o "Dir::State::Lists=$state/lists/"
	-o "Dir::Cache=$state/cache/"
	-o "Dir::Cache::archives=$state/cache/archives/"
	-o "Dir::Cache::pkgcache=$state/cache/pkgcache.bin"
	-o "Dir::Cache::srcpkgcache=$state/cache/srcpkgcache.bin"
)
# apt drops to the _apt user to download; it cannot enter a home directory,
# and apt would download as root anyway after a warning.
[ "$(id -u)" != 0 ] || opts+=(-o APT::Sandbox::User=root)

has_lists() { compgen -G "$state/lists/*_Packages*" > /dev/null; }

# trixie is for downloads only: refuse any apt-get command that would
# change what is installed.
apt_get_command() {	# the first non-option word of an apt-get command line
	while [ $# -gt 0 ]; do
		case "$1" in
		-o|-c|-t|-a) shift 2 ;;
		-*) shift ;;
		*) echo "$1"; return ;;
		esac
	done
}
if [ "$suite" = trixie ] && [ "$1" != apt-cache ]; then
	[ "$1" = apt-get ] && cmd=$(apt_get_command "${@:2}") || cmd=$(apt_get_command "$@")
	case "$cmd" in
	update|download|source|changelog|clean|autoclean|check|has-lists|ensure-lists) ;;
	*)
		echo "tools/apt-private.sh: trixie is for downloads only; '$cmd' refused" >&2
		exit 2
		;;
	esac
fi

case "$1" in
has-lists)
	has_lists
	;;
ensure-lists)
	has_lists && exit 0
	echo "tools/apt-private.sh: fetching the $suite lists into $state/lists" >&2
	apt-get "${opts[@]}" update -q >&2
	has_lists
	;;
apt-cache)
	shift
	exec apt-cache "${opts[@]}" "$@"
	;;
apt-get)
	shift
	exec apt-get "${opts[@]}" "$@"
	;;
*)
	exec apt-get "${opts[@]}" "$@"
	;;
esac
