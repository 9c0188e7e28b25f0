// tools/kernel/compare.cpp: the real kernel's results held against the
// scenario's expect (expect_modern where it says what a kernel after 3.1
// does) and against what the simulator allows.
#include <fmt/format.h>

#include <algorithm>

#include "model/abi.h"
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

std::string end_text(int status) { return describe_wait_status(status); }

std::string canon(const Op& op, RKind kind, std::int64_t value, int wpid, const PidNames& names) {
  switch (kind) {
    case RKind::Errno: return "-" + errno_name(static_cast<int>(value));
    case RKind::None: return "none";
    case RKind::Blocks:
      if (op.as_if<AwaitOp>() && value) return fmt::format("blocks (state '{}')", static_cast<char>(value));
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

// Every result the real kernel gave, held against the expect (expect_modern
// where given) and against what the simulator allows at that occurrence.
void compare_ops(ScenarioReport& rep, const Scenario& s, const OpIndex& idx, const SimSet& sim, const RealRun& rr,
                 bool verbose) {
  PidNames names{{rr.runner_pid, "init"}};
  for (std::size_t i = 0; i < rr.pids.size(); ++i)
    if (rr.pids[i]) names.emplace(rr.pids[i], s.task_names[i]);
  for (const auto& [pid, slot] : rr.aliases) names.emplace(pid, s.task_names[static_cast<std::size_t>(slot)]);

  // Per op, per occurrence.
  std::map<std::pair<int, int>, int> occ;
  for (const Record& r : rr.records) {
    if (r.op < 0 || static_cast<std::size_t>(r.op) >= idx.ops.size()) continue;
    const Op& op = *idx.ops[static_cast<std::size_t>(r.op)];
    const int k = occ[{r.op, r.slot}]++;
    const std::string real = canon(op, r.kind, r.value, r.wpid, names);
    // The runner plays init, whose pid is 1 in the model.
    const std::int64_t value = pid_valued(op) && r.kind == RKind::Value && r.value == rr.runner_pid ? 1 : r.value;
    auto it = sim.by_occurrence.find({r.op, r.slot, k});
    const std::set<std::string>* allowed = nullptr;
    if (it != sim.by_occurrence.end()) {
      allowed = &it->second;
    } else if (auto jt = sim.by_op.find(r.op); jt != sim.by_op.end()) {
      allowed = &jt->second;  // more iterations than the simulator ran: any occurrence's results
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
    const std::string who = r.slot >= 0 && static_cast<std::size_t>(r.slot) < s.task_names.size()
                                ? s.task_names[static_cast<std::size_t>(r.slot)]
                                : "?";
    const std::string where = fmt::format("{} {} at {} (#{})", who, op.key, op.ptr, k + 1);
    const std::string sim_text = allowed ? join(*allowed) : "(never reached)";
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
    }
  }
}

// How each task ended on the real kernel, held against the simulator's ends.
void compare_task_ends(ScenarioReport& rep, const Scenario& s, const SimSet& sim, const RealRun& rr, bool verbose) {
  for (std::size_t sl = 0; sl < s.task_names.size(); ++sl) {
    if (!rr.pids[sl]) continue;
    std::string real;
    if (rr.end_status[sl] >= 0)
      real = end_text(rr.end_status[sl]);
    else if (!rr.end_state[sl].empty())
      real = rr.end_state[sl];
    else
      continue;  // a thread, or a task whose reaper was not watched: no status to compare
    auto it = sim.task_end.find(static_cast<int>(sl));
    const bool ok = it != sim.task_end.end() && it->second.count(real);
    if (ok) {
      if (verbose) rep.lines.push_back(fmt::format("agree: task {} ended {}", s.task_names[sl], real));
    } else if (rep.era_differences) {
      // The ops already showed a declared era difference: a task that ends
      // otherwise follows from it (said so, never hidden).
      rep.lines.push_back(fmt::format("era difference (consequence): task {} ended {}; simulator {}", s.task_names[sl],
                                      real, it == sim.task_end.end() ? "(never created)" : join(it->second)));
    } else {
      ++rep.disagreements;
      rep.lines.push_back(fmt::format("DISAGREE: task {} ended {}; simulator {}", s.task_names[sl], real,
                                      it == sim.task_end.end() ? "(never created)" : join(it->second)));
    }
  }
}

}  // namespace

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
  g_pids = rr.pids;
  g_aliases = rr.aliases;
  for (const auto& n : rr.notes) rep.lines.push_back("note: " + n);
  if (!rr.problem.empty()) {
    ++rep.disagreements;
    rep.lines.push_back("DISAGREE: " + rr.problem);
  }
  compare_ops(rep, s, idx, sim, rr, verbose);
  compare_task_ends(rep, s, sim, rr, verbose);
  rep.verdict = rep.disagreements ? Verdict::Disagree : rep.era_differences ? Verdict::EraDifference : Verdict::Agree;
  return rep;
}

}  // namespace ukern
