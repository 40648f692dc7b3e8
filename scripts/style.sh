#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel style checks on the build tree (the checkout applied to the 7.3 source):
#   scripts/style.sh rustfmtcheck | clippy | checkpatch

. "$(dirname "$0")/lib.sh"

"$TOP/scripts/build.sh" >/dev/null || die "build failed; run scripts/build.sh to see why"
WORK=$("$TOP/scripts/build.sh" --print)
SRC=$WORK/src OUT=$WORK/out
DRV=drivers/net/ethernet/intel/re1000e

mine() {
	(cd "$TOP" && git ls-files -co --exclude-standard -- rust drivers Documentation tools)
}

case ${1:-} in
rustfmtcheck)
	# rustfmt with the kernel's .rustfmt.toml, on our Rust files (the rest is upstream's).
	files=$(mine | grep '\.rs$' | sed "s|^|$SRC/|")
	# shellcheck disable=SC2086
	rustfmt --config-path "$SRC/.rustfmt.toml" --edition 2021 --check $files
	;;
clippy)
	make -s -C "$SRC" O="$OUT" LLVM=$LLVM_SUFFIX CLIPPY=1 -j"$(nproc)" "$DRV/" 2>&1 |
		tee /dev/stderr | { ! grep -qE '^(warning|error)'; }
	;;
checkpatch)
	rc=0
	for p in "$TOP"/patches/*.patch; do
		"$SRC/scripts/checkpatch.pl" --no-tree --no-signoff -q "$p" || rc=1
	done
	# shellcheck disable=SC2046
	"$SRC/scripts/checkpatch.pl" --no-tree -q --ignore FILE_PATH_CHANGES \
		-f $(mine | grep -vE '\.(py|tap)$' | sed "s|^|$SRC/|") || rc=1
	exit $rc
	;;
*) die "usage: scripts/style.sh rustfmtcheck|clippy|checkpatch" ;;
esac
