// scenario/run.h: running a scenario under a scheduler, and judging a run
// against the scenario's expectations.
//
// A run puts the layers together: the engine (sim/), the kernel model
// (model/), the interpreter of the scenario's programs
// (scenario/interp/) and the property checkers (model/checks/), which
// watch the kernel through its hooks.
#pragma once

#include <memory>

#include "model/checks/linux_invariants.h"
#include "model/checks/utrace_checks.h"
#include "model/linux/kernel.h"
#include "model/memory/store_buffers.h"
#include "model/values.h"
#include "scenario/interp/interp.h"
#include "scenario/scenario.h"
#include "sim/engine.h"

namespace model {

struct RunOutput {
  sim::RunResult engine;
  std::vector<Violation> violations;
  std::uint64_t trace_hash = 0;  // the events' fingerprint; 0 without RunConfig::hash_trace
};

// The configuration of the runs of an explorer (check, shrink, the state
// graph's replays): they judge a run by its violations and outcome and
// never read its trace_hash, so they do not compute it.
inline RunConfig explorer_run_config(RunConfig c) {
  c.hash_trace = false;
  return c;
}

// Runs one scenario again and again (one schedule per run).  The Kernel of
// the last run stays alive for its trace and outcome until the next run.
class Simulator final : public TraceNames {
 public:
  Simulator(const Scenario& scn, const RunConfig& cfg);
  ~Simulator() override;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Throws NotImplemented, ModelBug or sim::EngineError on an internal error.
  RunOutput run(sim::Scheduler& sched);

  const Kernel& kernel() const { return *kernel_; }
  const Interpreter& interp() const { return *interp_; }
  const ut::Checks& checks() const { return *checks_; }
  const Scenario& scenario() const { return scn_; }
  const RunConfig& config() const { return cfg_; }
  // What the last run's lockless loads read, and from which store: kept
  // when the run is traced (RunConfig::trace), else empty.
  const ValueLog& values() const { return values_; }
  const StoreBuffers* store_buffers() const { return store_buffers_.get(); }
  void set_stop_flag(const std::atomic<bool>* f) { eng_.set_stop_flag(f); }
  // The engine the runs use (explorers turn step recording on and off here).
  sim::Engine& engine() { return eng_; }
  const sim::Engine& engine() const { return eng_; }

  // Whether the last run ended in this outcome (partial match: only the
  // fields written are compared).
  bool matches(const Outcome& o) const;

  // The names of the last run, for its events (TraceNames).
  std::string comm(int pid) const override { return kernel_->comm(pid); }
  std::string engine(std::int64_t id) const override { return interp_->engine_name(id); }
  std::string message(std::int64_t index) const override { return kernel_->message(index); }
  std::string op_key(const void* ref) const override;
  std::string op_at(const void* ref) const override;
  std::string var(std::int64_t index) const override {
    return index >= 0 && static_cast<std::size_t>(index) < scn_.var_names.size()
               ? scn_.var_names[static_cast<std::size_t>(index)]
               : TraceNames::var(index);
  }
  std::string object(std::uint32_t id) const override;

 private:
  const Scenario& scn_;
  RunConfig cfg_;
  sim::Engine eng_;
  std::unique_ptr<Kernel> kernel_;
  std::unique_ptr<Interpreter> interp_;
  std::unique_ptr<ut::Checks> checks_;
  std::unique_ptr<LinuxInvariants> linux_checks_;
  ValueLog values_;
  // The kernel fields' store buffers under tso or lkmm (model/memory/store_buffers.h).
  std::unique_ptr<StoreBuffers> store_buffers_;
};

}  // namespace model
