#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# `make profile`: where the guest's time goes under `make bench`'s workloads, for re1000e
# and the C e1000e in one boot of the bench kernel. perf samples every guest CPU with the
# cpu-clock software event (TCG has no hardware counters); the reports, kernel and module
# symbols by share of all samples, go to .bench/profile-<driver>-<workload>.txt and the
# top of each is printed. A profile, not a figure: the sampling itself costs time.
#
#   scripts/profile.sh [WORKLOADS]   comma-separated: tcp_tx, tcp_rx, udp64_tx, udp64_rx,
#                                    rr (default: all)
#   BENCH_SECONDS=N                  seconds per workload (default 8)
#   PROFILE_DRIVERS="re1000e e1000e" the drivers, in that order
. "$(dirname "$0")/lib.sh"
export RE1000E_KERNEL=bench
WORKLOADS=${1:-tcp_tx,tcp_rx,udp64_tx,udp64_rx,rr}
SECS=${BENCH_SECONDS:-8}
DRIVERS=${PROFILE_DRIVERS:-re1000e e1000e}
case $SECS in '' | *[!0-9]* | 0) die "BENCH_SECONDS=$SECS: expected seconds >= 1" ;; esac
for w in ${WORKLOADS//,/ }; do
	case $w in tcp_tx | tcp_rx | udp64_tx | udp64_rx | rr) ;;
	*) die "unknown workload $w (tcp_tx, tcp_rx, udp64_tx, udp64_rx, rr)" ;;
	esac
done
for d in $DRIVERS; do
	case $d in re1000e | e1000e) ;; *) die "PROFILE_DRIVERS: unknown driver $d" ;; esac
done
command -v perf >/dev/null || die "perf is missing (Debian package linux-perf; make setup installs it)"
R=$TOP/.bench
mkdir -p "$R"
rm -f "$R"/profile-*.txt
bench_tools "$R"
n=$(($(echo "$WORKLOADS" | tr ',' '\n' | wc -l) * $(echo "$DRIVERS" | wc -w)))
# shellcheck disable=SC2086 # DRIVERS is a list
"$TOP/scripts/rig.sh" --driver none --timeout $((300 + n * (60 + 4 * SECS))) --results "$R" \
	-- scripts/guest/profile.sh "$SECS" "$R/rr" "$WORKLOADS" $DRIVERS >"$R/profile.log" 2>&1 || {
	tail -n 30 "$R/profile.log"
	die "profile run failed (log: $R/profile.log)"
}
for w in ${WORKLOADS//,/ }; do
	for d in $DRIVERS; do
		f=$R/profile-$d-$w.txt
		[ -s "$f" ] || die "no profile for $d $w (log: $R/profile.log)"
		echo
		head -n 26 "$f"
	done
done
