#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side: run the KUnit suites of the build and print their KTAP results.
# Built-in suites ran at boot; re1000e's suites run when the module loads.
set -u
modprobe re1000e || exit 1
modprobe -r re1000e
found=0
for r in /sys/kernel/debug/kunit/*/results; do
	[ -r "$r" ] || continue
	found=1
	cat "$r"
done
[ $found = 1 ] || { echo "no KUnit results in debugfs" >&2; exit 1; }
