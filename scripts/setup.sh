#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Install or check everything the project needs, from the package registries.
# Idempotent: a second run only checks. Nothing of another Debian release is
# installed system-wide; apt work on other suites uses a private apt state
# directory built from the machine's own first sources stanza, so no host
# name is written by this project.

. "$(dirname "$0")/lib.sh"

APT_PKGS=(
	clang-19 lld-19 llvm-19 libclang-19-dev
	bc bison flex libelf-dev libssl-dev cpio kmod rsync pahole make gcc
	ethtool iproute2 iputils-ping socat iperf3 jq python3-yaml python3-jsonschema netsniff-ng
	python3 python3-venv xz-utils busybox-static linux-perf
)

mkdir -p "$CACHE"

# A private apt configuration whose sources are the machine's own stanzas
# plus one copy of the first stanza with another suite. Prints the apt
# options to stdout.
private_apt() {
	local suite=$1 dir=$CACHE/apt-$1
	local src=/etc/apt/sources.list.d/debian.sources
	[ -r "$src" ] || die "cannot read $src to derive the mirror for $suite"
	mkdir -p "$dir/parts" "$dir/lists/partial" "$dir/archives/partial"
	: >"$dir/sources.list"
	cp /etc/apt/sources.list.d/*.sources "$dir/parts/" 2>/dev/null || true
	awk 'BEGIN{RS=""; ORS="\n\n"} NR==1{print; exit}' "$src" |
		sed -E "s/^Suites:.*/Suites: $suite/" >"$dir/parts/zz-$suite.sources"
	echo "-o Dir::Etc::SourceList=$dir/sources.list -o Dir::Etc::SourceParts=$dir/parts" \
		"-o Dir::State::Lists=$dir/lists -o Dir::Cache::Archives=$dir/archives"
}

apt_missing() {
	local p missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	echo "${missing[@]:-}"
}

step_debian() {
	local missing
	missing=$(apt_missing "${APT_PKGS[@]}")
	if [ -n "$missing" ]; then
		log "installing Debian packages: $missing"
		as_root apt-get update -qq
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends $missing >/dev/null
	fi
	[ -z "$(apt_missing "${APT_PKGS[@]}")" ] ||
		die "Debian packages still missing: $(apt_missing "${APT_PKGS[@]}"); run: sudo apt-get install $(apt_missing "${APT_PKGS[@]}")"
}

step_qemu() {
	if qemu-system-x86_64 --version 2>/dev/null | grep -qE 'version (1[0-9])\.'; then
		return
	fi
	log "installing QEMU 10.x from bookworm-backports"
	local opts
	opts=$(private_apt bookworm-backports)
	# shellcheck disable=SC2086
	as_root apt-get $opts update -qq
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive as_root apt-get $opts install -y -qq --no-install-recommends \
		-t bookworm-backports qemu-system-x86 >/dev/null
	qemu-system-x86_64 --version | grep -qE 'version (1[0-9])\.' ||
		die "QEMU 10.x not installed; run: scripts/setup.sh (needs bookworm-backports)"
}

step_rust() {
	need rustup "curl https://sh.rustup.rs | sh (the machine's rustup toolchain)"
	rustup component list --installed | grep -q '^rust-src' ||
		rustup component add rust-src
	rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
	rustup component list --installed | grep -q '^clippy' || rustup component add clippy
	if ! bindgen --version 2>/dev/null | grep -q "$BINDGEN_VERSION"; then
		log "installing bindgen-cli $BINDGEN_VERSION"
		cargo install -q bindgen-cli --version "$BINDGEN_VERSION" --locked
	fi
	bindgen --version | grep -q "$BINDGEN_VERSION" ||
		die "bindgen $BINDGEN_VERSION missing; run: cargo install bindgen-cli --version $BINDGEN_VERSION --locked"
}

step_vng() {
	if ! "$PYVENV/bin/vng" --version 2>/dev/null | grep -q "$VNG_VERSION"; then
		log "installing virtme-ng $VNG_VERSION into $PYVENV"
		/usr/bin/python3 -m venv "$PYVENV"
		"$PYVENV/bin/pip" install -q "virtme-ng==$VNG_VERSION"
	fi
	"$PYVENV/bin/vng" --version | grep -q "$VNG_VERSION" ||
		die "virtme-ng missing; run: $PYVENV/bin/pip install virtme-ng==$VNG_VERSION"
}

# The kernel source: Debian's linux-source-7.3 (any 7.3.x) from
# trixie-backports, downloaded and unpacked, never installed. Falls back to
# the checksummed copy in ../shared/kernel.
step_source() {
	if ksrc_dir >/dev/null; then
		return
	fi
	local dl=$CACHE/dl deb="" opts
	mkdir -p "$dl"
	opts=$(private_apt trixie-backports)
	# shellcheck disable=SC2086
	if as_root apt-get $opts update -qq 2>/dev/null &&
		(cd "$dl" && as_root apt-get $opts download -qq "$KPKG" 2>/dev/null); then
		deb=$(ls "$dl"/${KPKG}_*.deb | sort -V | tail -n1)
		log "downloaded $(basename "$deb") from the registry"
	elif [ -f "$SHARED/kernel/SHA256SUMS" ]; then
		log "registry has no $KPKG; using the pinned copy in $SHARED/kernel"
		(cd "$SHARED/kernel" && sha256sum -c --quiet SHA256SUMS) ||
			die "checksum mismatch for $SHARED/kernel"
		deb=$(ls "$SHARED"/kernel/${KPKG}_*.deb | head -n1)
	else
		die "cannot get $KPKG: neither trixie-backports nor $SHARED/kernel has it"
	fi
	local ver
	ver=$(dpkg-deb -f "$deb" Version | tr '~+' '__')
	local out=$CACHE/src/$KPKG.$ver
	rm -rf "$out.tmp" && mkdir -p "$out.tmp"
	dpkg-deb -x "$deb" "$out.tmp/deb"
	log "unpacking $KPKG $ver"
	tar -C "$out.tmp" -xf "$out.tmp"/deb/usr/src/$KPKG.tar.xz
	rm -rf "$out.tmp/deb"
	rm -rf "$out" && mv "$out.tmp" "$out"
	ksrc_dir >/dev/null || die "unpacked source has no Makefile under $out"
}

step_debian
step_qemu
step_rust
step_vng
step_source
log "set-up complete: $(qemu-system-x86_64 --version | head -n1), $(rustc --version), bindgen $(bindgen --version | awk '{print $2}'), vng $("$PYVENV/bin/vng" --version | awk '{print $NF}'), source $(ksrc_dir)"
