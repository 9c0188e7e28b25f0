// Properties of the Linux model over random process trees: random small
// scenarios of fork (nested), kill, exit and waitpid, run under random and
// PCT schedules, end with every task dead and accounted for, with no
// property (model invariants, hang, ...) broken.
//
// The generator avoids programs that really block forever: every waitpid
// waits for a child of the waiter, every child's program ends, and the only
// stop (SIGSTOP) is immediately followed by SIGCONT from a task nobody
// kills.  No handlers are installed, so no waitpid can return -EINTR.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/pct.h"
#include "sim/sched/random.h"

namespace {

using nlohmann::json;

struct TaskPlan {
  int exit_code = 0;    // from its program's final exit, else 0
  std::set<int> fatal;  // fatal signals its parent may have sent it
};
struct WaitPlan {
  std::string label;
  std::string target;  // "" for waitpid(-1)
  bool nohang = false;
};

// Builds a scenario from a list of choices (RapidCheck shrinks the list, so
// a failure shrinks to a small scenario).  Choices past the end read as 0.
class Builder {
 public:
  explicit Builder(const std::vector<int>& choices) : ch_(choices) {}

  json scenario() {
    json tasks = json::array();
    const int n = 1 + next(3);
    for (int i = 0; i < n; ++i) {
      const std::string name = "P" + std::to_string(i);
      plans[name];
      ++tasks_;
      tasks.push_back({{"name", name}, {"program", program(name, 0)}});
    }
    return {{"utsim", 1}, {"name", "random-fork-kill-wait"}, {"summary", "generated"}, {"tasks", tasks}};
  }

  std::map<std::string, TaskPlan> plans;
  std::vector<WaitPlan> waits;

 private:
  int next(int n) {
    const int c = i_ < ch_.size() ? ch_[i_++] : 0;
    return ((c % n) + n) % n;
  }

  json waitpid(const std::string& target, bool nohang) {
    const std::string label = "w" + std::to_string(waits.size());
    waits.push_back({label, target, nohang});
    json options = json::array();
    if (nohang) options.push_back("WNOHANG");
    json pid = target.empty() ? json(-1) : json(target);
    return {{"waitpid", {{"pid", pid}, {"options", options}}}, {"label", label}};
  }

  json program(const std::string& self, int depth) {
    json ops = json::array();
    std::vector<std::string> children;
    const int n = next(6);
    for (int k = 0; k < n; ++k) {
      switch (next(8)) {
        case 0: ops.push_back({{"compute", 1 + next(3)}}); break;
        case 1: ops.push_back({{"syscall", "getpid"}}); break;
        case 2:
        case 3:
          if (depth < 2 && tasks_ < 9) {
            const std::string child = "c" + std::to_string(tasks_++);
            plans[child];
            json prog = program(child, depth + 1);
            ops.push_back({{"fork", {{"child", child}, {"program", prog}}}});
            children.push_back(child);
          }
          break;
        case 4:
          if (!children.empty()) {
            static const int kSigs[] = {SIGKILL, SIGTERM, SIGUSR1, SIGCONT, SIGCHLD, 0};
            const std::string& c = children[static_cast<std::size_t>(next(static_cast<int>(children.size())))];
            const int sig = kSigs[next(6)];
            if (sig == SIGKILL || sig == SIGTERM || sig == SIGUSR1) plans[c].fatal.insert(sig);
            ops.push_back({{"kill", {{"pid", c}, {"sig", sig}}}});
            if (next(2)) ops.push_back(waitpid(c, false));  // reap what we killed
          }
          break;
        case 5:
          if (!children.empty()) {
            const std::string& c = children[static_cast<std::size_t>(next(static_cast<int>(children.size())))];
            ops.push_back(waitpid(c, next(2) == 1));
          }
          break;
        case 6: ops.push_back(waitpid("", next(2) == 1)); break;
        case 7:
          // Only a top-level task, which nobody kills between the two sends:
          // a parent killed after its SIGSTOP would leave the child stopped
          // for ever (utsim has no orphaned process groups, whose stopped
          // members get SIGHUP and SIGCONT).
          if (depth == 0 && !children.empty()) {
            const std::string& c = children[static_cast<std::size_t>(next(static_cast<int>(children.size())))];
            ops.push_back({{"kill", {{"pid", c}, {"sig", "SIGSTOP"}}}});
            ops.push_back({{"kill", {{"pid", c}, {"sig", "SIGCONT"}}}});
          }
          break;
      }
    }
    switch (next(3)) {
      case 1:
        plans[self].exit_code = next(5);
        ops.push_back({{"exit", plans[self].exit_code}});
        break;
      case 2:
        plans[self].exit_code = next(5);
        ops.push_back({{"exit_group", plans[self].exit_code}});
        break;
      default: break;  // the program ends: exit_group(0)
    }
    return ops;
  }

  const std::vector<int>& ch_;
  std::size_t i_ = 0;
  int tasks_ = 0;
};

int index_of(const std::vector<std::string>& v, const std::string& s) {
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] == s) return static_cast<int>(i);
  return -1;
}

// Everything the property claims about one finished run.
void check_run(const model::Simulator& sim, const model::RunOutput& out, const Builder& b, const std::string& text) {
  using namespace model;
  const Scenario& s = sim.scenario();
  const Interpreter& k = sim.interp();
  std::string viol;
  for (const Violation& v : out.violations) viol += std::string(property_name(v.property)) + ": " + v.message + "; ";
  if (!viol.empty()) RC_FAIL(viol);  // no property broken (model-invariant, hang, ...)
  RC_ASSERT(out.engine.end == sim::RunEnd::Finished);

  for (const auto& [name, plan] : b.plans) {
    const int slot = index_of(s.task_names, name);
    RC_ASSERT(slot >= 0);
    const Task* t = k.task_of_slot(slot);
    if (!t) continue;  // never forked: its parent died or exited first
    // Dead, with the status its program or a fatal signal gave it.
    const TaskEnd e = k.task_end(slot);
    RC_ASSERT(e.died);
    RC_ASSERT(e.state == TaskState::Zombie || e.state == TaskState::Dead);
    bool expected = WIFEXITED(e.status) && WEXITSTATUS(e.status) == plan.exit_code;
    for (int sig : plan.fatal) expected = expected || (WIFSIGNALED(e.status) && WTERMSIG(e.status) == sig);
    RC_ASSERT(expected);
    // Accounted for: reaped, or a zombie left to init (whose reaping loop
    // may not have run when the last user task finished).
    if (!t->released) {
      RC_ASSERT(t->exit_state != 0);
      RC_ASSERT(t->real_parent == sim.kernel().init);
    }
  }

  for (const WaitPlan& w : b.waits) {
    const OpResult* r = k.result_of(index_of(s.labels, w.label));
    if (!r) continue;  // the waiter died first
    switch (r->kind) {
      case ResultKind::WaitStatus: {
        // The status of the child reported, as it died.
        if (!w.target.empty()) RC_ASSERT(r->pid == k.slot_pid(index_of(s.task_names, w.target)));
        const Task* c = nullptr;
        for (const auto& t : sim.kernel().tasks)
          if (t->pid == r->pid && t->final_status >= 0) c = t.get();
        RC_ASSERT(c != nullptr);
        RC_ASSERT(r->value == c->final_status);
        break;
      }
      case ResultKind::Errno:
        RC_ASSERT(r->value == ECHILD);  // never -EINTR: no handlers
        break;
      default:
        RC_ASSERT(w.nohang);  // 0: nothing to report yet
        RC_ASSERT(r->value == 0);
    }
  }
  (void)text;
}

}  // namespace

RC_GTEST_PROP(LinuxForkWaitProp, EveryTaskEndsDeadAndAccountedFor,
              (const std::vector<int>& choices, std::uint64_t seed)) {
  Builder b(choices);
  const std::string text = b.scenario().dump();
  RC_LOG() << text << "\n";
  model::LoadResult lr = model::load_scenario_text(text);
  RC_ASSERT(lr.ok());
  model::Simulator sim(*lr.scenario, model::RunConfig{});

  sim::RandomScheduler random(seed);
  const model::RunOutput a = sim.run(random);
  check_run(sim, a, b, text);

  int forked = 0;
  for (const auto& t : sim.kernel().tasks) forked += sim.interp().slot_of(*t) >= 0;
  RC_TAG(forked < 3 ? "1-2 tasks" : forked < 6 ? "3-5 tasks" : "6+ tasks");
  RC_CLASSIFY(b.waits.size() >= 2, "2+ waits");

  sim::PctScheduler pct(seed, 3, a.engine.steps);
  const model::RunOutput p = sim.run(pct);
  check_run(sim, p, b, text);
}
