# SPDX-License-Identifier: GPL-2.0
#
# re1000e: a Rust-for-Linux netdev driver for the Intel 82574L.
#
#   make run     set up, build, boot the two-NIC rig, load re1000e and show it working
#   make check   set up, build, and run every test; ends with "N passed, N failed"
#   make bench   A/B figures: re1000e against the C e1000e on the same rig
#
# Both start from a fresh machine: they install what is missing (scripts/setup.sh).

.PHONY: all run check bench setup build host-test rustfmtcheck clippy checkpatch print-build-dir

all: run

run: setup
	scripts/build.sh
	scripts/rig.sh --driver re1000e --timeout 600 -- scripts/guest/show.sh

check:
	scripts/check.sh

bench: setup
	scripts/bench.sh

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
