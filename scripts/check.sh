#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Every test of the project, from a fresh machine: set-up, host unit tests, the kernel
# build, KUnit and our kselftests inside the rig, and the upstream drivers/net selftests
# against re1000e and the C e1000e, side by side: re1000e must pass every subtest the C
# driver passes. Ends with "N passed, N failed".
#
# Logs go to $CHECK_DIR (default .check/ in the checkout).

. "$(dirname "$0")/lib.sh"
# Steps report their own failures; keep going to the summary.
set +e

CHECK_DIR=${CHECK_DIR:-$TOP/.check}
# The upstream programs `make check` runs: those a driver passed at least one subtest of in
# a full run of both suites on this rig. In the others every subtest fails or skips for both
# drivers (no XDP, AF_XDP, RSS configuration, devmem...: see Documentation/.../re1000e.rst,
# "Upstream selftests"), so they cannot show a regression, and under TCG they cost half an
# hour. UPSTREAM=all runs every program of both suites against both drivers.
UPSTREAM=${UPSTREAM:-passing}
case $UPSTREAM in
passing | all) ;;
*) die "UPSTREAM=$UPSTREAM: expected 'passing' (the default) or 'all'" ;;
esac
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
rm -rf "$CHECK_DIR" && mkdir -p "$CHECK_DIR"
PASSED=0
FAILED=0
PHASES=()
FAILS=()
T0=$(date +%s)

# record NAME PASSED FAILED
record() {
	PASSED=$((PASSED + $2))
	FAILED=$((FAILED + $3))
	[ "$3" = 0 ] || FAILS+=("$1 ($3)")
	printf '[check] %-44s %4d passed %4d failed\n' "$1" "$2" "$3"
}

# phase NAME CMD...: run a step, time it, log to $CHECK_DIR/NAME.log.
phase() {
	local name=$1 t rc
	shift
	t=$(date +%s)
	log "phase $name"
	"$@" >"$CHECK_DIR/$name.log" 2>&1
	rc=$?
	PHASES+=("$(printf '%-12s %5ds  %s' "$name" $(($(date +%s) - t)) "$([ $rc = 0 ] && echo ok || echo "FAILED ($rc)")")")
	return $rc
}

# ktap NAME FILE: add the leaf results of a KTAP file.
ktap() {
	local out totals
	if [ ! -s "$2" ]; then
		record "$1 (no results: see .check/)" 0 1
		return
	fi
	out=$("$TOP/scripts/ktap_summary.py" --table "$2" "$1")
	echo "$out" | grep -v '^TOTALS\|^FAILED ' | tee -a "$CHECK_DIR/summary.txt"
	totals=$(echo "$out" | awk '/^TOTALS/ {print $2, $3}')
	# The failed results by name, for the end of the output.
	echo "$out" | sed -n "s|^FAILED |failed in $1: |p" >>"$CHECK_DIR/failed.txt"
	# shellcheck disable=SC2086
	record "$1" $totals
}

selftests_install() {
	local work out src
	work=$("$TOP/scripts/build.sh" --print)
	src=$work/src out=$work/out
	# The YNL code generators need Debian's python3 with python3-yaml.
	PATH=/usr/bin:$PATH make -s -C "$src" O="$out" LLVM=$LLVM_SUFFIX headers &&
		rm -rf "$out/kselftest" &&
		PATH=/usr/bin:$PATH make -s -C "$src/tools/testing/selftests" O="$out" LLVM=$LLVM_SUFFIX \
			TARGETS="drivers/net drivers/net/hw net/lib drivers/net/re1000e" \
			INSTALL_PATH="$out/kselftest" install
}

if ! phase setup "$TOP/scripts/setup.sh"; then
	record "set-up (see .check/setup.log)" 0 1
	tail -n 20 "$CHECK_DIR/setup.log"
else
	record "set-up" 1 0
	if phase host-tests cargo test --manifest-path "$TOP/host-tests/Cargo.toml"; then
		p=$(grep -o '[0-9]* passed' "$CHECK_DIR/host-tests.log" | awk '{s+=$1} END {print s+0}')
		record "host unit tests (cargo test)" "$p" 0
	else
		f=$(grep -o '[0-9]* failed' "$CHECK_DIR/host-tests.log" | awk '{s+=$1} END {print s+0}')
		record "host unit tests (cargo test)" 0 "$((f > 0 ? f : 1))"
	fi

	if ! phase build "$TOP/scripts/build.sh"; then
		record "kernel build (see .check/build.log)" 0 1
		tail -n 40 "$CHECK_DIR/build.log"
	else
		record "kernel build with re1000e" 1 0
		OUT=$("$TOP/scripts/build.sh" --print)/out
		KSFT=$OUT/kselftest
		if phase selftests-build selftests_install; then
			record "kselftests build and install" 1 0
		else
			record "kselftests build and install" 0 1
			tail -n 20 "$CHECK_DIR/selftests-build.log"
		fi

		R=$CHECK_DIR/results
		mkdir -p "$R"
		phase kunit "$TOP/scripts/rig.sh" --driver none --timeout 600 --results "$R" -- \
			bash -c "scripts/guest/run-kunit.sh > $R/kunit.tap"
		ktap "KUnit (in the rig)" "$R/kunit.tap"

		phase selftests "$TOP/scripts/rig.sh" --driver none --timeout 3000 --results "$R" -- \
			scripts/guest/run-selftests.sh "$KSFT" "$R/re1000e.tap" -c drivers/net/re1000e
		ktap "kselftests drivers/net/re1000e" "$R/re1000e.tap"

		# Upstream drivers/net and drivers/net/hw suites (the programs chosen above) against
		# re1000e and the C e1000e, then the two side by side: every subtest the C driver
		# passes, re1000e must pass.
		# drivers/net's settings give a program 360 s; under TCG gro.py takes 270-370 s on
		# a slow host for either driver, so both get 900 s (up to a 2.5-times slower host),
		# in every upstream phase.
		prog_timeout=(-o 900)
		if [ "$UPSTREAM" = all ]; then
			r_args=(-c drivers/net -c drivers/net/hw) e_args=("${r_args[@]}") up_timeout=4000
		else
			r_args=() e_args=() up_timeout=2400
			for t in "${UPSTREAM_E1000E[@]}"; do e_args+=(-t "$t"); done
			for t in "${UPSTREAM_E1000E[@]}" "${UPSTREAM_RE1000E_ONLY[@]}"; do r_args+=(-t "$t"); done
		fi
		phase upstream-re1000e "$TOP/scripts/rig.sh" --driver re1000e --timeout $up_timeout \
			--results "$R" -- scripts/guest/run-selftests.sh "$KSFT" "$R/upstream-re1000e.tap" \
			"${prog_timeout[@]}" "${r_args[@]}"
		phase upstream-e1000e "$TOP/scripts/rig.sh" --driver e1000e --timeout $up_timeout \
			--results "$R" -- scripts/guest/run-selftests.sh "$KSFT" "$R/upstream-e1000e.tap" \
			"${prog_timeout[@]}" "${e_args[@]}"
		for d in re1000e e1000e; do
			planned=$(grep -m1 -o '^1\.\.[0-9]*' "$R/upstream-$d.tap" 2>/dev/null | cut -c4-)
			reported=$(grep -cE '^(not )?ok [0-9]+ selftests:' "$R/upstream-$d.tap" 2>/dev/null)
			if [ -n "$planned" ] && [ "$planned" -gt 0 ] && [ "$reported" = "$planned" ]; then
				record "upstream harness, $d: all $planned programs reported" 1 0
			else
				record "upstream harness, $d: ${reported:-0} of ${planned:-?} programs reported" 0 1
			fi
		done
		# Canary: csum.py's receive tests need the remote end set up by the framework
		# (addresses, netns, traffic both ways) and pass with the C driver on this rig.
		canary=$(grep -cE '^# ok [0-9]+ csum\.ipv[46]_rx_(tcp|udp)$' "$R/upstream-e1000e.tap")
		if [ "$canary" = 4 ]; then
			record "upstream harness canary: csum.py rx tests on e1000e" 1 0
		else
			record "upstream harness canary: csum.py rx tests on e1000e ($canary of 4)" 0 1
		fi
		compare=("$TOP/scripts/upstream_compare.py" --known "$TOP/scripts/upstream-known-gaps.txt")
		sides=("$R/upstream-e1000e.tap" "$R/upstream-re1000e.tap" e1000e re1000e)
		# Timing bounds of some upstream tests are missed now and then under TCG: the
		# programs with regressions run once more on re1000e, and a subtest that passes
		# there is reported as such and not counted. One that fails twice counts.
		again=$("${compare[@]}" "${sides[@]}" | sed -n 's/^REGRESSED //p')
		if [ -n "$again" ]; then
			r_args=()
			for t in $again; do r_args+=(-t "$t"); done
			phase upstream-retry "$TOP/scripts/rig.sh" --driver re1000e --timeout 1200 \
				--results "$R" -- scripts/guest/run-selftests.sh "$KSFT" \
				"$R/upstream-retry.tap" "${prog_timeout[@]}" "${r_args[@]}"
			compare+=(--retry "$R/upstream-retry.tap")
		fi
		echo "upstream drivers/net selftests, side by side (subtests pass/fail/skip):" |
			tee -a "$CHECK_DIR/summary.txt"
		"${compare[@]}" "${sides[@]}" | tee "$CHECK_DIR/upstream-compare.txt" |
			grep -v '^REGRESSIONS\|^REGRESSED' | tee -a "$CHECK_DIR/summary.txt"
		regress=$(awk '/^REGRESSIONS/ {print $2}' "$CHECK_DIR/upstream-compare.txt")
		if [ "${regress:-x}" = 0 ]; then
			record "upstream: re1000e passes every subtest e1000e passes" 1 0
		else
			record "upstream: subtests e1000e passes and re1000e does not" 0 "${regress:-1}"
		fi
	fi
fi

# Kernel style: rustfmt and checkpatch on our files, then a CLIPPY=1 build of the
# abstractions and the driver (last: it leaves objects the next build redoes).
if [ -n "${OUT:-}" ]; then
	for style in rustfmtcheck checkpatch clippy; do
		if phase "style-$style" "$TOP/scripts/style.sh" "$style"; then
			record "style: $style" 1 0
		else
			record "style: $style (see .check/style-$style.log)" 0 1
		fi
	done
fi

echo
echo "phase timings:"
printf '  %s\n' "${PHASES[@]}"
echo "  total        $(($(date +%s) - T0))s"
echo "logs: $CHECK_DIR"
# What failed, by name, where a log tail shows it.
[ -s "$CHECK_DIR/failed.txt" ] && cat "$CHECK_DIR/failed.txt"
if [ -s "$CHECK_DIR/upstream-compare.txt" ]; then
	grep '^regression:' "$CHECK_DIR/upstream-compare.txt"
fi
[ ${#FAILS[@]} = 0 ] || printf 'FAILED: %s\n' "${FAILS[@]}"
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
