#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Kernel style checks on the build tree (the checkout applied to the 7.3 source):
#   scripts/style.sh rustfmtcheck | clippy | checkpatch | stack
#
# stack: no function of the driver or of the kernel crate (the abstractions) takes more than
# STACK_LIMIT bytes (4096, a quarter of the 16 KiB kernel stack) of stack for its frame.
# The compiler warns C code over CONFIG_FRAME_WARN, but says nothing of Rust: a value built
# on the stack before it is boxed went unseen at 14 KiB until it overflowed the stack.

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
stack)
	limit=${STACK_LIMIT:-4096}
	for o in "$OUT/$DRV/re1000e.o" "$OUT/rust/kernel.o"; do
		[ -f "$o" ] || die "no $o: build first"
		objdump -d --no-show-raw-insn "$o"
	done | python3 -c '
import re, sys
limit = int(sys.argv[1])
fn, worst, over = None, [], []
for line in sys.stdin:
    m = re.match(r"^[0-9a-f]+ <(.*)>:$", line)
    if m:
        fn = m.group(1)
        continue
    m = re.search(r"\bsub\s+\$0x([0-9a-f]+),%rsp", line)
    if m and fn:
        n = int(m.group(1), 16)
        worst.append((n, fn))
        if n > limit:
            over.append((n, fn))
worst.sort(reverse=True)
for n, f in worst[:5]:
    print(f"{n:6d} {f}")
for n, f in over:
    print(f"over {limit}: {n} bytes: {f}")
sys.exit(1 if over else 0)
' "$limit"
	;;
*) die "usage: scripts/style.sh rustfmtcheck|clippy|checkpatch|stack" ;;
esac
