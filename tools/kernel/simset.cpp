// tools/kernel/simset.cpp: what the simulator lets each op return, over many
// schedules (the same mix of schedulers as `utsim check`).
#include <algorithm>
#include <tuple>

#include "explore/check.h"
#include "scenario/run.h"
#include "sim/sched/pct.h"
#include "sim/sched/random.h"
#include "sim/sched/replay.h"
#include "tools/kernel/replay.h"

namespace ukern {

using namespace model;

namespace {

RKind rkind(ResultKind k) {
  switch (k) {
    case ResultKind::Value: return RKind::Value;
    case ResultKind::Errno: return RKind::Errno;
    case ResultKind::Pid: return RKind::Pid;
    case ResultKind::WaitStatus: return RKind::WaitStatus;
    case ResultKind::Ok: return RKind::Ok;
    case ResultKind::None: return RKind::None;
  }
  return RKind::None;
}

}  // namespace

SimSet explore_sim(const Scenario& s, const OpIndex& idx, std::uint64_t schedules) {
  SimSet out;
  RunConfig cfg;
  cfg.trace = true;
  try {
    Simulator simu(s, cfg);
    sim::RandomScheduler random{0};
    sim::PctScheduler pct{0, 2, 100};
    std::uint64_t steps_seen = 1;
    for (std::uint64_t i = 0; i < schedules; ++i) {
      sim::ReplayScheduler def;
      sim::Scheduler* sched = &def;
      const std::uint64_t seed = 0x9e3779b97f4a7c15ULL + i;
      if (i > 0 && i % 3 == 0) {
        random.set_seed(seed);
        sched = &random;
      } else if (i > 0) {
        pct = sim::PctScheduler(seed, i % 3 == 1 ? 2u : 3u, steps_seen);
        sched = &pct;
      }
      const RunOutput r = simu.run(*sched);
      steps_seen = std::max<std::uint64_t>(steps_seen, r.engine.steps);
      ++out.schedules;
      const Kernel& k = simu.kernel();
      const Interpreter& in = simu.interp();
      // pid -> name in this run (in creation order: a pid taken over by
      // de_thread keeps its first owner's name, as on the real side)
      PidNames names{{1, "init"}};
      for (std::size_t sl = 0; sl < s.task_names.size(); ++sl)
        if (const int pid = in.slot_pid(static_cast<int>(sl))) names.emplace(pid, s.task_names[sl]);
      for (const auto& t : k.tasks)
        if (in.slot_of(*t) >= 0) names.emplace(t->pid, s.task_names[static_cast<std::size_t>(in.slot_of(*t))]);
      auto slot_of = [&](int pid) {
        for (const auto& t : k.tasks)
          if (t->pid == pid) return in.slot_of(*t);
        return -1;
      };
      std::map<std::pair<int, int>, int> occ;
      std::set<std::tuple<int, int, int>> blocks_seen;
      for (const Event& e : k.events()) {
        if (e.kind != Ev::op_result || !e.ref) continue;
        const Op* op = static_cast<const Op*>(e.ref);
        const int id = idx.of(op);
        if (id < 0) continue;  // a synthesized handler op ({"exit": n})
        const int slot = slot_of(e.pid);
        const int n = occ[{id, slot}]++;
        std::string c =
            e.d == 1 ? "blocks" : canon(*op, rkind(static_cast<ResultKind>(e.b)), e.a, static_cast<int>(e.c), names);
        if (e.d == 1) blocks_seen.insert({id, slot, n});
        out.by_occurrence[{id, slot, n}].insert(c);
        out.by_op[id].insert(c);
      }
      // Tasks left blocked in an op that did not expect it (a hang the
      // scenario allows): that op "blocks" too.
      for (const auto& t : k.tasks) {
        const int slot = in.slot_of(*t);
        const Op* cur_op = in.program(*t).cur_op;
        if (slot < 0 || !cur_op || t->final_status >= 0 || t->exit_state) continue;
        const int id = idx.of(cur_op);
        if (id < 0) continue;
        const int n = occ[{id, slot}];
        if (blocks_seen.count({id, slot, n})) continue;
        out.by_occurrence[{id, slot, n}].insert("blocks");
        out.by_op[id].insert("blocks");
      }
      for (std::size_t sl = 0; sl < s.task_names.size(); ++sl) {
        const TaskEnd te = in.task_end(static_cast<int>(sl));
        if (!te.exists) continue;
        out.task_end[static_cast<int>(sl)].insert(te.died ? end_text(te.status) : task_state_name(te.state));
      }
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace ukern
