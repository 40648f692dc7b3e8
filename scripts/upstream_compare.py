#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two run_kselftest.sh logs of the upstream drivers/net suites side by side.

Usage: upstream_compare.py [--known FILE] [--retry RETRY.tap] REFERENCE.tap CANDIDATE.tap
                           [REF_LABEL CAND_LABEL]

Prints one line per program with the pass/fail/skip counts of its subtests under each
driver, then every subtest the reference passes and the candidate does not (regressions)
and the number the candidate passes and the reference does not. A program without KTAP
subtests counts as one subtest (its own result). The last line is "REGRESSIONS N", for
scripts; before it, one "RETRY collection:program [CASE...]" line for each program with
regressions, for a retry of just those: the CASEs are the regressed subtests' names as a
Python program's -t option takes them (its KTAP name without the program's name in front);
a program that does not take -t (a shell program) has none, and runs whole.

RETRY.tap is a second candidate run of those programs (the rig is QEMU in TCG mode, where
the upstream tests' timing bounds are sometimes missed): a regression whose subtest passes
there is printed as "passed on retry" and not counted; one that fails again counts.

REFERENCE may also be a baseline written by upstream_baseline.py (the C driver's results
recorded from real runs, read in place of a live run's log).

FILE lists known gaps, one per line: "PROGRAM: SUBTEST | REASON" (a regression the project
knows about and has not closed yet, e.g. a feature not implemented). They are printed with
their reason and not counted; a known gap that did not show is reported, so that a closed
one can be removed.
"""
import os
import re
import sys

RESULT = re.compile(r"^(?P<lead>(?:# )*)(?P<ok>ok|not ok) \d+ ?(?P<rest>.*)$")
PROGRAM = re.compile(r"^selftests: (?P<name>.*)$")


def status(ok, directive):
    d = directive.strip().upper()
    if d.startswith("SKIP"):
        return "skip"
    if ok or d.startswith("XFAIL"):
        return "pass"
    return "fail"


def parse(path):
    """Returns {program: {subtest: status}} in the order programs appear."""
    programs = {}
    pending = {}
    with open(path, errors="replace") as f:
        for line in f:
            m = RESULT.match(line.rstrip("\n"))
            if not m:
                continue
            depth = m.group("lead").count("# ")
            name, _, directive = m.group("rest").partition(" # ")
            st = status(m.group("ok") == "ok", directive)
            if depth == 0:
                p = PROGRAM.match(name.strip())
                if not p:
                    continue
                prog = p.group("name")
                programs[prog] = pending or {prog: st}
                pending = {}
            elif depth == 1:
                pending[name.strip()] = st
    return programs


def load(path):
    """A KTAP log, or a recorded baseline (upstream_baseline.py)."""
    import upstream_baseline

    if upstream_baseline.is_baseline(path):
        return upstream_baseline.load(path)
    return parse(path)


def counts(subs):
    return tuple(sum(1 for s in subs.values() if s == k) for k in ("pass", "fail", "skip"))


def load_known(path):
    known = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            key, _, reason = line.partition(" | ")
            known[key.strip()] = reason.strip()
    return known


def retry_case(program, subtest):
    """The name a Python program's -t option selects SUBTEST by, or None.

    The upstream Python programs (lib/py/ksft.py) print a subtest as "STEM.CASE" (gro.py:
    "gro.test.sw_ip6ip6_flags_psh") and select it with "-t CASE"; other programs take no
    such option."""
    stem = program[:-3] if program.endswith(".py") else None
    if stem and subtest.startswith(stem + ".") and len(subtest) > len(stem) + 1:
        return subtest[len(stem) + 1:]
    return None


def main():
    args = sys.argv[1:]
    known = {}
    retry = None
    while args[:1] in (["--known"], ["--retry"]) and len(args) > 1:
        if args[0] == "--known":
            known = load_known(args[1])
        else:
            # A retry run that produced nothing clears nothing.
            retry = parse(args[1]) if os.path.exists(args[1]) else {}
        args = args[2:]
    if len(args) not in (2, 4):
        sys.exit(__doc__)
    ref, cand = load(args[0]), parse(args[1])
    rl, cl = (args[2], args[3]) if len(args) == 4 else ("reference", "candidate")
    print(f"  {'program':42} {rl + ' pass/fail/skip':>24} {cl + ' pass/fail/skip':>24}")
    regressions, gains = [], 0
    for prog in list(ref) + [p for p in cand if p not in ref]:
        r, c = ref.get(prog, {}), cand.get(prog, {})
        rc = "%3d %3d %3d" % counts(r) if r else "not run"
        cc = "%3d %3d %3d" % counts(c) if c else "not run"
        print(f"  {prog[:42]:42} {rc:>24} {cc:>24}")
        for sub, st in r.items():
            if st == "pass" and c.get(sub) != "pass":
                regressions.append((f"{prog}: {sub}", c.get(sub, "missing")))
        gains += sum(1 for sub, st in c.items() if st == "pass" and r.get(sub) != "pass")
    tr = [sum(counts(s)[i] for s in ref.values()) for i in range(3)]
    tc = [sum(counts(s)[i] for s in cand.values()) for i in range(3)]
    print(f"  {'total':42} {'%3d %3d %3d' % tuple(tr):>24} {'%3d %3d %3d' % tuple(tc):>24}")
    print(f"{cl} passes {gains} subtests {rl} does not")
    counted = 0
    again = {}
    for key, st in regressions:
        prog, _, sub = key.partition(": ")
        prog2, _, sub2 = sub.partition(": ")
        # Keys are "collection: program: subtest"; the collection itself has a ": " only
        # in "drivers/net: x.py" form, so split at the second separator.
        prog_key, sub_key = f"{prog}: {prog2}", sub2
        if key in known:
            print(f"known gap: {key} ({st}): {known[key]}")
        elif retry is not None and retry.get(prog_key, {}).get(sub_key) == "pass":
            print(f"passed on retry: {key} (first run: {st})")
        else:
            print(f"regression: {key} ({st})")
            counted += 1
            target = prog_key.replace(": ", ":", 1)
            again.setdefault(target, []).append(retry_case(prog2, sub_key))
    for key in known:
        if key not in {k for k, _ in regressions}:
            print(f"known gap not seen in this run: {key}")
    for target, cases in again.items():
        # One subtest that cannot be named alone retries the whole program.
        print(" ".join(["RETRY", target] + ([] if None in cases else cases)))
    print(f"REGRESSIONS {counted}")


if __name__ == "__main__":
    main()
