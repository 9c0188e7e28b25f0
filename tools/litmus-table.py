#!/usr/bin/env python3
"""The litmus table of docs/memory-model.md, made by running utsim.

For each scenario of scenarios/litmus/: the test, the result LKMM states for it
(its `x-mirrors`, or `x-lkmm-verdict` for the tests that are not upstream's),
and, per memory model, what utsim found: "Sometimes" when an explored
schedule ended in the test's exists clause (the first `reachable` or
`unreachable` entry of the file's `expect`), "Never" when none did and the
exploration was complete.  It runs `utsim check DIR --memory M --json` once
per model, and that must pass: every file's expectation for the model holds.

  tools/litmus-table.py UTSIM [DIR]            print the table (Markdown)
  tools/litmus-table.py UTSIM [DIR] --check DOC
      exit 1 unless every check passes and DOC holds the table, byte for
      byte, between the lines <!-- litmus-table: begin --> and
      <!-- litmus-table: end -->
"""
import glob
import json
import os
import re
import subprocess
import sys

MODELS = ("sc", "tso", "lkmm")
BEGIN, END = "<!-- litmus-table: begin -->", "<!-- litmus-table: end -->"


def exists_clause(doc):
    e = doc.get("expect", {})
    for key in ("reachable", "unreachable"):
        if e.get(key):
            return e[key][0]
    raise SystemExit(f"{doc['name']}: no reachable/unreachable entry in expect")


def stated(doc):
    for key in ("x-mirrors", "x-lkmm-verdict"):
        m = re.search(r"\b(Sometimes|Never)\b", doc.get(key, ""))
        if m:
            return m.group(1) + ("" if key == "x-mirrors" else " (derived)")
    return "?"


def parse_signature(sig):
    """'p0r0 = 1; x == 2' -> ({'p0r0': '1'}, {'x': '2'})"""
    results, variables = {}, {}
    for part in sig.split("; "):
        if " == " in part:
            k, v = part.split(" == ", 1)
            variables[k] = v
        elif " = " in part:
            k, v = part.split(" = ", 1)
            results[k] = v
    return results, variables


def matches(clause, sig):
    results, variables = parse_signature(sig)
    for k, v in clause.get("results", {}).items():
        if results.get(k) != str(v):
            return False
    for k, v in clause.get("vars", {}).items():
        if variables.get(k) != str(v):
            return False
    return True


def check(utsim, folder, model):
    """{file: (signatures, complete)} of `utsim check` under `model`."""
    out = subprocess.run([utsim, "check", folder, "--memory", model, "--json", "--no-shrink"], capture_output=True,
                         text=True)
    doc = json.loads(out.stdout)
    failed = [s for s in doc["scenarios"] if s["verdict"] != "pass"]
    if out.returncode != 0 or failed:
        for s in failed:
            print(f"{s['file']} under {model}: {s['verdict']}: {s.get('problems')}", file=sys.stderr)
        raise SystemExit(f"utsim check {folder} --memory {model} exited {out.returncode}")
    return {os.path.normpath(s["file"]): ([o["signature"] for o in s["outcomes"]], s.get("complete", False))
            for s in doc["scenarios"]}


def table(utsim, folder):
    runs = {m: check(utsim, folder, m) for m in MODELS}
    rows = ["| test | LKMM states | utsim sc | utsim tso | utsim lkmm |", "|---|---|---|---|---|"]
    for path in sorted(glob.glob(os.path.join(folder, "*.json"))):
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        clause = exists_clause(doc)
        found = []
        for m in MODELS:
            signatures, complete = runs[m][os.path.normpath(path)]
            if any(matches(clause, sig) for sig in signatures):
                found.append("Sometimes")
            else:
                found.append("Never" if complete else "not found (incomplete)")
        lkmm = found[2]
        base = stated(doc).split(" ")[0]
        if base in ("Sometimes", "Never") and lkmm != base:
            lkmm += " (stronger than LKMM)" if lkmm == "Never" else " (WEAKER THAN LKMM)"
        name = os.path.basename(path)[:-5]
        rows.append(f"| [{name}](../scenarios/litmus/{os.path.basename(path)}) | {stated(doc)} | "
                    f"{found[0]} | {found[1]} | {lkmm} |")
    return "\n".join(rows) + "\n"


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    utsim = argv[1]
    folder = argv[2] if len(argv) > 2 and not argv[2].startswith("--") else "scenarios/litmus"
    t = table(utsim, folder)
    if "--check" in argv:
        doc_path = argv[argv.index("--check") + 1]
        with open(doc_path, encoding="utf-8") as f:
            text = f.read()
        if BEGIN not in text or END not in text:
            print(f"{doc_path}: no {BEGIN} ... {END}", file=sys.stderr)
            return 1
        have = text.split(BEGIN, 1)[1].split(END, 1)[0].strip("\n") + "\n"
        if have != t:
            print(f"{doc_path}: the litmus table differs from what utsim finds now; regenerate it with "
                  f"tools/litmus-table.py {utsim}", file=sys.stderr)
            for a, b in zip(have.splitlines(), t.splitlines()):
                if a != b:
                    print(f"  doc:   {a}\n  utsim: {b}", file=sys.stderr)
            return 1
        return 0
    sys.stdout.write(t)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
