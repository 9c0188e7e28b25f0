// tools/kernel/classify.cpp: each difference of a fuzzed scenario named by
// its shape (tools/kernel/classify.h).
#include "tools/kernel/classify.h"

#include <algorithm>
#include <functional>
#include <set>

namespace ukern {

using namespace model;

const char* class_name(Class c) {
  switch (c) {
    case Class::Agree: return "agree";
    case Class::EraDifference: return "era";
    case Class::Timing: return "timing";
    case Class::Replayer: return "replayer";
    case Class::Model: return "model";
  }
  return "?";
}

const std::vector<EraRule>& era_rules() {
  static const std::vector<EraRule> rules{
      {"geteventmsg-syscall-stop", "5.3", "201766a20e30",
       "PTRACE_GETEVENTMSG at a syscall stop is PTRACE_EVENTMSG_SYSCALL_ENTRY/_EXIT (1, 2); 2.6.32 keeps the last "
       "event's message"},
      {"geteventmsg-signal-stop", "5.18", "336d4b814bf0",
       "PTRACE_GETEVENTMSG at a stop that is no event (signal-delivery, group, attach stop) is 0: ptrace_stop() sets "
       "the message at every stop; 2.6.32 keeps the last event's"},
      {"geteventmsg-exec", "3.0", "commit not identified",
       "PTRACE_GETEVENTMSG at PTRACE_EVENT_EXEC is the former thread id; 2.6.32's report_exec leaves the message"},
      {"sigkill-exit-event-stop", "6.1", "e572410e47a4",
       "SIGKILL to a tracee stopped at PTRACE_EVENT_EXIT is dropped (the exit is a group exit already): it stays "
       "stopped and keeps its exit code; on 2.6.32 it wakes and dies of SIGKILL"},
      {"tracee-group-stop", "3.1", "73ddff2bee15",
       "a tracee in a group stop is trapped in TASK_TRACED (t, not T); a resume no longer ends the group stop for "
       "good, a detach leaves the task in it"},
      {"wait-tracee-wall", "4.7", "\"wait/ptrace: assume __WALL if the child is traced\"",
       "a tracer's wait() takes every tracee as if __WALL were given, whatever its exit signal and __WCLONE say"},
      {"ptrace-kill-sends-sigkill", "5.19", "\"ptrace: Reimplement PTRACE_KILL by always sending SIGKILL\"",
       "PTRACE_KILL sends SIGKILL whatever the tracee does; 2.6.32 (ptrace-utrace too) passes SIGKILL as the resume "
       "signal, which only a signal-delivery or syscall stop takes: at an event stop, or to a running tracee, it "
       "does nothing"},
      {"leader-exit-group-status", "6.1", "e572410e47a4",
       "a group whose leader exit()ed before its threads reports the last thread's exit code (do_exit()'s "
       "synchronize_group_exit() makes the last exit a group exit); 2.6.32 reports the leader's own"},
      {"vfork-parent-killable", "3.4", "d68b46fe",
       "a vfork parent dies at once of a fatal signal (wait_for_completion_killable); on 2.6.32 it sleeps until the "
       "child exits or execs"},
  };
  return rules;
}

namespace {

constexpr int kSigtrap = 5, kSigkill = 9, kEventExec = 4, kEventExit = 6;

// Signals whose default action ends the process (no core: RLIMIT_CORE is 0).
bool kills_by_default(int sig) {
  return sig == kSigkill || sig == 1 || sig == 2 || sig == 3 || sig == 10 || sig == 12 || sig == 13 || sig == 14 ||
         sig == 15;
}

bool is_stop_signal(int sig) { return sig == 19 /* SIGSTOP */ || sig == 20 /* SIGTSTP */ || sig == 21 || sig == 22; }

// The slot an op is about: the pid of ptrace, kill, waitpid, await.
int target_of(const Op& op) {
  if (const auto* p = op.as_if<PtraceOp>()) return p->has_pid ? p->pid.slot : -1;
  if (const auto* k = op.as_if<KillOp>()) return k->pid.slot;
  if (const auto* w = op.as_if<WaitpidOp>()) return w->pid.kind == TaskRef::Kind::Named ? w->pid.slot : -1;
  if (const auto* a = op.as_if<AwaitOp>()) return a->task.slot;
  return -1;
}

// What a run and its scenario say about the tasks, for the rules.
struct Context {
  const Scenario& s;
  const OpIndex& idx;
  const RealRun& rr;
  std::vector<int> parent;  // slot -> the slot that created it, -1 for a top-level task
  // slot -> its program creates a thread / calls exit (not exit_group)
  std::vector<bool> makes_threads, exits_alone;
  std::vector<bool> group_exit_by_thread;  // slot -> a thread of its group calls exit_group

  Context(const Scenario& sc, const OpIndex& ix, const RealRun& r) : s(sc), idx(ix), rr(r) {
    parent.assign(s.task_names.size(), -1);
    makes_threads.assign(s.task_names.size(), false);
    exits_alone.assign(s.task_names.size(), false);
    group_exit_by_thread.assign(s.task_names.size(), false);
    std::function<void(const Program&, int)> walk = [&](const Program& prog, int owner) {
      for (const Op& op : prog) {
        if (const auto* e = op.as_if<ExitOp>(); e && !e->group) exits_alone[static_cast<std::size_t>(owner)] = true;
        if (const auto* c = op.as_if<CloneOp>(); c && (c->flags & 0x10000 /* CLONE_THREAD */)) {
          makes_threads[static_cast<std::size_t>(owner)] = true;
          for (const Op& t : c->program)
            if (const auto* e = t.as_if<ExitOp>(); e && e->group)
              group_exit_by_thread[static_cast<std::size_t>(owner)] = true;
        }
        if (const auto* f = op.as_if<ForkOp>()) {
          parent[static_cast<std::size_t>(f->child)] = owner;
          walk(f->program, f->child);
        }
        if (const auto* c = op.as_if<CloneOp>()) {
          parent[static_cast<std::size_t>(c->child)] = owner;
          walk(c->program, c->child);
        }
        if (const auto* l = op.as_if<LoopOp>()) walk(l->body, owner);
        if (const auto* e = op.as_if<ExecOp>()) walk(e->program, owner);
        if (const auto* a = op.as_if<SigactionOp>()) walk(a->handler.body, owner);
      }
    };
    for (const TaskDecl& t : s.tasks) walk(t.program, t.slot);
  }

  const Op& op(const Record& r) const { return *idx.ops[static_cast<std::size_t>(r.op)]; }
  int pid(int slot) const {
    return slot >= 0 && static_cast<std::size_t>(slot) < rr.pids.size() ? rr.pids[static_cast<std::size_t>(slot)] : 0;
  }
  bool leader_exits_first(int slot) const {
    return makes_threads[static_cast<std::size_t>(slot)] && exits_alone[static_cast<std::size_t>(slot)];
  }
  bool descends(int slot, int from) const {
    for (int p = slot; p >= 0; p = parent[static_cast<std::size_t>(p)])
      if (p == from) return true;
    return false;
  }

  // The last stop of `slot` a wait reported before record `before` (-1: none).
  int last_stop(int slot, std::size_t before) const {
    const int p = pid(slot);
    for (std::size_t i = std::min(before, rr.records.size()); i-- > 0;) {
      const Record& r = rr.records[i];
      if (r.kind == RKind::WaitStatus && r.wpid == p && p)
        return (r.value & 0xff) == 0x7f ? static_cast<int>(r.value) : -1;
    }
    return -1;
  }
  // The first record before `before` for which `pred` holds (its index, or -1).
  int find(std::size_t before, const std::function<bool(const Record&, const Op&)>& pred) const {
    for (std::size_t i = 0; i < std::min(before, rr.records.size()); ++i) {
      const Record& r = rr.records[i];
      if (r.op >= 0 && pred(r, op(r))) return static_cast<int>(i);
    }
    return -1;
  }
  // Whether `slot` sat in a stop that takes a resume signal (a stop with
  // no event: signal-delivery, syscall, group) at record `at`: the last
  // thing about it was a wait reporting such a stop, not a resume.
  bool in_signal_stop(int slot, std::size_t at) const {
    const int p = pid(slot);
    for (std::size_t i = std::min(at, rr.records.size()); i-- > 0;) {
      const Record& r = rr.records[i];
      if (r.kind == RKind::WaitStatus && r.wpid == p && p)
        return (r.value & 0xff) == 0x7f && ((r.value >> 16) & 0xff) == 0;
      if (r.op < 0 || r.kind == RKind::Errno) continue;
      const auto* pt = op(r).as_if<PtraceOp>();
      if (pt && pt->has_pid && pt->pid.slot == slot &&
          (pt->request == 7 || pt->request == 24 || pt->request == 9 || pt->request == 17))
        return false;  // CONT, SYSCALL, SINGLESTEP, DETACH: running again
    }
    return false;
  }
  // Whether `slot` was ever a tracee: TRACEME in its program, an ATTACH to it.
  bool traced(int slot, std::size_t before) const {
    return find(before, [&](const Record& r, const Op& o) {
             const auto* p = o.as_if<PtraceOp>();
             if (!p || r.kind == RKind::Errno) return false;
             return (p->request == 0 /* TRACEME */ && r.slot == slot) ||
                    (p->request == 16 /* ATTACH */ && p->has_pid && p->pid.slot == slot);
           }) >= 0;
  }
};

// A rule's match: the tracee it is about, and from which record on.
struct Match {
  const char* rule = nullptr;
  int tracee = -1;
  std::size_t from = 0;
  int tracer = -1;  // the task whose op showed it
};

Match era_about(const Context& cx, int x, std::size_t at);

// The era rules, by shape, for a difference at an op (f.rec valid).
Match era_at_op(const Context& cx, const Finding& f) {
  const Record& rec = cx.rr.records[static_cast<std::size_t>(f.rec)];
  const Op& op = cx.op(rec);
  const int x = target_of(op);
  const auto at = static_cast<std::size_t>(f.rec);
  const auto* pt = op.as_if<PtraceOp>();
  if (pt && pt->request == 0x4201 /* GETEVENTMSG */ && rec.kind == RKind::Value) {
    const int st = cx.last_stop(x, at);
    const int sig = (st >> 8) & 0x7f, event = (st >> 16) & 0xff;
    if (st >= 0 && event == 0 && sig == kSigtrap && (f.real == "1" || f.real == "2"))
      return {"geteventmsg-syscall-stop", x, at};
    if (st >= 0 && event == 0 && f.real == "0" && !f.sim.count("0")) return {"geteventmsg-signal-stop", x, at};
    if (st >= 0 && event == kEventExec && f.real != "0" && f.sim.count("0")) return {"geteventmsg-exec", x, at};
  }
  if (op.as_if<WaitpidOp>() && rec.kind == RKind::WaitStatus && (rec.value & 0x7f) == 0 && x >= 0 &&
      cx.leader_exits_first(x))
    return {"leader-exit-group-status", x, at};
  if (Match m = era_about(cx, x, at); m.rule) return m;
  if (const auto* w = op.as_if<WaitpidOp>(); w && x >= 0 && !(w->options & 0x40000000 /* __WALL */) &&
                                             rec.kind == RKind::WaitStatus && cx.traced(x, at) &&
                                             f.sim.count("-ECHILD"))
    return {"wait-tracee-wall", x, at};
  return {};
}

// The era rules about a task x, from what was done to it before record `at`.
Match era_about(const Context& cx, int x, std::size_t at) {
  // A SIGKILL (kill, or PTRACE_KILL) sent while x sat in its exit-event stop.
  auto killed_at_exit = [&](int slot) -> int {
    return cx.find(at, [&](const Record& r, const Op& o) {
      const int t = target_of(o);
      if (t != slot || r.kind == RKind::Errno) return false;
      const auto* k = o.as_if<KillOp>();
      const auto* p = o.as_if<PtraceOp>();
      if (!(k && k->sig == kSigkill) && !(p && p->request == 8 /* KILL */)) return false;
      const int st = cx.last_stop(slot, static_cast<std::size_t>(&r - cx.rr.records.data()));
      return st >= 0 && ((st >> 16) & 0xff) == kEventExit;
    });
  };
  if (x >= 0) {
    if (const int k = killed_at_exit(x); k >= 0) return {"sigkill-exit-event-stop", x, static_cast<std::size_t>(k)};
    // PTRACE_KILL where 2.6.32 ignored it.
    const int pk = cx.find(at, [&](const Record& r, const Op& o) {
      const auto* p = o.as_if<PtraceOp>();
      return p && p->request == 8 && p->has_pid && p->pid.slot == x && r.kind != RKind::Errno &&
             !cx.in_signal_stop(x, static_cast<std::size_t>(&r - cx.rr.records.data()));
    });
    if (pk >= 0) return {"ptrace-kill-sends-sigkill", x, static_cast<std::size_t>(pk)};
    // The tracer let a stop signal through: x went into a group stop, traced.
    const int g = cx.find(at, [&](const Record& r, const Op& o) {
      const auto* p = o.as_if<PtraceOp>();
      return p && p->has_pid && p->pid.slot == x && r.kind != RKind::Errno && is_stop_signal(p->sig) &&
             p->request != 0x4200;
    });
    if (g >= 0) return {"tracee-group-stop", x, static_cast<std::size_t>(g)};
    // A stop signal sent to a tracee, or one attached to while stopped.
    if (cx.traced(x, at)) {
      const int sent = cx.find(at, [&](const Record& r, const Op& o) {
        const auto* k = o.as_if<KillOp>();
        return k && k->pid.slot == x && r.kind != RKind::Errno && is_stop_signal(k->sig);
      });
      if (sent >= 0) return {"tracee-group-stop", x, static_cast<std::size_t>(sent)};
    }
  }
  return {};
}

// A vfork parent killed while its child ran: everything about it after the kill.
Match era_vfork_kill(const Context& cx, int about, std::size_t before) {
  // Whether x's vfork was not done by record i (its op recorded later, or
  // never, with the child created).
  auto in_vfork = [&](int x, std::size_t i) {
    for (const Op* o : cx.idx.ops) {
      const auto* fo = o->as_if<ForkOp>();
      if (!fo || !fo->vfork || cx.parent[static_cast<std::size_t>(fo->child)] != x || !cx.pid(fo->child)) continue;
      const int id = cx.idx.of(o);
      bool done_before = false;
      for (std::size_t j = 0; j < std::min(i, cx.rr.records.size()); ++j)
        done_before = done_before || cx.rr.records[j].op == id;
      if (!done_before) return true;
    }
    return false;
  };
  for (std::size_t i = 0; i < std::min(before, cx.rr.records.size()); ++i) {
    const Record& r = cx.rr.records[i];
    if (r.op < 0 || r.kind == RKind::Errno) continue;
    const auto* k = cx.op(r).as_if<KillOp>();
    if (!k || !kills_by_default(k->sig)) continue;
    const int x = k->pid.slot;
    if (about >= 0 && !cx.descends(about, x)) continue;
    if (in_vfork(x, i)) return {"vfork-parent-killable", x, i};
  }
  // A thread's exit_group kills its group: a leader in vfork then too.
  for (std::size_t x = 0; x < cx.s.task_names.size(); ++x) {
    if (!cx.group_exit_by_thread[x] || (about >= 0 && !cx.descends(about, static_cast<int>(x)))) continue;
    if (in_vfork(static_cast<int>(x), cx.rr.records.size())) return {"vfork-parent-killable", static_cast<int>(x), 0};
  }
  return {};
}

// Whether a finding is about the tasks of a match: the tracee, what it
// created, and (for an op) an op of theirs or aimed at them.
bool involves(const Context& cx, const Finding& f, const Match& m) {
  const int about = f.slot;
  if (f.kind == Finding::Kind::TaskEnd && about >= 0 && about == m.tracer) return true;
  if (f.kind == Finding::Kind::Op) {
    const Record& rec = cx.rr.records[static_cast<std::size_t>(f.rec)];
    if (static_cast<std::size_t>(f.rec) < m.from) return false;
    const int t = target_of(cx.op(rec));
    if (t >= 0 && cx.descends(t, m.tracee)) return true;
  }
  if (f.kind == Finding::Kind::Unreached || f.kind == Finding::Kind::TaskEnd) {
    if (about >= 0 && cx.descends(about, m.tracee)) return true;
    // The tracer's ops that the changed tracee left unreached or blocked.
    if (f.kind == Finding::Kind::Unreached && f.op >= 0) {
      const int t = target_of(*cx.idx.ops[static_cast<std::size_t>(f.op)]);
      return t >= 0 && cx.descends(t, m.tracee);
    }
    return false;
  }
  return about >= 0 && cx.descends(about, m.tracee);
}

std::string era_text(const char* id) {
  for (const EraRule& r : era_rules())
    if (std::string(r.id) == id) return std::string(id) + " (Linux " + r.since + ", " + r.commit + ")";
  return id;
}

}  // namespace

Classification classify(const Scenario& s, const OpIndex& idx, const ScenarioReport& rep) {
  Classification out;
  const Context cx(s, idx, rep.run);
  // First each finding's own era rule, if its shape is one ...
  std::vector<Match> own(rep.findings.size());
  for (std::size_t i = 0; i < rep.findings.size(); ++i) {
    const Finding& f = rep.findings[i];
    if (f.kind == Finding::Kind::Run) continue;
    Match m;
    if (f.kind == Finding::Kind::Op) m = era_at_op(cx, f);
    if (f.kind == Finding::Kind::TaskEnd && f.slot >= 0 && cx.leader_exits_first(f.slot) &&
        f.real.find("exited") != std::string::npos)
      m = {"leader-exit-group-status", f.slot, 0};
    else if (f.kind == Finding::Kind::TaskEnd || f.kind == Finding::Kind::Unreached)
      m = era_about(cx, f.slot, rep.run.records.size());
    if (!m.rule) {
      int about = f.slot;
      std::size_t before = rep.run.records.size();
      if (f.kind == Finding::Kind::Op) {
        const Record& rec = rep.run.records[static_cast<std::size_t>(f.rec)];
        const int t = target_of(cx.op(rec));
        about = t >= 0 ? t : f.slot;
        before = static_cast<std::size_t>(f.rec);
      }
      m = era_vfork_kill(cx, about, before);
    }
    if (m.rule && f.kind == Finding::Kind::Op) m.tracer = f.slot;
    own[i] = m;
  }
  // ... then each finding is that rule, or a consequence of one found before
  // it, or, with no rule of its own, of one found after it (findings come in
  // the order of the records: a tracee's op left blocked by a later
  // difference in its tracer's view is listed first), or unexplained.
  std::vector<bool> shown(rep.findings.size(), false);  // found as its own rule, not as a consequence
  for (std::size_t i = 0; i < rep.findings.size(); ++i) {
    const Finding& f = rep.findings[i];
    Classified c;
    c.text = f.text;
    if (f.kind == Finding::Kind::Run) {
      c.cls = Class::Timing;
      c.rule = "the run hit a time limit of the harness";
      out.findings.push_back(c);
      continue;
    }
    const Match* cause = nullptr;
    for (std::size_t j = 0; j < i; ++j)
      if (shown[j] && involves(cx, f, own[j])) cause = &own[j];
    if (!cause && !own[i].rule)
      for (std::size_t j = i + 1; j < rep.findings.size() && !cause; ++j)
        if (own[j].rule && involves(cx, f, own[j])) cause = &own[j];
    if (cause) {
      c.cls = Class::EraDifference;
      c.rule = era_text(cause->rule);
      c.consequence = true;
    } else if (own[i].rule) {
      c.cls = Class::EraDifference;
      c.rule = era_text(own[i].rule);
      shown[i] = true;
    } else {
      c.cls = Class::Model;
      c.rule = "unexplained";
    }
    out.findings.push_back(c);
  }
  // The scenario's class: the first unexplained finding's, else the first's.
  for (const Classified& c : out.findings)
    if (c.cls == Class::Model || c.cls == Class::Replayer) {
      out.cls = c.cls;
      out.key = class_name(c.cls);
      return out;
    }
  for (const Classified& c : out.findings)
    if (!c.consequence) {
      out.cls = c.cls;
      out.key = std::string(class_name(c.cls)) + ":" + c.rule;
      return out;
    }
  return out;
}

}  // namespace ukern
