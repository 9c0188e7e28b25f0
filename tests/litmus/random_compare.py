#!/usr/bin/env python3
"""tests/litmus/random_compare.py UTSIM [COUNT] [SEED]: utsim's sc and tso
against the independent oracle (tools/litmus-oracle.py) on random litmus
programs: for each, the set of final outcomes (every labelled load's value
and every variable's final value) an exhaustive exploration reaches must be
the same; and utsim's lkmm must reach every outcome x86-TSO reaches (LKMM
is weaker than x86).  Deterministic for a seed; prints the first program
that differs.
"""
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ORACLE = os.path.join(HERE, "..", "..", "tools", "litmus-oracle.py")
VARS = ["x", "y"]


def random_program(rng, cpu, labels):
    ops = []
    for _ in range(rng.randint(1, 3)):
        kind = rng.choice(["w", "w", "r", "r", "rel", "acq", "mb", "wmb", "rmb", "xchg", "cs"])
        v = rng.choice(VARS)
        if kind in ("w", "rel"):
            ops.append({"write_once" if kind == "w" else "smp_store_release": {"var": v, "value": rng.randint(1, 2)}})
        elif kind in ("r", "acq", "xchg"):
            label = f"p{cpu}r{len(labels)}"
            labels.append(label)
            if kind == "xchg":
                ops.append({"xchg": {"var": v, "value": rng.randint(1, 2)}, "label": label})
            else:
                ops.append({"read_once" if kind == "r" else "smp_load_acquire": v, "label": label})
        elif kind == "cs":
            ops += [{"spin_lock": "s"}, {"write_once": {"var": v, "value": 3}}, {"spin_unlock": "s"}]
        else:
            ops.append({{"mb": "smp_mb", "wmb": "smp_wmb", "rmb": "smp_rmb"}[kind]: {}})
    return ops


def scenario(rng, i):
    labels = []
    cpus = rng.choice([2, 2, 3])
    tasks = [{"name": f"P{c}", "kind": "kthread", "program": random_program(rng, c, labels)} for c in range(cpus)]
    return {"utsim": 1, "name": f"random-{i}", "summary": "a random litmus program", "model": {"memory": "sc"},
            "vars": {v: 0 for v in VARS}, "tasks": tasks}


def canon(results, variables):
    return json.dumps([sorted(results.items()), sorted(variables.items())])


def utsim_outcomes(utsim, path, model):
    out = subprocess.run([utsim, "explore", path, "--memory", model, "--json", "--no-shrink"], capture_output=True,
                         text=True)
    doc = json.loads(out.stdout)
    if not doc.get("complete"):
        raise SystemExit(f"{path}: utsim's exploration under {model} is not complete")
    got = set()
    for o in doc["outcomes"]:
        results, variables = {}, {}
        for part in o["signature"].split("; "):
            if " == " in part:
                k, v = part.split(" == ", 1)
                variables[k] = int(v)
            elif " = " in part:
                k, v = part.split(" = ", 1)
                results[k] = int(v)
        got.add(canon(results, variables))
    return got


def oracle_outcomes(path, model):
    out = subprocess.run([sys.executable, ORACLE, "--json", "--model", model, path], capture_output=True, text=True)
    doc = json.loads(out.stdout)[0]
    return {canon(o.get("results", {}), o.get("vars", {})) for o in doc["models"][model]["outcomes"]}


def main(argv):
    utsim = argv[1]
    count = int(argv[2]) if len(argv) > 2 else 30
    rng = random.Random(int(argv[3]) if len(argv) > 3 else 12)
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(count):
            doc = scenario(rng, i)
            path = os.path.join(tmp, f"random-{i}.json")
            with open(path, "w") as f:
                json.dump(doc, f)
            for model in ("sc", "tso"):
                mine, ref = utsim_outcomes(utsim, path, model), oracle_outcomes(path, model)
                if mine != ref:
                    print(f"program {i} differs under {model}:\n{json.dumps(doc['tasks'], indent=1)}")
                    print(f"  utsim only:  {sorted(mine - ref)}\n  oracle only: {sorted(ref - mine)}")
                    return 1
            # lkmm is weaker than x86-TSO: it reaches every outcome TSO reaches.
            missing = oracle_outcomes(path, "tso") - utsim_outcomes(utsim, path, "lkmm")
            if missing:
                print(f"program {i}: lkmm misses outcomes x86-TSO reaches: {sorted(missing)}\n"
                      f"{json.dumps(doc['tasks'], indent=1)}")
                return 1
    print(f"{count} random programs: utsim's sc and tso reach exactly the oracle's outcomes, lkmm all of tso's")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
