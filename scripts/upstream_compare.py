#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Compare two run_kselftest.sh logs of the upstream drivers/net suites side by side.

Usage: upstream_compare.py REFERENCE.tap CANDIDATE.tap [REF_LABEL CAND_LABEL]

Prints one line per program with the pass/fail/skip counts of its subtests under each
driver, then every subtest the reference passes and the candidate does not (regressions)
and the number the candidate passes and the reference does not. A program without KTAP
subtests counts as one subtest (its own result). The last line is "REGRESSIONS N", for
scripts.
"""
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


def counts(subs):
    return tuple(sum(1 for s in subs.values() if s == k) for k in ("pass", "fail", "skip"))


def main():
    if len(sys.argv) not in (3, 5):
        sys.exit(__doc__)
    ref, cand = parse(sys.argv[1]), parse(sys.argv[2])
    rl, cl = (sys.argv[3], sys.argv[4]) if len(sys.argv) == 5 else ("reference", "candidate")
    print(f"  {'program':42} {rl + ' pass/fail/skip':>24} {cl + ' pass/fail/skip':>24}")
    regressions, gains = [], 0
    for prog in list(ref) + [p for p in cand if p not in ref]:
        r, c = ref.get(prog, {}), cand.get(prog, {})
        rc = "%3d %3d %3d" % counts(r) if r else "not run"
        cc = "%3d %3d %3d" % counts(c) if c else "not run"
        print(f"  {prog[:42]:42} {rc:>24} {cc:>24}")
        for sub, st in r.items():
            if st == "pass" and c.get(sub) != "pass":
                regressions.append(f"{prog}: {sub} ({c.get(sub, 'missing')})")
        gains += sum(1 for sub, st in c.items() if st == "pass" and r.get(sub) != "pass")
    tr = [sum(counts(s)[i] for s in ref.values()) for i in range(3)]
    tc = [sum(counts(s)[i] for s in cand.values()) for i in range(3)]
    print(f"  {'total':42} {'%3d %3d %3d' % tuple(tr):>24} {'%3d %3d %3d' % tuple(tc):>24}")
    print(f"{cl} passes {gains} subtests {rl} does not")
    for r in regressions:
        print(f"regression: {r}")
    print(f"REGRESSIONS {len(regressions)}")


if __name__ == "__main__":
    main()
