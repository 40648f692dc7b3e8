#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Guest side: run the KUnit suites of the build and print their KTAP results.
# Built-in suites ran at boot; re1000e's suites run when the module loads and their
# results disappear with it, so they are read before unloading.
set -u
modprobe re1000e || exit 1
found=0
for r in /sys/kernel/debug/kunit/*/results; do
	[ -r "$r" ] || continue
	found=1
	cat "$r"
done
modprobe -r re1000e
[ $found = 1 ] || { echo "no KUnit results in debugfs" >&2; exit 1; }
