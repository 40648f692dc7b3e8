#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise KTAP/TAP output (KUnit debugfs results, run_kselftest.sh logs).

Usage: ktap_summary.py [--table] FILE [LABEL]

Counts leaf results (a result with nested results under it is a parent, not a leaf),
prints "LABEL: P passed, F failed, S skipped" and, with --table, one line per top-level
result with its leaf counts. Then "FAILED PROGRAM: LEAF" for each failed leaf, and
"TOTALS P F S" last, for scripts.
"""
import re
import sys

RESULT = re.compile(r"^(?P<lead>(?:# |    |\t)*)(?P<ok>ok|not ok) \d+ ?(?P<rest>.*)$")


def parse(lines):
    """Yields (depth, ok, skip, name) for each result line."""
    for line in lines:
        line = line.rstrip("\n")
        m = RESULT.match(line)
        if not m:
            continue
        lead = m.group("lead")
        depth = lead.count("# ") + lead.count("    ") + lead.count("\t")
        rest = m.group("rest")
        name, _, directive = rest.partition(" # ")
        skip = directive.strip().upper().startswith("SKIP")
        xfail = directive.strip().upper().startswith("XFAIL")
        yield depth, m.group("ok") == "ok" or xfail, skip, name.strip()


def summarise(lines):
    results = list(parse(lines))
    top = min((d for d, *_ in results), default=0)
    leaves, table, failed, current = [], [], [], None
    for i, (depth, ok, skip, name) in enumerate(results):
        # A result is a parent if the result just before it is deeper.
        is_parent = i > 0 and results[i - 1][0] > depth
        if not is_parent:
            leaves.append((ok, skip))
        if depth == top:
            # Leaves since the previous top-level result belong to this one.
            start = current if current is not None else 0
            below = [(o, s, n) for (d, o, s, n) in results[start:i] if d > top]
            sub = [(o, s) for (o, s, _) in below] or [(ok, skip)]
            table.append((name, ok, skip, sub))
            if below:
                failed += [f"{name}: {n}" for (o, s, n) in below if not o and not s]
            elif not ok and not skip:
                failed.append(name)
            current = i + 1
    return leaves, table, failed


def counts(items):
    p = sum(1 for ok, skip in items if ok and not skip)
    s = sum(1 for ok, skip in items if skip)
    f = sum(1 for ok, skip in items if not ok and not skip)
    return p, f, s


def main():
    args = sys.argv[1:]
    table = "--table" in args
    args = [a for a in args if a != "--table"]
    if not args:
        sys.exit(__doc__)
    with open(args[0], errors="replace") as f:
        leaves, rows, failed = summarise(f)
    label = args[1] if len(args) > 1 else args[0]
    if table:
        for name, ok, skip, sub in rows:
            p, fl, s = counts(sub)
            verdict = "SKIP" if skip else ("ok" if ok else "FAIL")
            print(f"  {name[:58]:58} {verdict:4}  pass {p:3}  fail {fl:3}  skip {s:3}")
    p, fl, s = counts(leaves)
    print(f"{label}: {p} passed, {fl} failed, {s} skipped")
    for name in failed:
        print(f"FAILED {name}")
    print(f"TOTALS {p} {fl} {s}")


if __name__ == "__main__":
    main()
