#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Unit tests of the upstream baseline (scripts/upstream_baseline.py) and its use as the
reference of scripts/upstream_compare.py. Run by `make check` (phase script-tests):
  python3 -m unittest discover -s scripts/tests
"""
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = os.path.dirname(HERE)
sys.path.insert(0, SCRIPTS)

import upstream_baseline  # noqa: E402
import upstream_compare  # noqa: E402

PROGRAMS = "drivers/net:gro.py drivers/net/hw:csum.py"
CANARY_OK = "".join(f"# ok {i} csum.{n}\n" for i, n in enumerate(
    ["ipv4_rx_tcp", "ipv4_rx_udp", "ipv6_rx_tcp", "ipv6_rx_udp"], 1))


def tap(csum_extra="", gro="# ok 1 gro.a\n# ok 2 gro.b\n", canary=CANARY_OK):
    return ("TAP version 13\n1..2\n# TAP version 13\n" + gro +
            "ok 1 selftests: drivers/net: gro.py\n# TAP version 13\n" + canary + csum_extra +
            "ok 2 selftests: drivers/net/hw: csum.py\n")


class Baseline(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)

    def path(self, name, text=None):
        p = os.path.join(self.dir.name, name)
        if text is not None:
            with open(p, "w") as f:
                f.write(text)
        return p

    def run_tool(self, *args):
        return subprocess.run([sys.executable, os.path.join(SCRIPTS, "upstream_baseline.py"),
                               *args], capture_output=True, text=True)

    def record(self, *taps):
        out = self.path("baseline.txt")
        r = self.run_tool("record", out, "--kernel", "7.3.4", "--qemu", "QEMU 10.0.2",
                          "--boot", "kmemleak=off", "--programs", PROGRAMS, *taps)
        return r, out

    def test_passed_only_if_passed_in_every_run(self):
        r, out = self.record(self.path("1.tap", tap("# ok 5 csum.flaky\n")),
                             self.path("2.tap", tap("# not ok 5 csum.flaky\n",
                                                    gro="# ok 1 gro.a\n# ok 2 gro.b # SKIP x\n")))
        self.assertEqual(r.returncode, 0, r.stderr)
        progs = upstream_baseline.load(out)
        self.assertEqual(progs["drivers/net/hw: csum.py"]["csum.flaky"], "fail")
        self.assertEqual(progs["drivers/net/hw: csum.py"]["csum.ipv4_rx_tcp"], "pass")
        self.assertEqual(progs["drivers/net: gro.py"]["gro.a"], "pass")
        self.assertEqual(progs["drivers/net: gro.py"]["gro.b"], "skip")

    def test_refuses_one_run(self):
        r, out = self.record(self.path("1.tap", tap()))
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists(out))

    def test_refuses_missing_program(self):
        partial = "TAP version 13\n1..1\n# ok 1 gro.a\nok 1 selftests: drivers/net: gro.py\n"
        r, out = self.record(self.path("1.tap", tap()), self.path("2.tap", partial))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("drivers/net/hw: csum.py", r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_refuses_broken_harness(self):
        broken = CANARY_OK.replace("# ok 3 csum.ipv6_rx_tcp", "# not ok 3 csum.ipv6_rx_tcp")
        r, out = self.record(self.path("1.tap", tap()), self.path("2.tap", tap(canary=broken)))
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("canary", r.stderr)
        self.assertFalse(os.path.exists(out))

    def test_check_current_and_stale(self):
        _, out = self.record(self.path("1.tap", tap()), self.path("2.tap", tap()))
        ok = self.run_tool("check", out, "--kernel", "7.3.4", "--qemu", "QEMU 10.0.2",
                           "--boot", "kmemleak=off",
                           "--programs", " ".join(reversed(PROGRAMS.split())))
        self.assertEqual(ok.returncode, 0, ok.stdout)
        for opt, value in (("--kernel", "7.3.5"), ("--qemu", "QEMU 10.1.0"),
                           ("--programs", "drivers/net:gro.py"), ("--boot", "")):
            args = {"--kernel": "7.3.4", "--qemu": "QEMU 10.0.2", "--boot": "kmemleak=off",
                    "--programs": PROGRAMS}
            args[opt] = value
            r = self.run_tool("check", out, *[x for kv in args.items() for x in kv])
            self.assertEqual(r.returncode, 1, opt)
            self.assertIn("stale", r.stdout)
            self.assertIn(f"now '{value}'", r.stdout)
            self.assertIn("make upstream-baseline", r.stdout)

    def test_check_missing_file(self):
        r = self.run_tool("check", self.path("none.txt"), "--kernel", "7.3.4", "--qemu", "Q",
                          "--boot", "", "--programs", PROGRAMS)
        self.assertEqual(r.returncode, 1)
        self.assertIn("make upstream-baseline", r.stdout)

    def test_compare_against_baseline(self):
        _, out = self.record(self.path("1.tap", tap()), self.path("2.tap", tap()))
        cand = self.path("c.tap", tap(gro="# ok 1 gro.a\n# not ok 2 gro.b\n"))
        r = subprocess.run([sys.executable, os.path.join(SCRIPTS, "upstream_compare.py"), out,
                            cand], capture_output=True, text=True)
        self.assertIn("regression: drivers/net: gro.py: gro.b (fail)", r.stdout)
        self.assertTrue(r.stdout.rstrip().endswith("REGRESSIONS 1"))
        self.assertEqual(upstream_compare.load(out), upstream_baseline.load(out))

    def compare(self, *args):
        return subprocess.run([sys.executable, os.path.join(SCRIPTS, "upstream_compare.py"),
                               *args], capture_output=True, text=True).stdout

    def test_retry_names_subtests_of_python_programs_only(self):
        ref = self.path("r.tap", tap(csum_extra="# ok 5 csum.ipv4_tx\n"))
        cand = self.path("c.tap", tap(gro="# ok 1 gro.a\n# not ok 2 gro.b\n",
                                      csum_extra="# not ok 5 csum.ipv4_tx\n"))
        out = self.compare(ref, cand)
        self.assertIn("RETRY drivers/net:gro.py b\n", out)
        self.assertIn("RETRY drivers/net/hw:csum.py ipv4_tx\n", out)
        self.assertTrue(out.rstrip().endswith("REGRESSIONS 2"))
        # A shell program's subtests cannot be selected: it runs whole.
        self.assertEqual(upstream_compare.retry_case("ethtool_rmon.sh", "x.y"), None)
        self.assertEqual(upstream_compare.retry_case("gro.py", "gro.test.a"), "test.a")
        self.assertEqual(upstream_compare.retry_case("gro.py", "grox.a"), None)

    def test_retry_log_clears_only_what_passed_there(self):
        ref = self.path("r.tap", tap(csum_extra="# ok 5 csum.ipv4_tx\n"))
        cand = self.path("c.tap", tap(gro="# ok 1 gro.a\n# not ok 2 gro.b\n",
                                      csum_extra="# not ok 5 csum.ipv4_tx\n"))
        # run-retry.sh's format: only the retried subtests, under their programs.
        again = self.path("again.tap", "TAP version 13\n1..2\n# selftests: drivers/net: gro.py\n"
                          "# ok 1 gro.b\nok 1 selftests: drivers/net: gro.py\n"
                          "# not ok 1 csum.ipv4_tx\n"
                          "not ok 2 selftests: drivers/net/hw: csum.py # exit=1\n")
        out = self.compare("--retry", again, ref, cand)
        self.assertIn("passed on retry: drivers/net: gro.py: gro.b (first run: fail)", out)
        self.assertIn("regression: drivers/net/hw: csum.py: csum.ipv4_tx (fail)", out)
        self.assertTrue(out.rstrip().endswith("REGRESSIONS 1"))


if __name__ == "__main__":
    unittest.main()
