# SPDX-License-Identifier: GPL-2.0
# The upstream drivers/net and drivers/net/hw selftests in the rig: which programs run,
# how they are installed and run, and the C e1000e's recorded baseline. Sourced by
# scripts/check.sh and scripts/upstream-baseline.sh, after lib.sh.

# The upstream programs `make check` runs: those a driver passed at least one subtest of in
# a full run of both suites on this rig. In the others every subtest fails or skips for both
# drivers (no XDP, AF_XDP, RSS configuration, devmem...: see Documentation/.../re1000e.rst,
# "Upstream selftests"), so they cannot show a regression, and under TCG they cost half an
# hour. UPSTREAM=all runs every program of both suites against both drivers.
# The C e1000e passes at least one subtest of these; re1000e runs them too.
UPSTREAM_E1000E=(
	drivers/net:gro.py
	drivers/net:macsec.py
	drivers/net:napi_id.py
	drivers/net:ping.py
	drivers/net:queues.py
	drivers/net:stats.py
	drivers/net/hw:csum.py
	drivers/net/hw:ethtool_rmon.sh
	drivers/net/hw:ethtool_std_stats.sh
	drivers/net/hw:irq.py
	drivers/net/hw:nic_timestamp.py
)
# Only re1000e passes anything of these (the C driver has no queue statistics, and reports
# no channels to ring_reconfig.py).
UPSTREAM_RE1000E_ONLY=(
	drivers/net:ring_reconfig.py
	drivers/net/hw:tso.py
)
# drivers/net's settings give a program 360 s; under TCG gro.py takes 270-370 s on a slow
# host for either driver, so both get 900 s (up to a 2.5-times slower host).
PROG_TIMEOUT=(-o 900)
# The upstream boots' guest kernel options. kmemleak tracks every allocation (a stack trace
# saved for each) whether or not anyone scans: nothing in these boots scans (our kselftests
# that check for leaks run in boots of their own), and measured in alternating boots of
# gro.py, ping.py and ethtool_std_stats.sh: 238 s with kmemleak=off, 372 s with it on.
# Lockdep and the other debug options stay on. Part of the baseline's key: the subtests'
# timing bounds depend on it.
NO_KMEMLEAK=kmemleak=off
UPSTREAM_BOOT=$NO_KMEMLEAK
# The C driver's results for UPSTREAM_E1000E, recorded from two real runs by
# `make upstream-baseline` (scripts/upstream_baseline.py says what is in it).
BASELINE=$TOP/scripts/upstream-baseline-e1000e.txt

# targets PROGRAM...: run_kselftest.sh's "-t PROGRAM" for each, a word a line (for mapfile).
targets() {
	local t
	for t; do printf -- '-t\n%s\n' "$t"; done
}

# What the baseline must have been recorded with: options for upstream_baseline.py.
baseline_opts() {
	local k q
	k=$("$TOP/scripts/build.sh" --kernelversion) || return 1
	q=$(qemu-system-x86_64 --version | head -n1) || return 1
	printf '%s\n' --kernel "$k" --qemu "$q" --boot "$UPSTREAM_BOOT" \
		--programs "${UPSTREAM_E1000E[*]}"
}

# Build and install the kselftests (upstream suites and ours) into the build's out/kselftest.
# The installed tree is kept while what it is built from is unchanged: every file under the
# build tree's tools/ (the upstream suites, their libraries and ours, applied by build.sh),
# the exported kernel headers and the toolchain, hashed into out/kselftest/.re1000e-stamp.
selftests_install() {
	local work out src stamp
	work=$("$TOP/scripts/build.sh" --print)
	src=$work/src out=$work/out
	# The YNL code generators need Debian's python3 with python3-yaml.
	PATH=/usr/bin:$PATH make -s -C "$src" O="$out" LLVM=$LLVM_SUFFIX headers || return 1
	stamp=$({
		(cd "$src" && find tools -type f -print0 | sort -z | xargs -0 sha256sum)
		(cd "$out" && find usr/include -type f -print0 | sort -z | xargs -0 sha256sum)
		toolchain_id
	} | sha256sum | cut -c1-16) || return 1
	if [ -f "$out/kselftest/run_kselftest.sh" ] &&
		[ "$(cat "$out/kselftest/.re1000e-stamp" 2>/dev/null)" = "$stamp" ]; then
		log "kselftests unchanged since they were installed in $out/kselftest ($stamp)"
		return 0
	fi
	rm -rf "$out/kselftest" &&
		PATH=/usr/bin:$PATH make -s -C "$src/tools/testing/selftests" O="$out" LLVM=$LLVM_SUFFIX \
			TARGETS="drivers/net drivers/net/hw net/lib drivers/net/re1000e" \
			INSTALL_PATH="$out/kselftest" install &&
		echo "$stamp" >"$out/kselftest/.re1000e-stamp"
}

# upstream_run DRIVER TIMEOUT RESULTS TAP RUN_KSELFTEST_ARGS...: one boot of the rig with
# DRIVER on both NICs, running the given upstream programs into RESULTS/TAP.
upstream_run() {
	local driver=$1 timeout=$2 results=$3 tap=$4 ksft
	shift 4
	ksft=$("$TOP/scripts/build.sh" --print)/out/kselftest
	"$TOP/scripts/rig.sh" --driver "$driver" --timeout "$timeout" --results "$results" \
		--append "$UPSTREAM_BOOT" -- \
		scripts/guest/run-selftests.sh "$ksft" "$results/$tap" "${PROG_TIMEOUT[@]}" "$@"
}

# upstream_retry TIMEOUT RESULTS TAP LIST: one boot of the rig with re1000e, running again
# only what RESULTS/LIST names (upstream_compare.py's RETRY lines) into RESULTS/TAP.
upstream_retry() {
	local timeout=$1 results=$2 tap=$3 list=$4 ksft
	ksft=$("$TOP/scripts/build.sh" --print)/out/kselftest
	"$TOP/scripts/rig.sh" --driver re1000e --timeout "$timeout" --results "$results" \
		--append "$UPSTREAM_BOOT" -- \
		scripts/guest/run-retry.sh "$ksft" "$results/$tap" "${PROG_TIMEOUT[1]}" "$results/$list"
}
