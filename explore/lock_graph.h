// explore/lock_graph.h: the lock-class dependency graph of a whole
// exploration, and the possible circular locking dependencies it holds.
//
// The kernel's lockdep accumulates, over the life of one machine, an edge
// A -> B for every time a task acquired a lock of class B while holding one
// of class A, and warns as soon as a new edge closes a cycle: two tasks
// taking the classes in opposite orders can deadlock, whether or not they
// ever did.  Here the graph lives as long as one exploration (utsim check,
// utsim explore): every explored schedule adds the dependencies its run
// took (sim::Engine::lock_deps()), so a cycle is found even when its two
// halves come from two schedules and no schedule deadlocked.  Each edge
// keeps the schedule that first took it; a cycle names them all.  The
// report follows lockdep's own text (kernel/locking/lockdep.c
// print_circular_bug(), print_deadlock_bug()).  Everything is in the order
// the exploration met it: no hash or address order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "scenario/run.h"
#include "sim/engine.h"

namespace model {

// One dependency, as the run that first took it took it.
struct LockEdge {
  std::string from, to;              // the classes ("&sighand->siglock")
  std::string from_where, to_where;  // the functions that took the held lock and the new one
  std::uint64_t from_step = 0, to_step = 0;
  std::string task;       // who took them ("tracee-3")
  int pid = 0;            // ... its pid
  std::string schedule;   // the schedule of that run (a replay string)
  std::uint64_t run = 0;  // which run of the exploration (0-based)
};

// A cycle closed by a new dependency: chain[0] is the new one (held class
// -> acquired class); chain[1..] the path already in the graph from the
// acquired class back to the held one.  One edge whose two classes are the
// same is lockdep's "possible recursive locking".
struct LockCycle {
  std::vector<LockEdge> chain;
  std::string summary;  // one line: the lock-order violation's message
  std::string report;   // lockdep's WARNING block, several lines
};

class LockGraph {
 public:
  // `kernel`: the model simulated, for the report's identification line.
  explicit LockGraph(std::string kernel);
  ~LockGraph();
  LockGraph(const LockGraph&) = delete;
  LockGraph& operator=(const LockGraph&) = delete;

  // Adds the dependencies the simulator's last run took (`r` its result,
  // `run` its index in the exploration); returns the cycles its new
  // dependencies closed (also kept: cycles()).
  std::vector<LockCycle> add_run(const Simulator& simu, const sim::RunResult& r, std::uint64_t run);
  // The same for any run: `deps` its dependencies, `schedule()` its
  // schedule string (called only if a dependency is new), `who(tid)` the
  // task of a thread and its pid.
  using Who = std::function<std::pair<std::string, int>(sim::Tid)>;
  std::vector<LockCycle> add(std::span<const sim::LockDep> deps, const std::function<std::string()>& schedule,
                             std::uint64_t run, const Who& who);

  // The classes met, in the order first met, and every dependency, in the
  // order first taken.
  const std::vector<std::string>& classes() const;
  const std::vector<LockEdge>& edges() const;
  const std::vector<LockCycle>& cycles() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The lock-order violation a cycle stands for.
Violation lock_order_violation(const LockCycle& c);

}  // namespace model
