#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make upstream-baseline`: run the C e1000e through the upstream programs `make check`
# compares re1000e with, twice (two boots of the rig), and record the subtests it passed
# in both, with the kernel version, QEMU version and program list, in
# scripts/upstream-baseline-e1000e.txt. Run it when `make check` says the baseline is
# stale (a new kernel, QEMU or program list), and commit the file.
. "$(dirname "$0")/lib.sh"
. "$TOP/scripts/upstream.sh"

R=$TOP/.baseline
rm -rf "$R" && mkdir -p "$R"
"$TOP/scripts/build.sh" >"$R/build.log" 2>&1 || die "build failed (log: $R/build.log)"
selftests_install >"$R/selftests-build.log" 2>&1 ||
	die "kselftests build failed (log: $R/selftests-build.log)"
mapfile -t args < <(targets "${UPSTREAM_E1000E[@]}")
for run in 1 2; do
	log "upstream baseline: e1000e, run $run of 2"
	upstream_run e1000e 2400 "$R" "e1000e-$run.tap" "${args[@]}" >"$R/rig-$run.log" 2>&1 ||
		log "run $run: the rig reported a failure (log: $R/rig-$run.log); recording checks the results"
done
mapfile -t opts < <(baseline_opts)
"$TOP/scripts/upstream_baseline.py" record "$BASELINE" "${opts[@]}" \
	"$R/e1000e-1.tap" "$R/e1000e-2.tap"
