#!/usr/bin/env python3
"""litmus-oracle: an independent reference for utsim's litmus scenarios.

Reads litmus scenarios (scenarios/litmus/*.json, the issue 12 format) and
enumerates, exhaustively, every execution of the program under

  sc   sequential consistency: every interleaving of the threads' operations,
       each operation acting on memory atomically;
  tso  x86-TSO (Owens, Sarkar, Sewell 2009): one FIFO store buffer per thread,
       a read takes the newest value for its variable in its own buffer
       (store forwarding) or else memory, and a thread's buffered writes reach
       memory oldest first, at any time (one write is one step).

It prints the reachable final outcomes (every register label and every
variable) and, for each expectation of the file under `sc` and `tso`, whether
the enumeration agrees.  Standard library only; no part of utsim is used.

Each model is enumerated twice, in two independent ways: operationally (a
search over the states of the machine above) and axiomatically (every
candidate execution -- a reads-from source for each load, a coherence order
for each location -- filtered by the model's axioms: SC as acyclic
po|rf|co|fr, x86-TSO as the x86tso uniproc and ghb axioms).  A file whose two
enumerations differ fails the check: a bug in one of them would show.

How the kernel primitives map (x86's own implementation of them, which is what
makes `tso` the x86 verdict):

  op                      sc                tso
  write_once              store             buffered store
  smp_store_release       store             buffered store (a plain MOV on x86)
  read_once               load              load with store forwarding
  smp_load_acquire        load              load with store forwarding (plain MOV)
  xchg                    atomic swap       locked swap: waits for an empty
                                            buffer, then reads and writes memory
                                            in one step (result: the old value)
  smp_mb                  nothing           waits for an empty buffer (MFENCE)
  smp_mb__after_spinlock  nothing           waits for an empty buffer
  smp_wmb, smp_rmb        nothing           nothing (compiler barriers on x86)
  spin_lock(s)            waits until s     waits for an empty buffer and until
                          is free, takes it s is free, takes it in one step
                                            (a locked RMW on x86)
  spin_unlock(s)          frees s           waits for an empty buffer, frees s
                                            (see below)

spin_unlock is a plain store on x86 (it is buffered, and later loads may pass
it).  The `tso` model here treats it as draining the buffer first, which is
stronger than the hardware: a load after spin_unlock cannot be satisfied
before the critical section's stores are visible.  `--tso-unlock=buffered`
models the hardware instead (the release goes through the store buffer like
any store; the lock becomes free when it drains) so that the difference can be
measured; the checked expectations use the default (`drain`).

Usage:
  tools/litmus-oracle.py FILE...          outcomes and verdicts, per file
  tools/litmus-oracle.py --check DIR...   one line per file; exit 1 when any
                                          sc/tso expectation disagrees with the
                                          enumeration, the two enumerations
                                          differ, an execution deadlocks, the
                                          file's LKMM Never is reached under sc
                                          or tso, or a file is malformed
  tools/litmus-oracle.py --derive FILE    print the expect_memory the
                                          enumeration gives for the file's
                                          `expect` entries (to write files)
Options: --model sc|tso (default both), --tso-unlock drain|buffered, --json.

Exit status: 0 all agree, 1 a disagreement or malformed file, 2 usage error.
"""

import argparse
import json
import os
import sys

MODELS = ("sc", "tso")
TOP_KEYS = {"utsim", "name", "summary", "explain", "origin", "model", "vars",
            "tasks", "expect", "expect_memory", "explore"}
EXPECT_KEYS = {"outcomes", "reachable", "unreachable"}
OUTCOME_KEYS = {"results", "vars"}


class FormatError(Exception):
    pass


def _strip_x(obj):
    """Drop `x-` keys at any depth (the loader ignores them)."""
    if isinstance(obj, dict):
        return {k: _strip_x(v) for k, v in obj.items() if not k.startswith("x-")}
    if isinstance(obj, list):
        return [_strip_x(v) for v in obj]
    return obj


# --------------------------------------------------------------------------
# Loading

class Program:
    """A parsed litmus scenario."""

    def __init__(self, data, path):
        self.path = path
        data = _strip_x(data)
        extra = set(data) - TOP_KEYS
        if extra:
            raise FormatError("unknown top-level keys: %s" % sorted(extra))
        if data.get("utsim") != 1:
            raise FormatError('"utsim" must be 1')
        self.name = data.get("name", "?")
        if data.get("model", {}).get("memory") not in ("sc", "tso", "lkmm"):
            raise FormatError('"model": {"memory": ...} is missing or unknown')
        vars_ = data.get("vars")
        if not isinstance(vars_, dict) or not vars_:
            raise FormatError('"vars" must be a non-empty object')
        for v, init in vars_.items():
            if not isinstance(init, int) or isinstance(init, bool):
                raise FormatError("initial value of %s is not an integer" % v)
        self.var_names = sorted(vars_)
        self.var_index = {v: i for i, v in enumerate(self.var_names)}
        self.init = tuple(vars_[v] for v in self.var_names)
        self.labels = []
        self.lock_names = []
        self.threads = []   # per thread: list of (kind, arg...) tuples
        self.thread_names = []
        tasks = data.get("tasks")
        if not isinstance(tasks, list) or not tasks:
            raise FormatError('"tasks" must be a non-empty list')
        for t in tasks:
            if t.get("kind") != "kthread":
                raise FormatError("task %s: litmus tasks are kthreads" % t.get("name"))
            self.thread_names.append(t["name"])
            self.threads.append([self._op(o, t["name"]) for o in t.get("program", [])])
        if len(set(self.labels)) != len(self.labels):
            raise FormatError("labels are not unique")
        self.label_index = {l: i for i, l in enumerate(self.labels)}
        self.lock_index = {s: i for i, s in enumerate(self.lock_names)}
        # resolve lock names to indexes
        for ops in self.threads:
            for i, op in enumerate(ops):
                if op[0] in ("LOCK", "UNLOCK"):
                    ops[i] = (op[0], self.lock_index[op[1]])
        self.expect = self._expect(data.get("expect", {}), "expect")
        em = data.get("expect_memory", {})
        # lkmm: utsim's own expectation where it is stronger than LKMM (not the oracle's to check).
        if set(em) - set(MODELS) - {"lkmm"}:
            raise FormatError("expect_memory has unknown models: %s" % sorted(set(em) - set(MODELS) - {"lkmm"}))
        self.expect_memory = {m: self._expect(em[m], "expect_memory." + m) for m in em if m in MODELS}

    def _var(self, v, where):
        if v not in self.var_index:
            raise FormatError("%s: variable %r is not in \"vars\"" % (where, v))
        return self.var_index[v]

    def _label(self, op, where):
        label = op.get("label")
        if label is not None:
            self.labels.append(label)
        return label

    def _op(self, op, task):
        keys = [k for k in op if k not in ("label",)]
        if len(keys) != 1:
            raise FormatError("task %s: op %r must have exactly one op key" % (task, op))
        k = keys[0]
        a = op[k]
        where = "task %s, %s" % (task, k)
        if k in ("write_once", "smp_store_release"):
            if not isinstance(a.get("value"), int):
                raise FormatError(where + ": value must be an integer")
            if "label" in op:
                raise FormatError(where + ": a store has no result to label")
            return ("W", self._var(a["var"], where), a["value"])
        if k in ("read_once", "smp_load_acquire"):
            return ("R", self._var(a, where), self._label(op, where))
        if k == "xchg":
            if not isinstance(a.get("value"), int):
                raise FormatError(where + ": value must be an integer")
            return ("X", self._var(a["var"], where), a["value"], self._label(op, where))
        if k in ("smp_mb", "smp_mb__after_spinlock"):
            if a != {}:
                raise FormatError(where + ": takes {}")
            return ("MB",)
        if k in ("smp_wmb", "smp_rmb"):
            if a != {}:
                raise FormatError(where + ": takes {}")
            return ("NOP",)
        if k in ("spin_lock", "spin_unlock"):
            if not isinstance(a, str) or a in self.var_index:
                raise FormatError(where + ": a lock name that is not a variable")
            if a not in self.lock_names:
                self.lock_names.append(a)
            return ("LOCK" if k == "spin_lock" else "UNLOCK", a)
        raise FormatError("task %s: op %r is not a litmus op" % (task, k))

    def _expect(self, e, where):
        if set(e) - EXPECT_KEYS:
            raise FormatError("%s: unknown keys %s" % (where, sorted(set(e) - EXPECT_KEYS)))
        out = {}
        for kind in EXPECT_KEYS:
            entries = e.get(kind, [])
            for ent in entries:
                if not ent or set(ent) - OUTCOME_KEYS:
                    raise FormatError("%s.%s: bad outcome %r" % (where, kind, ent))
                for l in ent.get("results", {}):
                    if l not in self.labels:
                        raise FormatError("%s.%s: no label %r" % (where, kind, l))
                for v in ent.get("vars", {}):
                    if v not in self.var_index:
                        raise FormatError("%s.%s: no variable %r" % (where, kind, v))
            out[kind] = entries
        return out


def load(path):
    with open(path) as f:
        data = json.load(f)
    return Program(data, path)


# --------------------------------------------------------------------------
# Enumeration
#
# A state is (pcs, bufs, mem, locks, regs), all tuples:
#   pcs[t]   index of thread t's next op
#   bufs[t]  thread t's store buffer, oldest first: (var, value) entries, or
#            (-1 - lock, None) for a buffered spin_unlock (--tso-unlock=buffered)
#   mem[v]   memory's value of variable v
#   locks[s] holder thread of lock s, or -1
#   regs[l]  value of label l, or None
# The search is a depth-first walk over states with a visited set, so every
# reachable state (and so every final outcome) is found exactly once.

def _set(tup, i, val):
    lst = list(tup)
    lst[i] = val
    return tuple(lst)


def enumerate_outcomes(prog, model, tso_unlock="drain"):
    """Return (finals, deadlocks, states): finals is the set of
    (regs, mem) pairs of the executions that end with every thread done and
    every buffer empty; deadlocks the states with no move that are not final."""
    nthreads = len(prog.threads)
    start = (tuple(0 for _ in range(nthreads)),
             tuple(() for _ in range(nthreads)),
             prog.init,
             tuple(-1 for _ in prog.lock_names),
             tuple(None for _ in prog.labels))
    seen = {start}
    stack = [start]
    finals = set()
    deadlocks = set()
    tso = model == "tso"
    while stack:
        state = stack.pop()
        pcs, bufs, mem, locks, regs = state
        succs = []
        for t in range(nthreads):
            buf = bufs[t]
            # a buffered write reaches memory (TSO only; the oldest first)
            if buf:
                (v, val) = buf[0]
                if v >= 0:
                    nmem = _set(mem, v, val)
                    nlocks = locks
                else:  # a buffered spin_unlock frees its lock
                    nmem = mem
                    nlocks = _set(locks, -1 - v, -1)
                succs.append((pcs, _set(bufs, t, buf[1:]), nmem, nlocks, regs))
            ops = prog.threads[t]
            if pcs[t] >= len(ops):
                continue
            op = ops[pcs[t]]
            kind = op[0]
            npcs = _set(pcs, t, pcs[t] + 1)
            if kind == "W":
                if tso:
                    succs.append((npcs, _set(bufs, t, buf + ((op[1], op[2]),)), mem, locks, regs))
                else:
                    succs.append((npcs, bufs, _set(mem, op[1], op[2]), locks, regs))
            elif kind == "R":
                val = mem[op[1]]
                for (v, bv) in buf:   # newest buffered write to the variable wins
                    if v == op[1]:
                        val = bv
                nregs = regs if op[2] is None else _set(regs, prog.label_index[op[2]], val)
                succs.append((npcs, bufs, mem, locks, nregs))
            elif kind == "X":
                if buf:
                    continue       # a locked instruction waits for the buffer
                old = mem[op[1]]
                nregs = regs if op[3] is None else _set(regs, prog.label_index[op[3]], old)
                succs.append((npcs, bufs, _set(mem, op[1], op[2]), locks, nregs))
            elif kind == "MB":
                if buf:
                    continue
                succs.append((npcs, bufs, mem, locks, regs))
            elif kind == "NOP":
                succs.append((npcs, bufs, mem, locks, regs))
            elif kind == "LOCK":
                if buf or locks[op[1]] != -1:
                    continue
                succs.append((npcs, bufs, mem, _set(locks, op[1], t), regs))
            elif kind == "UNLOCK":
                if locks[op[1]] != t:
                    raise FormatError("%s: %s unlocks %s, which it does not hold"
                                      % (prog.name, prog.thread_names[t],
                                         prog.lock_names[op[1]]))
                if tso and tso_unlock == "buffered":
                    succs.append((npcs, _set(bufs, t, buf + ((-1 - op[1], None),)),
                                  mem, locks, regs))
                else:
                    if buf:
                        continue
                    succs.append((npcs, bufs, mem, _set(locks, op[1], -1), regs))
        if not succs:
            if all(pcs[t] >= len(prog.threads[t]) for t in range(nthreads)) \
                    and not any(bufs):
                finals.add((regs, mem))
            else:
                deadlocks.add(state)
            continue
        for s in succs:
            if s not in seen:
                seen.add(s)
                stack.append(s)
    return finals, deadlocks, len(seen)


# --------------------------------------------------------------------------
# A second, axiomatic enumeration (--cross-check)
#
# The same models written the other way round, as constraints on candidate
# executions (a reads-from choice for every load and a coherence order for
# every location): SC is acyclic(po | rf | co | fr); x86-TSO is the x86tso
# axioms (uniproc: acyclic(po-loc | rf | co | fr); ghb: acyclic(ppo | implied
# | rfe | co | fr) where ppo drops store->load pairs and implied restores those
# separated by a fence or involving a locked instruction), both with RMW
# atomicity.  Locks are locations: spin_lock is a locked RMW that must read 0
# and writes 1; spin_unlock writes 0 between two fences (the draining unlock;
# a plain store with --tso-unlock=buffered).  The final outcomes of the two
# enumerations must be the same set.

def axiomatic_outcomes(prog, model, tso_unlock="drain"):
    import itertools
    nv = len(prog.var_names)
    ev = []            # (thread, kind 'R'/'W'/'F', loc, value/label, locked)
    rmw = []           # (read id, write id)
    must0 = set()      # lock reads: must read 0
    per_thread = []
    for t, ops in enumerate(prog.threads):
        ids = []
        def add(kind, loc=None, val=None, locked=False):
            ev.append((t, kind, loc, val, locked))
            ids.append(len(ev) - 1)
            return len(ev) - 1
        for op in ops:
            k = op[0]
            if k == "W":
                add("W", op[1], op[2])
            elif k == "R":
                add("R", op[1], op[2])
            elif k == "X":
                r = add("R", op[1], op[3], True)
                w = add("W", op[1], op[2], True)
                rmw.append((r, w))
            elif k == "MB":
                add("F")
            elif k == "LOCK":
                r = add("R", nv + op[1], None, True)
                w = add("W", nv + op[1], 1, True)
                rmw.append((r, w))
                must0.add(r)
            elif k == "UNLOCK":
                if model == "tso" and tso_unlock == "buffered":
                    add("W", nv + op[1], 0)
                else:
                    add("F")
                    add("W", nv + op[1], 0)
                    add("F")
        per_thread.append(ids)
    po = set()
    for ids in per_thread:
        for i, a in enumerate(ids):
            for b in ids[i + 1:]:
                po.add((a, b))
    nloc = nv + len(prog.lock_names)
    init = list(prog.init) + [0] * len(prog.lock_names)
    reads = [i for i, e in enumerate(ev) if e[1] == "R"]
    writes_at = {l: [i for i, e in enumerate(ev) if e[1] == "W" and e[2] == l] for l in range(nloc)}
    def val_of(src, loc):
        return init[loc] if src is None else ev[src][3]
    rf_choices = []
    for r in reads:
        loc = ev[r][2]
        cands = [None] + writes_at[loc]
        if r in must0:
            cands = [c for c in cands if val_of(c, loc) == 0]
        rf_choices.append(cands)
    co_choices = [list(itertools.permutations(writes_at[l])) for l in range(nloc)]
    def fenced(a, b):   # a fence or a locked event at or between a and b (same thread)
        t = ev[a][0]
        ids = per_thread[t]
        ia, ib = ids.index(a), ids.index(b)
        return any(ev[x][1] == "F" or ev[x][4] for x in ids[ia:ib + 1])
    if model == "tso":
        order = set()
        for (a, b) in po:
            if ev[a][1] == "F" or ev[b][1] == "F":
                continue
            if ev[a][1] == "W" and ev[b][1] == "R" and not fenced(a, b):
                continue
            order.add((a, b))
    else:
        order = {(a, b) for (a, b) in po if ev[a][1] != "F" and ev[b][1] != "F"}
    poloc = {(a, b) for (a, b) in po if ev[a][2] is not None and ev[a][2] == ev[b][2]
             and ev[a][1] != "F" and ev[b][1] != "F"}
    finals = set()
    for rfs in itertools.product(*rf_choices):
        rf_of = dict(zip(reads, rfs))
        for cos in itertools.product(*co_choices):
            rank = {}
            for l in range(nloc):
                for i, w in enumerate(cos[l]):
                    rank[w] = i
            co = {(a, b) for l in range(nloc) for i, a in enumerate(cos[l]) for b in cos[l][i + 1:]}
            rf = {(w, r) for r, w in rf_of.items() if w is not None}
            fr = set()
            for r, w in rf_of.items():
                for w2 in writes_at[ev[r][2]]:
                    if w is None or rank[w2] > rank[w]:
                        fr.add((r, w2))
            # atomicity: the RMW's write is the immediate co-successor of its read's source
            ok = True
            for (r, w) in rmw:
                src = rf_of[r]
                want = 0 if src is None else rank[src] + 1
                if rank[w] != want:
                    ok = False
                    break
            if not ok:
                continue
            com = rf | co | fr
            if model == "sc":
                if _cyclic(len(ev), order | com):
                    continue
            else:
                if _cyclic(len(ev), poloc | com):
                    continue
                rfe = {(a, b) for (a, b) in rf if ev[a][0] != ev[b][0]}
                if _cyclic(len(ev), order | rfe | co | fr):
                    continue
            regs = [None] * len(prog.labels)
            for r, w in rf_of.items():
                lab = ev[r][3]
                if ev[r][2] < nv and lab is not None:
                    regs[prog.label_index[lab]] = val_of(w, ev[r][2])
            mem = tuple(val_of(cos[l][-1] if cos[l] else None, l) for l in range(nv))
            finals.add((tuple(regs), mem))
    return finals


def _cyclic(n, edges):
    adj = [[] for _ in range(n)]
    for a, b in edges:
        adj[a].append(b)
    color = [0] * n
    for s in range(n):
        if color[s]:
            continue
        stack = [(s, iter(adj[s]))]
        color[s] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
            elif color[nxt] == 1:
                return True
            elif color[nxt] == 0:
                color[nxt] = 1
                stack.append((nxt, iter(adj[nxt])))
    return False


def outcome_dict(prog, final):
    regs, mem = final
    return {"results": {l: regs[i] for i, l in enumerate(prog.labels)},
            "vars": {v: mem[i] for i, v in enumerate(prog.var_names)}}


def matches(prog, final, entry):
    regs, mem = final
    for l, val in entry.get("results", {}).items():
        if regs[prog.label_index[l]] != val:
            return False
    for v, val in entry.get("vars", {}).items():
        if mem[prog.var_index[v]] != val:
            return False
    return True


def judge(prog, finals, expect):
    """Verdicts for one expectation block: a list of (kind, entry, ok, why)."""
    out = []
    for ent in expect.get("unreachable", []):
        hit = [f for f in finals if matches(prog, f, ent)]
        out.append(("unreachable", ent, not hit,
                    "reached" if hit else "not reached"))
    for ent in expect.get("reachable", []):
        hit = [f for f in finals if matches(prog, f, ent)]
        out.append(("reachable", ent, bool(hit),
                    "reached" if hit else "not reached"))
    if expect.get("outcomes"):
        stray = [f for f in finals
                 if not any(matches(prog, f, e) for e in expect["outcomes"])]
        out.append(("outcomes", None, not stray,
                    "all %d final outcomes listed" % len(finals) if not stray else
                    "not listed: " + "; ".join(fmt_final(prog, f) for f in sorted(stray, key=_key))))
    return out


def _key(final):
    regs, mem = final
    return (tuple(-10**9 if r is None else r for r in regs), mem)


def fmt_entry(ent):
    parts = ["%s=%s" % kv for kv in ent.get("results", {}).items()]
    parts += ["%s=%s" % kv for kv in ent.get("vars", {}).items()]
    return " /\\ ".join(parts)


def fmt_final(prog, final):
    regs, mem = final
    parts = ["%s=%s" % (l, regs[i]) for i, l in enumerate(prog.labels)]
    parts += ["%s=%s" % (v, mem[i]) for i, v in enumerate(prog.var_names)]
    return " ".join(parts)


def verdict_word(prog, finals, expect):
    """Never / Sometimes for the file's LKMM `expect` condition, under this model."""
    ents = expect.get("unreachable", []) + expect.get("reachable", [])
    if not ents:
        return "-"
    hit = any(matches(prog, f, e) for f in finals for e in ents)
    return "Sometimes" if hit else "Never"


# --------------------------------------------------------------------------
# Driver

def analyse(prog, models, tso_unlock):
    res = {}
    for m in models:
        finals, deadlocks, nstates = enumerate_outcomes(prog, m, tso_unlock)
        exp = prog.expect_memory.get(m)
        checks = judge(prog, finals, exp) if exp is not None else []
        # consistency with the LKMM expectation: an SC or x86-TSO execution is
        # one LKMM allows (x86 implements LKMM), so what LKMM says Never must be
        # Never here too
        lkmm = []
        for ent in prog.expect.get("unreachable", []):
            hit = any(matches(prog, f, ent) for f in finals)
            lkmm.append((ent, not hit))
        axiom = axiomatic_outcomes(prog, m, tso_unlock)
        res[m] = {"finals": finals, "deadlocks": deadlocks, "states": nstates,
                  "checks": checks, "lkmm_consistent": lkmm,
                  "missing": exp is None,
                  "axiom_diff": sorted(finals ^ axiom, key=_key)}
    return res


def file_ok(res):
    for m, r in res.items():
        if r["missing"] or r["deadlocks"] or r["axiom_diff"]:
            return False
        if not all(c[2] for c in r["checks"]):
            return False
        if not all(ok for _, ok in r["lkmm_consistent"]):
            return False
    return True


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, n) for n in names if n.endswith(".json")]
        else:
            files.append(p)
    return sorted(files)


def derive(prog, res):
    """expect_memory derived from the enumeration: the file's LKMM condition
    as reachable/unreachable, plus the exact set of final outcomes."""
    em = {}
    conds = prog.expect.get("unreachable", []) + prog.expect.get("reachable", [])
    for m, r in res.items():
        block = {}
        for ent in conds:
            hit = any(matches(prog, f, ent) for f in r["finals"])
            block.setdefault("reachable" if hit else "unreachable", []).append(ent)
        block["outcomes"] = [outcome_dict(prog, f) for f in sorted(r["finals"], key=_key)]
        em[m] = block
    return em


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+", help="scenario files or folders")
    ap.add_argument("--check", action="store_true",
                    help="one line per file; exit 1 on any disagreement")
    ap.add_argument("--derive", action="store_true",
                    help="print the expect_memory the enumeration gives")
    ap.add_argument("--model", choices=MODELS, action="append",
                    help="only this model (repeatable; default: sc and tso)")
    ap.add_argument("--tso-unlock", choices=("drain", "buffered"), default="drain")
    ap.add_argument("--json", action="store_true", help="machine-readable output")
    args = ap.parse_args(argv)
    models = tuple(args.model) if args.model else MODELS
    files = collect(args.paths)
    if not files:
        print("litmus-oracle: no .json files in %s" % " ".join(args.paths), file=sys.stderr)
        return 2
    bad = 0
    report = []
    for path in files:
        try:
            prog = load(path)
            res = analyse(prog, models, args.tso_unlock)
        except (FormatError, ValueError, KeyError, TypeError, AttributeError) as e:
            bad += 1
            print("%s: MALFORMED: %s" % (path, e))
            report.append({"file": path, "error": str(e)})
            continue
        ok = file_ok(res)
        if not ok:
            bad += 1
        if args.derive:
            print(json.dumps({"file": path, "expect_memory": derive(prog, res)}, indent=2))
            continue
        lk = prog.expect
        lkmm_word = "Never" if lk.get("unreachable") else ("Sometimes" if lk.get("reachable") else "-")
        words = {m: verdict_word(prog, res[m]["finals"], lk) for m in models}
        if args.json:
            report.append({
                "file": path, "name": prog.name, "ok": ok, "lkmm": lkmm_word,
                "verdicts": words,
                "models": {m: {
                    "states": r["states"],
                    "deadlocks": len(r["deadlocks"]),
                    "axiomatic_agrees": not r["axiom_diff"],
                    "outcomes": [outcome_dict(prog, f) for f in sorted(r["finals"], key=_key)],
                    "checks": [{"kind": k, "entry": e, "ok": o, "why": w}
                               for (k, e, o, w) in r["checks"]],
                } for m, r in res.items()}})
            continue
        if args.check:
            line = "%-4s %-62s lkmm %-9s %s" % (
                "ok" if ok else "FAIL", prog.name, lkmm_word,
                " ".join("%s %-9s" % (m, words[m]) for m in models))
            print(line.rstrip())
            if not ok:
                _explain_failures(prog, res)
            continue
        print("== %s (%s)" % (prog.name, path))
        print("   LKMM (stated): %s" % lkmm_word)
        for m in models:
            r = res[m]
            print("   %s: %d states, %d final outcomes, condition %s"
                  % (m, r["states"], len(r["finals"]), words[m]))
            for f in sorted(r["finals"], key=_key):
                cond = any(matches(prog, f, e) for e in
                           lk.get("unreachable", []) + lk.get("reachable", []))
                print("      %s %s" % ("*" if cond else " ", fmt_final(prog, f)))
            for d in sorted(r["deadlocks"]):
                print("      DEADLOCK at pcs %s" % (d[0],))
            if r["missing"]:
                print("   %s: no expect_memory.%s in the file" % (m, m))
            print("   %s %s: operational and axiomatic enumerations %s"
                  % ("agree   " if not r["axiom_diff"] else "DISAGREE", m,
                     "give the same outcomes" if not r["axiom_diff"] else
                     "differ on " + "; ".join(fmt_final(prog, f) for f in r["axiom_diff"])))
            for (k, e, o, w) in r["checks"]:
                print("   %s %s %s: %s -> %s" % ("agree   " if o else "DISAGREE", m, k,
                                               fmt_entry(e) if e else "", w))
            for e, o in r["lkmm_consistent"]:
                if not o:
                    print("   INCONSISTENT: LKMM says Never for %s but %s reaches it"
                          % (fmt_entry(e), m))
    if args.json:
        print(json.dumps(report, indent=2))
    if args.check:
        print("%d files, %d disagree or are malformed" % (len(files), bad))
    return 1 if bad else 0


def _explain_failures(prog, res):
    for m, r in res.items():
        if r["missing"]:
            print("     %s: no expect_memory.%s" % (m, m))
        for d in r["deadlocks"]:
            print("     %s: deadlock at pcs %s" % (m, d[0]))
        for f in r["axiom_diff"]:
            print("     %s: the two enumerations disagree on %s" % (m, fmt_final(prog, f)))
        for (k, e, o, w) in r["checks"]:
            if not o:
                print("     %s %s %s: %s" % (m, k, fmt_entry(e) if e else "", w))
        for e, o in r["lkmm_consistent"]:
            if not o:
                print("     %s reaches %s, which LKMM says is Never" % (m, fmt_entry(e)))


if __name__ == "__main__":
    sys.exit(main())
