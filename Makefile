# SPDX-License-Identifier: GPL-2.0
#
# re1000e: a Rust-for-Linux netdev driver for the Intel 82574L.
#
#   make run     set up, build, boot the two-NIC rig, load re1000e and show it working
#   make check   set up, build, and run every test; ends with "N passed, N failed"
#   make check-full   the same with the long versions (largest transfers, 100 link flaps,
#                the C e1000e live on the upstream programs): before resolving an issue
#                that touches the data path
#   make upstream-baseline   record the C e1000e's upstream results that `make check`
#                compares re1000e with (when `make check` says the baseline is stale)
#   make bench   A/B figures: re1000e against the C e1000e on the same rig, on the bench
#                kernel (the test configuration with the debug options off)
#   make bench-aa   the same with the C e1000e on both sides: the noise band
#   make profile    where the guest's time goes under the bench's workloads, both drivers
#                (perf on the bench kernel)
#
# Both start from a fresh machine: they install what is missing (scripts/setup.sh).

.PHONY: all run check check-full upstream-baseline bench bench-aa profile setup build host-test rustfmtcheck clippy checkpatch stackcheck print-build-dir

all: run

run: setup
	scripts/build.sh
	scripts/rig.sh --driver re1000e --timeout 600 -- scripts/guest/show.sh

check:
	scripts/check.sh

check-full:
	RE1000E_FULL=1 scripts/check.sh

upstream-baseline: setup
	scripts/upstream-baseline.sh

bench: setup
	scripts/bench.sh

bench-aa: setup
	scripts/bench.sh --aa

profile: setup
	scripts/profile.sh

setup:
	scripts/setup.sh

build: setup
	scripts/build.sh

host-test:
	cargo test --manifest-path host-tests/Cargo.toml

print-build-dir:
	@scripts/build.sh --print

# Kernel style checks, run on the build tree (our files applied to the 7.3 source).
rustfmtcheck:
	scripts/style.sh rustfmtcheck

clippy:
	scripts/style.sh clippy

checkpatch:
	scripts/style.sh checkpatch

stackcheck:
	scripts/style.sh stack
