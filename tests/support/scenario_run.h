// tests/support/scenario_run.h: run a small scenario once, under the default
// (non-preemptive) schedule with the trace on, and read what it did: the
// labelled op results, the tasks' pids, the engines bound to handles and
// the callbacks they received, the utrace state changes of the trace.
// Shared by the utrace API and ptrace unit tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "model/utrace/utrace.h"
#include "scenario/load/loader.h"
#include "scenario/run.h"
#include "sim/sched/replay.h"

namespace model::test {

// A scenario with an engine table (a JSON object) and tasks (a JSON array).
inline std::string utrace_scenario(const std::string& engines, const std::string& tasks,
                                   const char* kernel = "2010-rhel6") {
  return std::string(R"({"utsim": 1, "name": "t", "summary": "unit test", "model": {"kernel": ")") + kernel +
         R"("}, "engines": )" + engines + R"(, "tasks": )" + tasks + "}";
}

// X, a user task, runs x_ops; T, a kernel thread (a module's engine user),
// runs t_ops.
// Whether the loader reported error `id` at JSON pointer `ptr`.
inline bool has_error(const std::vector<ScenarioError>& errors, const std::string& id, const std::string& ptr) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const ScenarioError& e) { return e.id == id && e.pointer == ptr; });
}

inline std::string two(const std::string& engines, const std::string& x_ops, const std::string& t_ops,
                       const char* kernel = "2010-rhel6") {
  return utrace_scenario(engines,
                         R"([{"name": "X", "program": [)" + x_ops + R"(]},
                      {"name": "T", "kind": "kthread", "program": [)" +
                             t_ops + "]}]",
                         kernel);
}
// Attach engine ops "E" to X in create mode, as handle "e".
inline const char* const kAttachE =
    R"({"utrace_attach_task": {"target": "X", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"})";

class ScenarioRun {
 public:
  explicit ScenarioRun(const std::string& json) {
    LoadResult r = load_scenario_text(json);
    if (!r.ok()) {
      for (const auto& e : r.errors) ADD_FAILURE() << e.to_string();
      return;
    }
    scn_ = std::make_unique<Scenario>(std::move(*r.scenario));
    RunConfig cfg;
    cfg.trace = true;
    sim_ = std::make_unique<Simulator>(*scn_, cfg);
    sim::ReplayScheduler def;
    out_ = sim_->run(def);
  }
  bool ok() const { return sim_ != nullptr; }
  const Kernel& k() const { return sim_->kernel(); }
  const Interpreter& interp() const { return sim_->interp(); }
  const RunOutput& out() const { return out_; }
  std::string violations() const {
    std::string s;
    for (const Violation& v : out_.violations) s += std::string(property_name(v.property)) + ": " + v.message + "\n";
    return s;
  }
  // A labelled op's result as the kernel returns it: the value (a wait
  // status for waitpid), 0 for "ok" (attach), or -errno; kNone if the op
  // never returned.
  static constexpr std::int64_t kNone = 0x7fff'ffff;
  std::int64_t ret(const std::string& label) const {
    if (!ok()) return kNone;
    const auto it = std::find(scn_->labels.begin(), scn_->labels.end(), label);
    if (it == scn_->labels.end()) return kNone;
    const OpResult* r = interp().result_of(static_cast<int>(it - scn_->labels.begin()));
    if (!r) return kNone;
    if (r->kind == ResultKind::Errno) return -r->value;
    if (r->kind == ResultKind::Ok) return 0;
    return r->value;
  }
  const Engine* engine(const std::string& handle) const {
    if (!ok()) return nullptr;
    const auto it = std::find(scn_->handle_names.begin(), scn_->handle_names.end(), handle);
    if (it == scn_->handle_names.end()) return nullptr;
    return interp().engine_of_handle(static_cast<int>(it - scn_->handle_names.begin()));
  }
  // The callbacks the engine bound to `handle` received (empty if none).
  std::vector<Callback> received(const std::string& handle) const {
    const Engine* e = engine(handle);
    return e ? e->received : std::vector<Callback>{};
  }
  int pid(const std::string& task) const {
    if (!ok()) return 0;
    const auto it = std::find(scn_->task_names.begin(), scn_->task_names.end(), task);
    return it == scn_->task_names.end() ? 0 : interp().slot_pid(static_cast<int>(it - scn_->task_names.begin()));
  }
  // The utrace_state events of the trace, as "old->new" strings of `field`
  // (of one engine when engine_id is given).
  std::vector<std::string> changes(const std::string& field, std::int64_t engine_id = 0) const {
    std::vector<std::string> out;
    if (!ok()) return out;
    for (const Event& e : k().events()) {
      if (e.kind != Ev::utrace_state || (engine_id && e.d != engine_id)) continue;
      std::string f, o, n;
      for (const EventField& x : utrace_event_fields(e, *sim_)) {
        const std::string* s = std::get_if<std::string>(&x.value);
        if (!s) continue;
        if (std::string(x.key) == "field") f = *s;
        if (std::string(x.key) == "old") o = *s;
        if (std::string(x.key) == "new") n = *s;
      }
      if (f == field) out.push_back(o + "->" + n);
    }
    return out;
  }

 private:
  std::unique_ptr<Scenario> scn_;
  std::unique_ptr<Simulator> sim_;
  RunOutput out_;
};

}  // namespace model::test
