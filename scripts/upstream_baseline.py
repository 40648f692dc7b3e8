#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The C e1000e's upstream drivers/net results, recorded once, for `make check` to compare
re1000e with.

Usage:
  upstream_baseline.py record OUT --kernel K --qemu Q --boot B --programs "P..." RUN.tap...
  upstream_baseline.py check FILE --kernel K --qemu Q --boot B --programs "P..."

The C driver's results change only with the kernel (its code and the programs'), QEMU, the
guest kernel's command-line options of the upstream boots (B, e.g. "kmemleak=off": what a
test's timing depends on) and the list of programs run, so `make check` need not run it live every time. `record`
(`make upstream-baseline`) merges two or more real runs of the C driver: a subtest is
recorded as passed only if it passed in every run, as failed if it failed in any, skipped
otherwise. It refuses runs in which a program did not report, and runs in which the
harness canary (csum.py's four receive tests, which need the framework's remote end) did
not pass: a broken rig must not become the reference.

`check` compares what the baseline was recorded with against the current kernel version,
QEMU version, boot options and program list; on any difference it names it, says how to refresh the
baseline, and exits 1.

The file is read by upstream_compare.py as a reference in place of a KTAP log (load()).
"""
import datetime
import sys

import upstream_compare

MAGIC = "# re1000e upstream baseline v1"
CANARY = ("drivers/net/hw: csum.py",
          ["csum.ipv4_rx_tcp", "csum.ipv4_rx_udp", "csum.ipv6_rx_tcp", "csum.ipv6_rx_udp"])
REFRESH = "make upstream-baseline"


def is_baseline(path):
    with open(path, errors="replace") as f:
        return f.readline().rstrip("\n") == MAGIC


def read(path):
    """Returns (header dict, {program: {subtest: status}})."""
    head, programs = {}, {}
    with open(path) as f:
        if f.readline().rstrip("\n") != MAGIC:
            raise ValueError(f"{path}: not an upstream baseline (first line is not {MAGIC!r})")
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            if "\t" not in line:
                key, _, value = line.partition(" ")
                head[key] = value
                continue
            prog, sub, st = line.split("\t")
            programs.setdefault(prog, {})[sub] = st
    return head, programs


def load(path):
    return read(path)[1]


def merge(runs):
    merged = {}
    for prog in runs[0]:
        subs = {}
        for sub in runs[0][prog]:
            sts = [r.get(prog, {}).get(sub, "missing") for r in runs]
            if all(s == "pass" for s in sts):
                subs[sub] = "pass"
            elif any(s in ("fail", "missing") for s in sts):
                subs[sub] = "fail"
            else:
                subs[sub] = "skip"
        merged[prog] = subs
    return merged


def opts(args):
    o = {"kernel": None, "qemu": None, "boot": None, "programs": None}
    rest = []
    while args:
        a = args.pop(0)
        if a.startswith("--") and a[2:] in o and args:
            o[a[2:]] = args.pop(0)
        else:
            rest.append(a)
    if None in o.values():
        sys.exit(__doc__)
    o["programs"] = " ".join(sorted(o["programs"].split()))
    return o, rest


def record(out, o, taps):
    if len(taps) < 2:
        sys.exit("record: needs at least two runs of the C driver")
    want = set(p.replace(":", ": ", 1) for p in o["programs"].split())
    runs = []
    for t in taps:
        r = upstream_compare.parse(t)
        missing = sorted(want - set(r))
        if missing:
            sys.exit(f"record: {t}: no result for {', '.join(missing)}: not recorded")
        canary = r.get(CANARY[0], {})
        bad = [s for s in CANARY[1] if canary.get(s) != "pass"]
        if bad:
            sys.exit(f"record: {t}: harness canary failed ({', '.join(bad)} did not pass): "
                     "the rig's remote end is broken, not recorded")
        runs.append(r)
    merged = merge(runs)
    with open(out, "w") as f:
        f.write(MAGIC + "\n")
        f.write("# The C e1000e's subtests in the upstream drivers/net and drivers/net/hw\n"
                "# programs on the two-NIC rig: the reference `make check` compares re1000e\n"
                f"# with. Written by `{REFRESH}` from {len(runs)} runs: passed means passed\n"
                "# in every run. Valid for the kernel, QEMU, boot options and programs\n"
                "# below only: `make check` refuses it when any of them differs.\n")
        f.write(f"kernel {o['kernel']}\n")
        f.write(f"qemu {o['qemu']}\n")
        f.write(f"boot {o['boot']}\n")
        f.write(f"programs {o['programs']}\n")
        f.write(f"runs {len(runs)}\n")
        f.write(f"recorded {datetime.date.today().isoformat()}\n")
        for prog in sorted(merged):
            for sub, st in merged[prog].items():
                f.write(f"{prog}\t{sub}\t{st}\n")
    n = sum(1 for s in merged.values() for st in s.values() if st == "pass")
    print(f"recorded {out}: {len(merged)} programs, {n} subtests passed in all {len(runs)} runs")


def check(path, o):
    try:
        head, _ = read(path)
    except (OSError, ValueError) as e:
        print(f"upstream baseline missing or unreadable: {e}; run: {REFRESH}")
        return 1
    stale = []
    for key in ("kernel", "qemu", "boot", "programs"):
        if head.get(key) != o[key]:
            stale.append(f"{key}: recorded with '{head.get(key)}', now '{o[key]}'")
    if stale:
        print(f"upstream baseline {path} is stale:")
        for s in stale:
            print(f"  {s}")
        print(f"refresh it with: {REFRESH} (runs the C e1000e twice in the rig)")
        return 1
    print(f"upstream baseline current: kernel {o['kernel']}, {o['qemu']}, "
          f"boot options '{o['boot']}', "
          f"{len(o['programs'].split())} programs, recorded {head.get('recorded')}")
    return 0


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] not in ("record", "check"):
        sys.exit(__doc__)
    cmd, path = args[0], args[1]
    o, rest = opts(args[2:])
    if cmd == "record":
        record(path, o, rest)
    else:
        if rest:
            sys.exit(__doc__)
        sys.exit(check(path, o))


if __name__ == "__main__":
    main()
