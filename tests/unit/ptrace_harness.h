// tests/unit/ptrace_harness.h: run a small ptrace scenario once, under the
// default (non-preemptive) schedule, and read its labelled results.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <string>

#include "model/run.h"
#include "model/scenario_loader.h"
#include "sim/sched_replay.h"

namespace model::ptrace_test {

// A scenario of the given tasks (a JSON array).
inline std::string scenario(const std::string& tasks) {
  return R"({"utsim": 1, "name": "t", "summary": "unit test", "tasks": )" + tasks + "}";
}
// P forks C, which runs c_ops; P then runs p_ops.
inline std::string parent_child(const std::string& c_ops, const std::string& p_ops) {
  return scenario(R"([{"name": "P", "program": [{"fork": {"child": "C", "program": [)" + c_ops + R"(]}}, )" +
                  p_ops + "]}]");
}

class PtRun {
 public:
  explicit PtRun(const std::string& json) {
    LoadResult r = load_scenario_text(json);
    if (!r.ok()) {
      for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
      return;
    }
    scn_ = std::make_unique<Scenario>(std::move(*r.scenario));
    sim_ = std::make_unique<Simulator>(*scn_, RunConfig{});
    sim::ReplayScheduler def;
    out_ = sim_->run(def);
  }
  bool ok() const { return sim_ != nullptr; }
  const Kernel& k() const { return sim_->kernel(); }
  static constexpr std::int64_t kNone = 0x7fff'ffff;
  // A labelled op's result as the kernel returns it: the value (a wait
  // status for waitpid), or -errno; kNone if the op never returned.
  std::int64_t ret(const std::string& label) const {
    if (!ok()) return kNone;
    const auto it = std::find(scn_->labels.begin(), scn_->labels.end(), label);
    if (it == scn_->labels.end()) return kNone;
    const OpResult* r = k().result_of(static_cast<int>(it - scn_->labels.begin()));
    if (!r) return kNone;
    if (r->kind == ResultKind::Errno) return -r->value;
    return r->value;
  }
  int pid(const std::string& task) const {
    const auto it = std::find(scn_->task_names.begin(), scn_->task_names.end(), task);
    return it == scn_->task_names.end() ? 0 : k().slot_pid(static_cast<int>(it - scn_->task_names.begin()));
  }
  std::string violations() const {
    std::string s;
    for (const Violation& v : out_.violations) s += std::string(property_name(v.property)) + ": " + v.message + "\n";
    return s;
  }

 private:
  std::unique_ptr<Scenario> scn_;
  std::unique_ptr<Simulator> sim_;
  RunOutput out_;
};

// C's first ops: traced by its parent, stopped at a SIGSTOP signal-delivery stop.
inline const char* kTracemeStop = R"({"ptrace": {"request": "PTRACE_TRACEME"}}, {"raise": "SIGSTOP"})";
// P's first op: wait for that stop.
inline const char* kWaitStop = R"({"waitpid": {"pid": "C"}})";

}  // namespace model::ptrace_test
