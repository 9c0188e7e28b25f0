// tests/support/explore_toy.h: small concurrent programs for testing the
// explorers against brute force (sim_enumerate.h).
//
// Each thread runs a list of instructions on shared variables, spinlocks and
// flags; every yield point announces exactly the access its step makes, so
// the dependency relation of sim/explore/deps.h is truthful for them.  The
// outcome of a run (variables, registers, flags, how it ended) is a string,
// and trace_key() names the Mazurkiewicz trace of a recorded run.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine.h"
#include "sim/explore/deps.h"
#include "sim/explore/explore.h"
#include "sim/hash.h"
#include "sim/sync.h"

namespace toy {

enum class Kind : std::uint8_t {
  Read,    // r = var[a]
  Write,   // var[a] = r * 10 + b
  Add,     // var[a] += 1 (one step)
  Lock,    // acquire lock a
  Unlock,  // release lock a (a local step)
  Signal,  // flag[a] = 1, wake the waiters
  Wait,    // sleep until flag[a]
  Spawn,   // start a child running children[a]
  Idle,    // wait until no other thread can run
  Sleep,   // sleep b ticks of virtual time
  Local,   // a step that touches nothing shared
};

struct Instr {
  Kind kind = Kind::Local;
  int a = 0;
  int b = 0;
};

using Body = std::vector<Instr>;

struct Prog {
  std::vector<Body> threads;   // spawned at the start
  std::vector<Body> children;  // Spawn a: children[a]
};

inline constexpr int kVars = 3, kLocks = 2, kFlags = 2;

struct World {
  std::array<int, kVars> var{};
  std::array<int, kFlags> flag{};
  std::array<sim::SpinLock, kLocks> lock{sim::SpinLock{sim::ObjId{30}}, sim::SpinLock{sim::ObjId{31}}};
  std::array<sim::WaitQueue, kFlags> wq{sim::WaitQueue{sim::ObjId{20}}, sim::WaitQueue{sim::ObjId{21}}};
  std::vector<int> reg;  // by thread
  std::vector<int> pc;   // by thread: instructions done
  const Prog* prog = nullptr;
};

inline sim::ObjId var_obj(int a) { return sim::ObjId{static_cast<std::uint32_t>(1 + a)}; }
inline sim::ObjId flag_obj(int a) { return sim::ObjId{static_cast<std::uint32_t>(10 + a)}; }

inline sim::Co<void> run_body(World* w, const Body* body, std::size_t me) {
  for (const Instr& in : *body) {
    switch (in.kind) {
      case Kind::Read:
        co_await sim::read(var_obj(in.a), "read");
        w->reg[me] = w->var[in.a];
        break;
      case Kind::Write:
        co_await sim::write(var_obj(in.a), "write");
        w->var[in.a] = w->reg[me] * 10 + in.b;
        break;
      case Kind::Add:
        co_await sim::write(var_obj(in.a), "add");
        w->var[in.a] += 1;
        break;
      case Kind::Lock: co_await w->lock[in.a].lock("lock"); break;
      case Kind::Unlock:
        co_await sim::point(sim::ObjId{}, sim::Acc::Local, "unlock");
        w->lock[in.a].unlock();
        break;
      case Kind::Signal:
        co_await sim::write(flag_obj(in.a), "signal");
        w->flag[in.a] = 1;
        w->wq[in.a].wake_all();
        break;
      case Kind::Wait:
        co_await sim::read(flag_obj(in.a), "wait");
        while (!w->flag[in.a]) co_await w->wq[in.a].wait("wait");
        break;
      case Kind::Spawn: {
        co_await sim::point(sim::ObjId{}, sim::Acc::Local, "spawn");
        sim::Engine& e = sim::Engine::current();
        const std::size_t child = w->reg.size();
        w->reg.push_back(0);
        w->pc.push_back(0);
        e.spawn(run_body(w, &w->prog->children[static_cast<std::size_t>(in.a)], child));
        break;
      }
      case Kind::Idle: co_await sim::wait_idle("idle"); break;
      case Kind::Sleep:
        co_await sim::sleep_for(static_cast<std::uint64_t>(in.b), sim::ObjId{static_cast<std::uint32_t>(40 + me)},
                                "sleep");
        break;
      case Kind::Local: co_await sim::point(sim::ObjId{}, sim::Acc::Local, "local"); break;
    }
    ++w->pc[me];
  }
}

// A program and its world, runnable by explorers and by the enumerator.
class Runner final : public sim::Program {
 public:
  explicit Runner(const Prog& p) : prog_(p) {}

  void setup(sim::Engine& e) {
    w_ = std::make_unique<World>();
    w_->prog = &prog_;
    w_->reg.assign(prog_.threads.size(), 0);
    w_->pc.assign(prog_.threads.size(), 0);
    for (std::size_t t = 0; t < prog_.threads.size(); ++t) e.spawn(run_body(w_.get(), &prog_.threads[t], t));
  }
  sim::RunResult run(sim::Scheduler& s, sim::Trace* trace) override {
    eng_.reset();
    if (trace) trace->clear();
    eng_.record(trace ? &trace->steps : nullptr, trace ? &trace->notes : nullptr);
    setup(eng_);
    sim::RunResult r = eng_.run(s);
    eng_.record(nullptr, nullptr);
    return r;
  }
  // The whole state: variables, flags, lock holders, every thread's
  // position, register and engine status.
  std::uint64_t state_hash() override {
    std::uint64_t h = sim::kHashSeed;
    for (int v : w_->var) h = sim::hash_mix(h, static_cast<std::uint64_t>(v));
    for (int f : w_->flag) h = sim::hash_mix(h, static_cast<std::uint64_t>(f));
    for (const auto& l : w_->lock) h = sim::hash_mix(h, l.holder());
    for (std::size_t t = 0; t < w_->pc.size(); ++t) {
      h = sim::hash_mix(h, static_cast<std::uint64_t>(w_->pc[t]) << 32 | static_cast<std::uint32_t>(w_->reg[t]));
      const auto tid = static_cast<sim::Tid>(t);
      h = sim::hash_mix(h, eng_.finished(tid) * 4 + eng_.blocked(tid) * 2 + eng_.enabled(tid));
    }
    h = sim::hash_mix(h, eng_.now());
    return h;
  }
  // What a run ended in.
  std::string outcome(const sim::RunResult& r) const {
    std::string s = sim::run_end_name(r.end);
    for (int v : w_->var) s += " " + std::to_string(v);
    s += " |";
    for (int f : w_->flag) s += " " + std::to_string(f);
    s += " |";
    for (std::size_t t = 0; t < w_->reg.size(); ++t)
      s += " " + std::to_string(w_->reg[t]) + "@" + std::to_string(w_->pc[t]);
    return s;
  }
  sim::Engine& engine() { return eng_; }
  const World& world() const { return *w_; }

 private:
  const Prog& prog_;
  sim::Engine eng_;
  std::unique_ptr<World> w_;
};

// The Mazurkiewicz trace of a recorded run: its events (thread, index in the
// thread) and the order of every dependent pair of them.
inline std::uint64_t trace_key(const sim::Trace& t) {
  const std::size_t n = t.steps.size();
  std::vector<std::vector<sim::Dep>> deps(n);
  std::vector<std::uint32_t> local(n);
  std::map<sim::Tid, std::uint32_t> count;
  for (std::size_t i = 0; i < n; ++i) {
    sim::step_deps(t, i, deps[i]);
    local[i] = count[t.steps[i].tid]++;
  }
  std::vector<std::uint64_t> pairs;
  for (std::size_t j = 0; j < n; ++j)
    for (std::size_t i = 0; i < j; ++i)
      if (t.steps[i].tid != t.steps[j].tid && sim::dependent(deps[i], deps[j]))
        pairs.push_back(
            sim::hash_mix(sim::hash_mix(t.steps[i].tid, local[i]), sim::hash_mix(t.steps[j].tid, local[j])));
  std::sort(pairs.begin(), pairs.end());
  std::uint64_t h = sim::kHashSeed;
  for (auto [tid, c] : count) h = sim::hash_mix(h, (std::uint64_t{tid} << 32) | c);
  for (std::uint64_t p : pairs) h = sim::hash_mix(h, p);
  return h;
}

}  // namespace toy
