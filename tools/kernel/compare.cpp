// tools/kernel/compare.cpp: the real kernel's results held against the
// scenario's expect (expect_modern where it says what a kernel after 3.1
// does) and against what the simulator allows.
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "model/abi.h"
#include "model/checks/property.h"
#include "scenario/load/loader.h"
#include "tools/kernel/replay.h"

namespace ukern {

using namespace model;

namespace {

bool pid_valued(const Op& op) {
  if (const auto* sc = op.as_if<SyscallOp>())
    return sc->name == "getpid" || sc->name == "gettid" || sc->name == "getppid" || sc->name == "getpgrp" ||
           sc->name == "getsid";
  if (const auto* p = op.as_if<PtraceOp>()) return p->request == PTRACE_GETEVENTMSG;
  return false;
}

std::string name_of_pid(int pid, const PidNames& names) {
  auto it = names.find(pid);
  return pid && it != names.end() ? it->second : "";
}

std::string join(const std::set<std::string>& v) {
  std::string out;
  for (const auto& x : v) out += (out.empty() ? "" : " | ") + x;
  return out.empty() ? "(never reached)" : out;
}

std::string describe_expect(const Scenario& s, const std::vector<ResultPattern>& any_of) {
  std::string out;
  for (const ResultPattern& p : any_of) {
    std::string one;
    switch (p.kind) {
      case ResultPattern::Kind::Int:
        one = p.raw ? fmt::format("status {:#x}", p.value) : std::to_string(p.value);
        break;
      case ResultPattern::Kind::Errno: one = "-" + errno_name(static_cast<int>(p.value)); break;
      case ResultPattern::Kind::Ok: one = "ok"; break;
      case ResultPattern::Kind::Blocks: one = "blocks"; break;
      case ResultPattern::Kind::State:
        one = std::string("state ") + model::task_state_name(static_cast<model::TaskState>(p.value));
        break;
      case ResultPattern::Kind::TaskPid: one = "pid:" + s.task_names[static_cast<std::size_t>(p.task.slot)]; break;
      case ResultPattern::Kind::Status:
        switch (p.status) {
          case ResultPattern::StatusKind::Exited: one = fmt::format("exited {}", p.code); break;
          case ResultPattern::StatusKind::Signaled: one = "killed by " + signal_name(p.code); break;
          case ResultPattern::StatusKind::Stopped:
            one = "stopped by " + signal_name(p.code & 0x7f) + ((p.code & 0x80) ? "|0x80" : "");
            if (p.event) one += " " + ptrace_event_name(p.event);
            break;
          case ResultPattern::StatusKind::Continued: one = "continued"; break;
        }
        if (p.has_pid) one += "@" + s.task_names[static_cast<std::size_t>(p.task.slot)];
        break;
    }
    out += (out.empty() ? "" : " or ") + one;
  }
  return out;
}

}  // namespace

bool eventmsg_names_pid(int last_status) {
  return !(last_status >= 0 && (last_status & 0xff) == 0x7f && ((last_status >> 16) & 0xff) == 6 /* EXIT */);
}

std::string end_text(int status) { return describe_wait_status(status); }

std::string zombie_end(int status) { return "zombie (" + end_text(status) + ")"; }

std::string took_over_end(const std::string& leader) { return "exec'd as " + leader; }

std::string canon(const Op& op, RKind kind, std::int64_t value, int wpid, const PidNames& names) {
  switch (kind) {
    case RKind::Errno: return "-" + errno_name(static_cast<int>(value));
    case RKind::None: return "none";
    case RKind::Blocks:
      if (op.as_if<AwaitOp>() && value) {
        // Any sleep is 'S' on both sides (the model has no 'D').
        const char c = value == 'D' || value == 'I' ? 'S' : static_cast<char>(value);
        return fmt::format("blocks (state '{}')", c);
      }
      return "blocks";
    case RKind::Ok: return "ok";
    case RKind::Pid: {
      const std::string n = name_of_pid(static_cast<int>(value), names);
      return "pid:" + (n.empty() ? std::to_string(value) : n);
    }
    case RKind::WaitStatus: {
      const std::string n = name_of_pid(wpid, names);
      return fmt::format("st:{:#x}@{}", value, n.empty() ? std::to_string(wpid) : n);
    }
    case RKind::Value:
      if (pid_valued(op)) {
        const std::string n = name_of_pid(static_cast<int>(value), names);
        if (!n.empty()) return "pid:" + n;
      }
      return std::to_string(value);
  }
  return "?";
}

bool match_real(const Scenario& s, const std::vector<ResultPattern>& any_of, RKind kind, std::int64_t value, int wpid,
                bool (*is_pid)(int slot, int pid)) {
  (void)s;
  for (const ResultPattern& p : any_of) {
    switch (p.kind) {
      case ResultPattern::Kind::Int:
        if (kind == RKind::Errno || kind == RKind::Blocks) break;
        if (kind == RKind::WaitStatus) {
          if (p.raw && value == p.value) return true;
          break;
        }
        if (value == p.value) return true;
        break;
      case ResultPattern::Kind::Errno:
        if (kind == RKind::Errno && value == p.value) return true;
        break;
      case ResultPattern::Kind::Ok:
        if (kind == RKind::Ok) return true;
        break;
      case ResultPattern::Kind::Blocks:
        if (kind == RKind::Blocks) return true;
        break;
      case ResultPattern::Kind::State:
        // await/assert_state not in their own state: Blocks with the /proc letter
        if (kind == RKind::Blocks && value > 0 && value < 128 &&
            state_letter_is(static_cast<char>(value), static_cast<model::TaskState>(p.value)))
          return true;
        break;
      case ResultPattern::Kind::TaskPid: {
        if (kind != RKind::Errno && kind != RKind::Blocks && p.task.kind == TaskRef::Kind::Named &&
            is_pid(p.task.slot, static_cast<int>(value)))
          return true;
        break;
      }
      case ResultPattern::Kind::Status: {
        if (kind != RKind::WaitStatus) break;
        const int st = static_cast<int>(value);
        if (p.has_pid && p.task.kind == TaskRef::Kind::Named && !is_pid(p.task.slot, wpid)) break;
        bool ok = false;
        const bool exited = (st & 0x7f) == 0, stopped = (st & 0xff) == 0x7f,
                   signaled = !exited && !stopped && st != 0xffff;
        switch (p.status) {
          case ResultPattern::StatusKind::Exited: ok = exited && ((st >> 8) & 0xff) == p.code; break;
          case ResultPattern::StatusKind::Signaled:
            ok = signaled && (st & 0x7f) == p.code && (!p.core || ((st & 0x80) != 0) == *p.core);
            break;
          case ResultPattern::StatusKind::Stopped:
            ok = stopped && ((st >> 8) & 0xff) == p.code && ((st >> 16) & 0xff) == p.event;
            break;
          case ResultPattern::StatusKind::Continued: ok = st == 0xffff; break;
        }
        if (ok) return true;
        break;
      }
    }
  }
  return false;
}

namespace {

std::vector<int> g_pids;                     // the run's slot -> pid, for match_real's callback
std::vector<std::pair<int, int>> g_aliases;  // (former pid, slot)
bool is_slot_pid(int slot, int pid) {
  if (!pid || slot < 0) return false;
  if (static_cast<std::size_t>(slot) < g_pids.size() && g_pids[static_cast<std::size_t>(slot)] == pid) return true;
  for (const auto& [old, sl] : g_aliases)
    if (sl == slot && old == pid) return true;
  return false;
}

// A scenario that was not compared, and why.
ScenarioReport refuse(ScenarioReport rep, Verdict verdict, std::string reason) {
  rep.verdict = verdict;
  rep.reason = std::move(reason);
  return rep;
}

std::string name_of_slot(const Scenario& s, int slot) {
  return slot >= 0 && static_cast<std::size_t>(slot) < s.task_names.size()
             ? s.task_names[static_cast<std::size_t>(slot)]
             : "?";
}

bool took_over(const RealRun& rr, std::size_t slot) {
  for (const auto& [old, sl] : rr.aliases)
    if (static_cast<std::size_t>(sl) == slot) return true;
  return false;
}

// Each pid named after the task it was created for, as simset.cpp does: a
// thread that exec'd keeps its own tid's name, the leader's pid stays the
// leader's.
PidNames real_names(const Scenario& s, const RealRun& rr) {
  PidNames names{{rr.runner_pid, "init"}};
  for (const auto& [pid, slot] : rr.aliases) names.emplace(pid, name_of_slot(s, slot));
  for (std::size_t i = 0; i < rr.pids.size(); ++i)
    if (rr.pids[i] && !took_over(rr, i)) names.emplace(rr.pids[i], s.task_names[i]);
  return names;
}

// A finding: an agreement (shown with --verbose), or a difference that is
// a declared era difference's consequence once one was found, else a
// disagreement.
void differ(ScenarioReport& rep, const std::string& what, Finding f) {
  f.text = what;
  f.consequence = rep.era_differences > 0;
  if (f.consequence) {
    rep.lines.push_back("era difference (consequence): " + what);
  } else {
    ++rep.disagreements;
    rep.lines.push_back("DISAGREE: " + what);
  }
  rep.findings.push_back(std::move(f));
}

Finding finding(Finding::Kind kind, int op, int slot, int k, std::string real, std::set<std::string> sim) {
  Finding f;
  f.kind = kind;
  f.op = op;
  f.slot = slot;
  f.k = k;
  f.real = std::move(real);
  f.sim = std::move(sim);
  return f;
}

// Every result the real kernel gave, held against the expect (expect_modern
// where given) and against what the simulator allows at that occurrence.
void compare_ops(ScenarioReport& rep, const Scenario& s, const OpIndex& idx, const SimSet& sim, const RealRun& rr,
                 const PidNames& names, bool verbose) {
  std::map<std::pair<int, int>, int> occ;
  LastStops stops;
  for (std::size_t ri = 0; ri < rr.records.size(); ++ri) {
    const Record& r = rr.records[ri];
    if (r.op < 0 || static_cast<std::size_t>(r.op) >= idx.ops.size()) continue;
    const Op& op = *idx.ops[static_cast<std::size_t>(r.op)];
    const int k = occ[{r.op, r.slot}]++;
    const auto* pt = op.as_if<PtraceOp>();
    const int target = pt && pt->has_pid && static_cast<std::size_t>(pt->pid.slot) < rr.pids.size()
                           ? rr.pids[static_cast<std::size_t>(pt->pid.slot)]
                           : 0;
    const std::string real = canon(op, r.kind, r.value, r.wpid, stops.names_for(op, target, names));
    stops.saw(op, r.kind, r.value, r.wpid);
    // The runner plays init, whose pid is 1 in the model.
    const std::int64_t value = pid_valued(op) && r.kind == RKind::Value && r.value == rr.runner_pid ? 1 : r.value;
    auto it = sim.by_occurrence.find({r.op, r.slot, k});
    const std::set<std::string>* allowed = nullptr;
    if (it != sim.by_occurrence.end()) {
      allowed = &it->second;
    } else if (auto jt = sim.by_op.find(r.op); jt != sim.by_op.end() && idx.repeating.count(r.op)) {
      allowed = &jt->second;  // run more often than in the simulator, as timing decides: any occurrence's results
    }
    const bool sim_ok = allowed && allowed->count(real);
    const bool has_modern = op.expect_modern.has_value();
    const std::optional<Expectation>& ex = has_modern ? op.expect_modern : op.expect;
    bool exp_ok = !ex || match_real(s, ex->any_of, r.kind, value, r.wpid, &is_slot_pid);
    if (const auto* aw = op.as_if<AwaitOp>(); aw && ex && !exp_ok && r.kind == RKind::None) {
      // The task was in the op's own state: an expect_modern state matches
      // when it names that state.
      for (const ResultPattern& p : ex->any_of)
        exp_ok = exp_ok || (p.kind == ResultPattern::Kind::State && static_cast<TaskState>(p.value) == aw->state);
    }
    const std::string where = fmt::format("{} {} at {} (#{})", name_of_slot(s, r.slot), op.key, op.ptr, k + 1);
    const std::string sim_text = allowed ? join(*allowed) : "(never reached)";
    if (!(exp_ok && sim_ok)) {
      Finding f = finding(Finding::Kind::Op, r.op, r.slot, k, real, allowed ? *allowed : std::set<std::string>{});
      f.rec = static_cast<int>(ri);
      f.consequence = has_modern && exp_ok;  // declared: an era difference
      rep.findings.push_back(std::move(f));
    }
    if (has_modern && exp_ok && !sim_ok) {
      ++rep.era_differences;
      rep.lines.push_back(
          fmt::format("era difference (declared): {}: kernel {}; 2.6.32 expect {}; "
                      "expect_modern {}; simulator {}",
                      where, real, op.expect ? describe_expect(s, op.expect->any_of) : "-",
                      describe_expect(s, op.expect_modern->any_of), sim_text));
    } else if (exp_ok && sim_ok) {
      if (verbose)
        rep.lines.push_back(fmt::format("agree: {}: kernel {}; expect {}; simulator {}", where, real,
                                        ex ? describe_expect(s, ex->any_of) : "-", sim_text));
    } else {
      ++rep.disagreements;
      rep.lines.push_back(fmt::format("DISAGREE: {}: kernel {}; expect {}; simulator {}", where, real,
                                      ex ? describe_expect(s, ex->any_of) : "-", sim_text));
      rep.findings.back().text = rep.lines.back().substr(std::strlen("DISAGREE: "));
    }
  }
}

// The other direction: an op the simulator ran in every schedule that the
// real tasks never reached (after an exec under PTRACE_SYSCALL, the
// re-executed replayer's loader makes stops of its own, and the tracer's
// waits agree with the model's while the tracee never gets to its ops).
// An op that timing repeats is owed its first run only.
void compare_unreached(ScenarioReport& rep, const Scenario& s, const OpIndex& idx, const SimSet& sim, const RealRun& rr,
                       bool verbose) {
  std::set<Occurrence> real;
  std::map<std::pair<int, int>, int> occ;
  for (const Record& r : rr.records) real.insert({r.op, r.slot, occ[{r.op, r.slot}]++});
  for (const auto& [o, n] : sim.reached_in) {
    const auto& [op_id, slot, k] = o;
    if (n < sim.schedules || real.count(o) || (k > 0 && idx.repeating.count(op_id))) continue;
    const Op& op = *idx.ops[static_cast<std::size_t>(op_id)];
    if (op.as_if<ExecOp>() && static_cast<std::size_t>(slot) < rr.in_op.size() &&
        rr.in_op[static_cast<std::size_t>(slot)] == op_id + 1) {
      // The new image records the exec's 0 once it runs: a task killed
      // past execve's point of no return (at its exec stop, or while the
      // replayer's image loads) did exec.
      if (verbose)
        rep.lines.push_back(
            fmt::format("agree: {} {} at {} (#{}): the kernel's task ended inside the exec; "
                        "simulator {}",
                        name_of_slot(s, slot), op.key, op.ptr, k + 1, join(sim.by_occurrence.at(o))));
      continue;
    }
    differ(rep,
           fmt::format("{} {} at {} (#{}): kernel never reached it; simulator {} in every schedule",
                       name_of_slot(s, slot), op.key, op.ptr, k + 1, join(sim.by_occurrence.at(o))),
           finding(Finding::Kind::Unreached, op_id, slot, k, "", sim.by_occurrence.at(o)));
  }
}

// How a task ended on the real kernel, as the simulator says it: "" when
// the run does not show it (a thread, a task whose reaper was not watched).
std::string real_end(const Scenario& s, const RealRun& rr, const PidNames& names, std::size_t slot) {
  if (took_over(rr, slot)) {
    auto it = names.find(rr.pids[slot]);
    return took_over_end(it != names.end() ? it->second : std::to_string(rr.pids[slot]));
  }
  (void)s;
  if (rr.end_status[slot] >= 0) return end_text(rr.end_status[slot]);
  return rr.end_state[slot];
}

// How each task ended on the real kernel, held against the simulator's
// ends, both ways: a task one side created and the other never did is a
// finding too.
void compare_task_ends(ScenarioReport& rep, const Scenario& s, const SimSet& sim, const RealRun& rr,
                       const PidNames& names, bool verbose) {
  for (std::size_t sl = 0; sl < s.task_names.size(); ++sl) {
    const auto created = sim.created_in.find(static_cast<int>(sl));
    const std::uint64_t sim_created = created == sim.created_in.end() ? 0 : created->second;
    if (!rr.pids[sl]) {
      if (sim_created == sim.schedules)
        differ(rep,
               fmt::format("task {}: the kernel never created it; simulator created it in every schedule",
                           s.task_names[sl]),
               finding(Finding::Kind::TaskEnd, -1, static_cast<int>(sl), 0, "(never created)", {}));
      continue;
    }
    if (!sim_created) {
      differ(rep, fmt::format("task {}: created on the kernel; the simulator never created it", s.task_names[sl]),
             finding(Finding::Kind::TaskEnd, -1, static_cast<int>(sl), 0, "(created)", {"(never created)"}));
      continue;
    }
    const std::string real = real_end(s, rr, names, sl);
    if (real.empty()) continue;
    const std::set<std::string>& ends = sim.task_end.at(static_cast<int>(sl));
    if (ends.count(real)) {
      if (verbose) rep.lines.push_back(fmt::format("agree: task {} ended {}", s.task_names[sl], real));
    } else {
      differ(rep, fmt::format("task {} ended {}; simulator {}", s.task_names[sl], real, join(ends)),
             finding(Finding::Kind::TaskEnd, -1, static_cast<int>(sl), 0, real, ends));
    }
  }
}

// ---- the scenario's top-level expect -------------------------------------------------------

enum class Judged { Holds, Fails, Unknown };

// A task of an outcome against its end on the real kernel.
Judged judge_task(const TaskOutcome& t, const RealRun& rr) {
  const auto sl = static_cast<std::size_t>(t.task);
  if (sl >= rr.pids.size() || !rr.pids[sl] || took_over(rr, sl)) return Judged::Fails;  // no such task at the end
  bool died = false;
  int status = 0;
  std::optional<TaskState> state;
  if (rr.end_status[sl] >= 0) {
    died = true;
    status = rr.end_status[sl];
    state = TaskState::Dead;  // reaped
  } else if (rr.end_letter[sl]) {
    state = rr.end_letter[sl] == 'Z'   ? TaskState::Zombie
            : rr.end_letter[sl] == 't' ? TaskState::Traced
            : rr.end_letter[sl] == 'T' ? TaskState::Stopped
            : rr.end_letter[sl] == 'R' ? TaskState::Running
                                       : TaskState::Sleeping;
    if (rr.end_letter[sl] == 'Z') {
      if (rr.zombie_status[sl] < 0) return Judged::Unknown;
      died = true;
      status = rr.zombie_status[sl];
    }
  } else {
    return Judged::Unknown;  // a thread, or a task nobody reaped where the runner watched
  }
  const bool exited = died && (status & 0x7f) == 0, signaled = died && !exited && (status & 0x7f) != 0x7f;
  if (t.exited && !(exited && ((status >> 8) & 0xff) == *t.exited)) return Judged::Fails;
  if (t.signaled && !(signaled && (status & 0x7f) == *t.signaled)) return Judged::Fails;
  if (t.state && state != *t.state) return Judged::Fails;
  return Judged::Holds;
}

// A labelled result of an outcome against the last result the op gave on
// the real kernel (Interpreter::result_of: the last one).
Judged judge_result(const ResultOutcome& r, const Scenario& s, const OpIndex& idx, const RealRun& rr) {
  const Record* last = nullptr;
  for (const Record& rec : rr.records)
    if (rec.op >= 0 && static_cast<std::size_t>(rec.op) < idx.ops.size() &&
        idx.ops[static_cast<std::size_t>(rec.op)]->label == r.label)
      last = &rec;
  if (!last) return Judged::Fails;
  const Op& op = *idx.ops[static_cast<std::size_t>(last->op)];
  const std::int64_t value =
      pid_valued(op) && last->kind == RKind::Value && last->value == rr.runner_pid ? 1 : last->value;
  return match_real(s, r.any_of, last->kind, value, last->wpid, &is_slot_pid) ? Judged::Holds : Judged::Fails;
}

// An outcome: every field it writes (callbacks exist only in the model).
Judged judge_outcome(const Outcome& o, const Scenario& s, const OpIndex& idx, const RealRun& rr) {
  Judged j = o.callbacks.empty() ? Judged::Holds : Judged::Unknown;
  auto meet = [&](Judged one) {
    if (one == Judged::Fails) j = Judged::Fails;
    if (one == Judged::Unknown && j == Judged::Holds) j = Judged::Unknown;
  };
  for (const TaskOutcome& t : o.tasks) meet(judge_task(t, rr));
  for (const ResultOutcome& r : o.results) meet(judge_result(r, s, idx, rr));
  return j;
}

std::string ends_summary(const Scenario& s, const RealRun& rr, const PidNames& names) {
  std::string out;
  for (std::size_t sl = 0; sl < s.task_names.size(); ++sl) {
    if (!rr.pids[sl]) continue;
    const std::string e = real_end(s, rr, names, sl);
    out += (out.empty() ? "" : ", ") + s.task_names[sl] + " " + (e.empty() ? "(unknown)" : e);
  }
  return out;
}

std::string property_list(const PropertySet& set) {
  std::string out;
  for (std::size_t i = 0; i < kPropertyCount; ++i)
    if (set.test(i)) out += (out.empty() ? "" : ", ") + std::string(property_name(static_cast<Property>(i)));
  return out;
}

// The first op a task was left blocked in for good on the real kernel
// (recorded "blocks" when the run ended, or a held await) whose expect does
// not say it may block: the `hang` property broken on the kernel.  NULL if none.
const Record* kernel_hang(const OpIndex& idx, const RealRun& rr) {
  for (const Record& r : rr.records) {
    if (r.kind != RKind::Blocks || r.value != 0 || r.op < 0) continue;  // a value: an assert's state letter
    const Op& op = *idx.ops[static_cast<std::size_t>(r.op)];
    const std::optional<Expectation>& ex = op.expect_modern ? op.expect_modern : op.expect;
    const bool may_block = ex && std::any_of(ex->any_of.begin(), ex->any_of.end(), [](const ResultPattern& p) {
                             return p.kind == ResultPattern::Kind::Blocks;
                           });
    if (!may_block) return &r;
  }
  return nullptr;
}

// `hang` is the one property a real run shows: a task left blocked in an op
// that may not block.  Judged, and taken out of the sets left to say "not
// judged" about when the kernel shows it.
void judge_hang(ScenarioReport& rep, const Scenario& s, const OpIndex& idx, const RealRun& rr, PropertySet& violations,
                PropertySet& allowed, bool verbose) {
  const Record* h = kernel_hang(idx, rr);
  if (!h) return;
  const Op& op = *idx.ops[static_cast<std::size_t>(h->op)];
  const std::string what =
      fmt::format("{} was left blocked in {} at {}, which may not block", name_of_slot(s, h->slot), op.key, op.ptr);
  const auto hang = static_cast<std::size_t>(Property::Hang);
  if (violations.test(hang) || allowed.test(hang)) {
    if (verbose) rep.lines.push_back("agree: expect: hang is expected or allowed, and on the kernel " + what);
    violations.reset(hang);
    allowed.reset(hang);
    return;
  }
  differ(rep, "expect: no hang is allowed, but on the kernel " + what,
         finding(Finding::Kind::Expect, h->op, h->slot, 0, "blocks", {}));
}

// The scenario's expect: its outcomes judged by how the real run ended;
// what a real kernel cannot show is said, never passed over.
void judge_expect(ScenarioReport& rep, const Scenario& s, const OpIndex& idx, const RealRun& rr, const PidNames& names,
                  bool verbose) {
  const ScenarioExpect& ex = s.expect;
  if (!ex.outcomes.empty()) {
    bool unknown = false;
    std::size_t held = 0;
    for (std::size_t i = 0; i < ex.outcomes.size() && !held; ++i) {
      const Judged j = judge_outcome(ex.outcomes[i], s, idx, rr);
      if (j == Judged::Holds) held = i + 1;
      unknown = unknown || j == Judged::Unknown;
    }
    if (held) {
      if (verbose) rep.lines.push_back(fmt::format("agree: expect.outcomes: the kernel's end is outcome #{}", held));
    } else if (unknown) {
      rep.lines.push_back(
          fmt::format("not judged: expect.outcomes: the kernel ended {}; an outcome names what "
                      "this run does not show (a thread's or an unwatched task's status, callbacks)",
                      ends_summary(s, rr, names)));
    } else {
      differ(rep,
             fmt::format("expect.outcomes: the kernel ended {}; no outcome of the scenario matches",
                         ends_summary(s, rr, names)),
             finding(Finding::Kind::Expect, -1, -1, 0, ends_summary(s, rr, names), {}));
    }
  }
  for (std::size_t i = 0; i < ex.reachable.size(); ++i) {
    if (judge_outcome(ex.reachable[i], s, idx, rr) == Judged::Holds) {
      if (verbose) rep.lines.push_back(fmt::format("agree: expect.reachable #{}: reached on the kernel", i + 1));
    } else {
      rep.lines.push_back(
          fmt::format("not judged: expect.reachable #{}: not reached in this one run (a real kernel "
                      "runs one schedule; the simulator must reach it)",
                      i + 1));
    }
  }
  PropertySet violations = ex.violations, allowed = ex.allowed;
  judge_hang(rep, s, idx, rr, violations, allowed, verbose);
  if (violations.any())
    rep.lines.push_back("not judged: expect.violations (" + property_list(violations) +
                        "): properties of the model's schedules, which a real kernel does not report");
  if (allowed.any())
    rep.lines.push_back("not judged: expect.allowed (" + property_list(allowed) +
                        "): properties of the model's schedules, which a real kernel does not report");
}

}  // namespace

ScenarioReport compare_run(const std::string& file, const Scenario& s, const OpIndex& idx, const SimSet& sim,
                           const RealRun& rr, bool verbose) {
  ScenarioReport rep;
  rep.file = file;
  rep.name = s.name;
  g_pids = rr.pids;
  g_aliases = rr.aliases;
  for (const auto& n : rr.notes) rep.lines.push_back("note: " + n);
  if (!rr.problem.empty()) {
    ++rep.disagreements;
    rep.lines.push_back("DISAGREE: " + rr.problem);
    Finding f = finding(Finding::Kind::Run, -1, -1, 0, rr.problem, {});
    f.text = rr.problem;
    rep.findings.push_back(std::move(f));
  }
  const PidNames names = real_names(s, rr);
  compare_ops(rep, s, idx, sim, rr, names, verbose);
  compare_unreached(rep, s, idx, sim, rr, verbose);
  compare_task_ends(rep, s, sim, rr, names, verbose);
  judge_expect(rep, s, idx, rr, names, verbose);
  rep.verdict = rep.disagreements ? Verdict::Disagree : rep.era_differences ? Verdict::EraDifference : Verdict::Agree;
  rep.run = rr;
  rep.names = names;
  return rep;
}

ScenarioReport compare_scenario(const std::string& file, const RunOptions& o_in, std::uint64_t schedules,
                                bool verbose) {
  ScenarioReport rep;
  rep.file = file;
  LoadResult lr = load_scenario_file(file);
  if (!lr.ok()) return refuse(rep, Verdict::Error, lr.errors.empty() ? "cannot load" : lr.errors.front().to_string());
  const Scenario& s = *lr.scenario;
  rep.name = s.name;
  if (std::string why = not_applicable(s); !why.empty()) return refuse(rep, Verdict::NotApplicable, why);
  if (std::string why = unsupported(s); !why.empty()) return refuse(rep, Verdict::Unsupported, why);
  const OpIndex idx(s);
  const SimSet sim = explore_sim(s, idx, schedules);
  if (!sim.error.empty()) return refuse(rep, Verdict::Error, "simulator: " + sim.error);
  RunOptions o = o_in;
  o.scenario_path = file;
  const RealRun rr = run_on_kernel(s, idx, o);
  if (!rr.ran) return refuse(rep, Verdict::Error, "real kernel: " + rr.problem);
  return compare_run(file, s, idx, sim, rr, verbose);
}

}  // namespace ukern
