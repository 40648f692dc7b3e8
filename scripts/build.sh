#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Linux 7.3 with this project's tree on top, out of tree, with LLVM.
#
#   scripts/build.sh            sync the tree, configure if needed, build bzImage + modules
#   scripts/build.sh --print    print the build directory (for other scripts)
#   scripts/build.sh --kernelversion   print the kernel version of the source
#
# RE1000E_KERNEL selects the kernel: "test" (the default: what `make run` and `make check`
# boot, with lockdep, kmemleak, fault injection, DMA-API debugging and KUnit) or "bench"
# (`make bench`: the same configuration with scripts/kconfig/bench.config merged last, which
# turns those off, so that figures are those of a kernel a user runs). Each has its own
# build directory; the bench kernel is only ever built by `make bench`.
#
# The build lives in $CACHE/build/<kernelversion>-<key>, key = kernel version + recipe version
# + toolchain. The configuration is allnoconfig with scripts/kconfig/rig-base.config (what
# the rig boots and runs), kernel/configs/kvm_guest.config and .config.fragment (what the
# project requires) merged over it: a third of defconfig's symbols, and a cold build in a
# fraction of its time. It is checked against a stamp of its inputs: when they change it is
# regenerated in place and Kconfig's per-symbol dependency tracking rebuilds only what the
# changed symbols touch.
# Its source tree is a hard-linked copy of the pristine source with our files applied; the
# applied state always equals the checkout: files we no longer carry are restored to pristine
# (or removed when pristine has none), and only files whose content changed are rewritten, so
# an edit to one driver file rebuilds only what depends on it.

. "$(dirname "$0")/lib.sh"

PRISTINE=$(ksrc_dir) || die "no kernel source in $CACHE/src; run: scripts/setup.sh"
# Directories of the checkout that hold files at their in-tree paths.
OVERLAY_DIRS=(rust drivers Documentation tools)
# Symbols that must survive olddefconfig.
REQUIRED=(RUST=y MODULES=y KUNIT=y PCI_MSI=y INET=y IPV6=y E1000E=m TLS=y TLS_DEVICE=y
	RUST_NETDEV_ABSTRACTIONS=y RUST_NETDEV_KUNIT_TEST=y RE1000E=m RE1000E_KUNIT_TEST=y RE1000E_TLS=y
	VIRTIO_FS=y NET_9P_VIRTIO=y DEBUG_KMEMLEAK=y FAIL_FUNCTION=y)
CONFIG_RECIPE_VERSION=2
KERNEL=${RE1000E_KERNEL:-test}
# Kconfig fragments merged over the base, in order, and symbols the result must not have.
FRAGMENTS=("$TOP/.config.fragment")
FORBIDDEN=()
case $KERNEL in
test) ;;
bench)
	FRAGMENTS+=("$TOP/scripts/kconfig/bench.config")
	REQUIRED=(RUST=y MODULES=y PCI_MSI=y INET=y IPV6=y E1000E=m TLS=y TLS_DEVICE=y
		RUST_NETDEV_ABSTRACTIONS=y RE1000E=m VIRTIO_FS=y NET_9P_VIRTIO=y)
	FORBIDDEN=(PROVE_LOCKING LOCKDEP DEBUG_KMEMLEAK DEBUG_ATOMIC_SLEEP FAULT_INJECTION
		DMA_API_DEBUG KUNIT)
	;;
*) die "RE1000E_KERNEL=$KERNEL: expected test or bench" ;;
esac

kversion() {
	make -s -C "$PRISTINE" kernelversion
}

build_key() {
	{
		kversion
		echo "recipe $CONFIG_RECIPE_VERSION"
		toolchain_id
	} | sha256sum | cut -c1-16
}

config_stamp() {
	{
		echo "recipe $CONFIG_RECIPE_VERSION"
		cat "$TOP/scripts/kconfig/rig-base.config" "$PRISTINE/kernel/configs/kvm_guest.config"
		cat "${FRAGMENTS[@]}"
	} | sha256sum | cut -c1-16
}

KEY=$(build_key)
WORK=$CACHE/build/$(kversion)-$KEY
[ "$KERNEL" = test ] || WORK+=-$KERNEL
# Kbuild records real paths; resolve a symlinked cache the same way.
[ -e "$WORK" ] && WORK=$(readlink -f "$WORK")
SRC=$WORK/src
OUT=$WORK/out
export SRC OUT

case ${1:-} in
--print)
	echo "$WORK"
	exit 0
	;;
--kernelversion)
	kversion
	exit 0
	;;
esac

mk() {
	make -s -C "$SRC" O="$OUT" LLVM=$LLVM_SUFFIX "$@"
}

# Files of the checkout (tracked or new, not ignored) below the overlay dirs.
overlay_files() {
	(cd "$TOP" && git ls-files -co --exclude-standard -- "${OVERLAY_DIRS[@]}" |
		while read -r f; do [ -f "$f" ] && echo "$f"; done)
}

sync_tree() {
	local stage=$WORK/stage manifest=$WORK/manifest f
	if [ ! -f "$SRC/Makefile" ]; then
		log "creating build tree $SRC"
		rm -rf "$SRC" && mkdir -p "$WORK"
		cp -al "$PRISTINE" "$SRC"
	fi
	rm -rf "$stage" && mkdir -p "$stage"
	overlay_files | while read -r f; do
		mkdir -p "$stage/$(dirname "$f")" && cp "$TOP/$f" "$stage/$f"
	done
	# Edits to existing kernel files: patches applied to pristine copies, in order.
	local p
	for p in "$TOP"/patches/*.patch; do
		[ -e "$p" ] || continue
		grep -E '^\+\+\+ b/' "$p" | sed 's|^+++ b/||' | while read -r f; do
			if [ ! -e "$stage/$f" ] && [ -f "$PRISTINE/$f" ]; then
				mkdir -p "$stage/$(dirname "$f")" && cp "$PRISTINE/$f" "$stage/$f"
			fi
		done
		patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$p" ||
			die "patch $(basename "$p") does not apply to pristine $(kversion)"
	done
	(cd "$stage" && find . -type f | sed 's|^\./||' | sort) >"$manifest.new"
	# Write changed files only (rm first: never write through a hard link to pristine).
	while read -r f; do
		if ! cmp -s "$stage/$f" "$SRC/$f"; then
			mkdir -p "$SRC/$(dirname "$f")"
			rm -f "$SRC/$f" && cp "$stage/$f" "$SRC/$f"
		fi
	done <"$manifest.new"
	# Files applied last time that the checkout no longer carries.
	if [ -f "$manifest" ]; then
		comm -23 "$manifest" "$manifest.new" | while read -r f; do
			rm -f "$SRC/$f"
			if [ -f "$PRISTINE/$f" ]; then cp -l "$PRISTINE/$f" "$SRC/$f"; fi
		done
	fi
	mv "$manifest.new" "$manifest"
	rm -rf "$stage"
}

configure() {
	local stamp
	stamp=$(config_stamp)
	[ -f "$OUT/.config" ] && [ "$(cat "$OUT/.re1000e-config-stamp" 2>/dev/null)" = "$stamp" ] && return
	log "configuring $OUT"
	mkdir -p "$OUT"
	rm -f "$OUT/.re1000e-config-stamp"
	mk allnoconfig
	(cd "$SRC" && KCONFIG_CONFIG="$OUT/.config" scripts/kconfig/merge_config.sh -m -O "$OUT" \
		"$OUT/.config" "$TOP/scripts/kconfig/rig-base.config" kernel/configs/kvm_guest.config \
		"${FRAGMENTS[@]}" >/dev/null)
	mk olddefconfig
	local r
	for r in "${REQUIRED[@]}"; do
		grep -qx "CONFIG_$r" "$OUT/.config" ||
			die "CONFIG_$r did not survive olddefconfig (see $OUT/.config); check .config.fragment"
	done
	for r in "${FORBIDDEN[@]}"; do
		! grep -q "^CONFIG_$r=" "$OUT/.config" ||
			die "CONFIG_$r is still set in the $KERNEL kernel (see $OUT/.config); check ${FRAGMENTS[*]}"
	done
	echo "$stamp" >"$OUT/.re1000e-config-stamp"
}

sync_tree
mk rustavailable >/dev/null || die "Rust toolchain not usable for the kernel; run: scripts/setup.sh"
configure
log "building $(kversion) ($KERNEL kernel) in $OUT"
mk -j"$(($(nproc) + 1))" bzImage modules
mk modules_install INSTALL_MOD_PATH="$OUT/modroot" INSTALL_MOD_STRIP=1 DEPMOD=/sbin/depmod
log "built: $OUT/arch/x86/boot/bzImage, re1000e: $(ls "$OUT"/drivers/net/ethernet/intel/re1000e/re1000e.ko 2>/dev/null || echo missing)"
