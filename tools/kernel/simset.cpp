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

// How the task of a slot ended in this run, as the real side says it
// (launch.cpp, compare.cpp).
std::string end_of_slot(const Interpreter& in, const Kernel& k, const PidNames& names, int slot) {
  // A thread that exec'd has its leader's pid now: the leader's slot ends
  // as the process does (Interpreter::task_end follows the pid).
  for (auto it = k.tasks.rbegin(); it != k.tasks.rend(); ++it) {
    if (in.slot_of(**it) != slot) continue;
    if ((*it)->pid != in.slot_pid(slot)) {
      auto n = names.find((*it)->pid);
      return took_over_end(n != names.end() ? n->second : std::to_string((*it)->pid));
    }
    break;
  }
  const TaskEnd te = in.task_end(slot);
  if (!te.exists) return "dead";
  if (!te.died) return task_state_name(te.state);
  return te.state == TaskState::Zombie ? zombie_end(te.status) : end_text(te.status);
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
      // pid -> name in this run: the slot each pid was created for.
      PidNames names{{1, "init"}};
      std::map<int, int> owner;  // pid -> slot whose task has it now
      for (std::size_t sl = 0; sl < s.task_names.size(); ++sl)
        if (const int pid = in.slot_pid(static_cast<int>(sl))) {
          names.emplace(pid, s.task_names[sl]);
          owner.emplace(pid, static_cast<int>(sl));
        }
      // The last task with a pid: after de_thread(), the thread that exec'd.
      auto last_slot_with_pid = [&](int pid) {
        for (auto it = k.tasks.rbegin(); it != k.tasks.rend(); ++it)
          if ((*it)->pid == pid) return in.slot_of(**it);
        return -1;
      };
      std::map<std::pair<int, int>, int> occ;
      std::set<Occurrence> blocks_seen, reached;
      LastStops stops;
      for (const Event& e : k.events()) {
        // de_thread() releases the old leader once the exec'ing thread has
        // its pid (fs/exec.c): from then on the pid is that thread's.
        if (e.kind == Ev::release_task) {
          if (const int sl = last_slot_with_pid(static_cast<int>(e.a)); sl >= 0) owner[static_cast<int>(e.a)] = sl;
          continue;
        }
        if (e.kind != Ev::op_result || !e.ref) continue;
        const Op* op = static_cast<const Op*>(e.ref);
        const int id = idx.of(op);
        if (id < 0) continue;  // a synthesized handler op ({"exit": n})
        auto ow = owner.find(e.pid);
        const int slot = ow != owner.end() ? ow->second : -1;
        const int n = occ[{id, slot}]++;
        reached.insert({id, slot, n});
        RKind kind = rkind(static_cast<ResultKind>(e.b));
        // A failed assert_state: the state it found, as the replayer records it.
        if (const auto* aw = op->as_if<AwaitOp>(); aw && aw->assert_now && kind == RKind::None && e.a)
          kind = RKind::Blocks;
        const auto* pt = op->as_if<PtraceOp>();
        const int target = pt && pt->has_pid ? in.slot_pid(pt->pid.slot) : 0;
        std::string c =
            e.d == 1 ? "blocks" : canon(*op, kind, e.a, static_cast<int>(e.c), stops.names_for(*op, target, names));
        stops.saw(*op, kind, e.a, static_cast<int>(e.c));
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
        // The op's last occurrence already ended as "blocks" (end_of_run
        // records those whose expect allows it): nothing to add.
        const int n = occ[{id, slot}];
        if (n > 0 && blocks_seen.count({id, slot, n - 1})) continue;
        out.by_occurrence[{id, slot, n}].insert("blocks");
        out.by_op[id].insert("blocks");
        reached.insert({id, slot, n});
      }
      for (const Occurrence& o : reached) ++out.reached_in[o];
      for (std::size_t sl = 0; sl < s.task_names.size(); ++sl) {
        if (!in.slot_pid(static_cast<int>(sl))) continue;
        ++out.created_in[static_cast<int>(sl)];
        out.task_end[static_cast<int>(sl)].insert(end_of_slot(in, k, names, static_cast<int>(sl)));
      }
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

}  // namespace ukern
