# SPDX-License-Identifier: GPL-2.0
# Common settings for the re1000e scripts. Sourced, not run.

set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${RE1000E_SHARED:-$(cd "$TOP/.." && pwd)/shared}

# Everything expensive lives outside the checkout, keyed so that a stale
# entry is never reused by mistake.
CACHE=${RE1000E_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/re1000e}
KSERIES=7.3
KPKG=linux-source-$KSERIES
LLVM_SUFFIX=-19
BINDGEN_VERSION=0.72.1
VNG_VERSION=1.42
PYVENV=$CACHE/venv

export PATH="$HOME/.cargo/bin:$PYVENV/bin:$PATH"
export LIBCLANG_PATH=/usr/lib/llvm${LLVM_SUFFIX}/lib

log() { printf '[re1000e] %s\n' "$*" >&2; }
die() { printf '[re1000e] error: %s\n' "$*" >&2; exit 1; }

# bench_tools DIR: the bench kernel (RE1000E_KERNEL=bench; built if missing, its log in
# DIR/build.log) and the request/response program DIR/rr (scripts/guest/rr.c), for
# scripts/bench.sh, scripts/profile.sh and scripts/rr-pairs.sh.
bench_tools() {
	log "bench kernel: $("$TOP/scripts/build.sh" --print) (built now if missing: about as long as the test kernel's cold build)"
	"$TOP/scripts/build.sh" >"$1/build.log" 2>&1 || {
		tail -n 20 "$1/build.log"
		die "bench kernel build failed (log: $1/build.log)"
	}
	clang$LLVM_SUFFIX -O2 -Wall -o "$1/rr" "$TOP/scripts/guest/rr.c" ||
		die "cannot build scripts/guest/rr.c"
}

# need CMD FIX: stop with a message naming the missing piece and its fix.
need() {
	command -v "$1" >/dev/null 2>&1 ||
		die "'$1' is missing; run: $2"
}

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

# The unpacked kernel source (pristine, never modified).
ksrc_dir() {
	local d
	d=$(ls -d "$CACHE"/src/linux-source-$KSERIES.*/linux-source-$KSERIES 2>/dev/null | sort -V | tail -n1) || true
	[ -n "$d" ] && [ -f "$d/Makefile" ] || return 1
	echo "$d"
}

# Hash of the toolchain that goes into the build key.
toolchain_id() {
	{
		rustc --version
		clang$LLVM_SUFFIX --version | head -n1
		bindgen --version 2>/dev/null || true
	} | sha256sum | cut -c1-12
}
