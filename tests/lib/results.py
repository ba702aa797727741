#!/usr/bin/env python3
"""Honest counts from a ctest run or a GoogleTest binary's output.

    results.py ctest LOG [JUNIT] [WHAT]    LOG: ctest's console output
    results.py gtest LOG RC [WHAT]         LOG: the binary's output
                                           (--gtest_brief=0), RC: its exit

Prints, for every group of tests that did not run (same reason), one line
    NOT RUN ITEM: <count> <WHAT> tests (<names>): <reason>
then a "FAIL: ..." line per failure it had to infer, and last
    COUNTS <passed> <failed> <skipped>
A skipped test is never a pass.  For ctest every test line is classified
("Passed", "***Skipped" and "***Not Run (Disabled)" are the only non-
failures; "***Not Run" without (Disabled), "***Exception: ...", "***Timeout"
are failures); no test line or no summary line is a failure.  For a gtest
binary, a crash (no "[  PASSED  ]" summary), a non-zero exit with no failed
test, or a run that ran no test at all is a failure.
"""
import re
import sys
import xml.etree.ElementTree as ET

# "  3/17 Test  #3: name ......   Passed    0.01 sec"; the name may hold
# dots and spaces (long names end in "..."): the status follows the last
# run of padding dots.  Statuses: "Passed", "***Failed ...", "***Skipped",
# "***Not Run", "***Not Run (Disabled)", "***Exception: ...", "***Timeout",
# "Subprocess terminated***Exception: ..." and the like.
CTEST_LINE = re.compile(r"^\s*\d+/\d+ Test\s+#\d+: (.*) \.+ *(\S.*?)\s+[\d.]+ sec\s*$")
CTEST_SUMMARY = re.compile(r"(\d+)% tests passed, (\d+) tests? failed out of (\d+)")


def clean_reason(r):
    r = r.strip()
    r = re.sub(r"^NOT RUN:\s*", "", r)
    return r or "(no reason given)"


def gtest_skip_reasons(text):
    """name -> reason from gtest output ('file:line: Skipped' then the message)."""
    reasons = {}
    cur = None
    pending = None
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"^\[ RUN      \] (\S+)", line)
        if m:
            cur, pending = m.group(1), None
            continue
        if re.search(r": Skipped$", line) and cur:
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            pending = nxt if nxt and not nxt.startswith("[") else "GTEST_SKIP (no message)"
            continue
        m = re.match(r"^\[  SKIPPED \] (\S+) \(", line)
        if m:
            reasons[m.group(1)] = clean_reason(pending or "GTEST_SKIP (no message)")
            cur, pending = None, None
    return reasons


def print_items(skipped, what):
    """skipped: list of (name, reason); one NOT RUN ITEM per reason."""
    groups = {}
    for name, reason in skipped:
        groups.setdefault(reason, []).append(name)
    for reason, names in groups.items():
        shown = ", ".join(names[:3]) + (f", +{len(names) - 3} more" if len(names) > 3 else "")
        noun = "test" if len(names) == 1 else "tests"
        print(f"NOT RUN ITEM: {len(names)} {what} {noun} ({shown}): {reason}")


def junit_reasons(path):
    reasons = {}
    if not path:
        return reasons
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return reasons
    for case in root.iter("testcase"):
        name = case.get("name")
        out = case.findtext("system-out") or ""
        sk = case.find("skipped")
        msg = sk.get("message", "") if sk is not None else case.get("status", "")
        gt = gtest_skip_reasons(out)
        if gt:
            reasons[name] = next(iter(gt.values()))
        else:
            nr = [l for l in out.splitlines() if l.startswith("NOT RUN")]
            reasons[name] = clean_reason(nr[0] if nr else msg)
    return reasons


def ctest(log, junit=None, what="ctest"):
    text = open(log, errors="replace").read()
    passed = failed = 0
    skipped = []
    extra_fail = []
    failed_names = []
    for line in text.splitlines():
        m = CTEST_LINE.match(line)
        if not m:
            continue
        name, status = m.group(1), m.group(2).strip()
        if status == "Passed":
            passed += 1
        elif status in ("***Skipped", "***Not Run (Disabled)"):
            skipped.append(name)
        else:
            failed += 1
            failed_names.append(f"{name} ({status.lstrip('*')})")
    summary = CTEST_SUMMARY.findall(text)
    if passed + failed + len(skipped) == 0:
        extra_fail.append("ctest ran no test")
    elif not summary:
        extra_fail.append("ctest printed no summary line (ctest itself failed)")
    elif int(summary[-1][1]) > failed:
        # Its test lines and its summary disagree: trust the worse.
        extra_fail.append(f"ctest's summary says {summary[-1][1]} failed, its test lines {failed}")
    reasons = junit_reasons(junit)
    for n in failed_names:
        print(f"FAIL: {n}")
    print_items([(n, reasons.get(n, "skipped (see the ctest log)")) for n in skipped], what)
    for e in extra_fail:
        print(f"FAIL: {e}")
    print(f"COUNTS {passed} {failed + len(extra_fail)} {len(skipped)}")


def gtest(log, rc, what="gtest"):
    text = open(log, errors="replace").read()
    ok = set(re.findall(r"^\[       OK \] (\S+)", text, re.M))
    bad = set(re.findall(r"^\[  FAILED  \] ([A-Za-z_][\w/]*\.[\w/]+)", text, re.M))
    skipped = set(re.findall(r"^\[  SKIPPED \] ([A-Za-z_][\w/]*\.[\w/]+)", text, re.M))
    reasons = gtest_skip_reasons(text)
    extra = []
    finished = re.search(r"^\[==========\] \d+ tests? from \d+ test suites? ran\.", text, re.M)
    if not finished:
        extra.append(f"{what}: the binary did not finish (crash or abort, exit {rc})")
    elif rc != 0 and not bad:
        extra.append(f"{what}: exit status {rc} although no test failed")
    if finished and re.search(r"^\[==========\] 0 tests from", text, re.M):
        extra.append(f"{what}: ran no test (the filter matches nothing)")
    for n in sorted(bad):
        print(f"FAIL: {n}")
    items = [(n, reasons.get(n, "GTEST_SKIP")) for n in sorted(skipped)]
    nsk = re.findall(r"^\[  SKIPPED \] (\d+) tests?[.,]", text, re.M)
    if not items and nsk and int(nsk[-1]):
        # --gtest_brief=1: a count and the skip messages, no names.
        lines = text.splitlines()
        msgs = [clean_reason(lines[i + 1]) if i + 1 < len(lines) and lines[i + 1] else
                "GTEST_SKIP (no message)" for i, l in enumerate(lines) if re.search(r": Skipped$", l)]
        n = int(nsk[-1])
        if len(msgs) != n:
            msgs = ["GTEST_SKIP (see the log)"] * n
        items = [(f"#{i + 1}", m) for i, m in enumerate(msgs)]
    print_items(items, what)
    for e in extra:
        print(f"FAIL: {e}")
    # --gtest_brief=1 prints no "[       OK ]" lines: its summary counts.
    summ = re.findall(r"^\[  PASSED  \] (\d+) tests?\.", text, re.M)
    passed = int(summ[-1]) if summ else len(ok)
    print(f"COUNTS {passed} {len(bad) + len(extra)} {len(items)}")


def main():
    if len(sys.argv) >= 3 and sys.argv[1] == "ctest":
        ctest(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 and sys.argv[3] else None,
              sys.argv[4] if len(sys.argv) > 4 else "ctest")
    elif len(sys.argv) >= 4 and sys.argv[1] == "gtest":
        gtest(sys.argv[2], int(sys.argv[3]), sys.argv[4] if len(sys.argv) > 4 else "gtest")
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
