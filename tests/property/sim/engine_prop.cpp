// Properties of the engine over random programs: replay determinism and
// mutual exclusion, whatever the program and the scheduler.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <memory>
#include <vector>

#include "sim/sched/pct.h"
#include "support/sim_fixture.h"

namespace {

using namespace simtest;

enum class OpKind { Point, Locked, Sleep, Wake, Spawn };

struct Op {
  OpKind kind = OpKind::Point;
  int a = 0;  // Point: object (0..3); Locked: lock (0..1); Sleep: ticks; Wake: target
  int b = 0;  // Point: access kind; Locked: yields inside
};
using Program = std::vector<std::vector<Op>>;  // one op list per initial thread

struct State {
  std::array<sim::SpinLock, 2> locks{sim::SpinLock{ObjId{10}}, sim::SpinLock{ObjId{11}}};
  std::array<int, 2> counter{};   // incremented read-yield-write under locks[i]
  std::array<int, 2> expected{};  // critical sections completed
  int inside[2] = {0, 0};
  int overlap = 0;  // times two threads were inside together
};

sim::Co<void> child(State* s) {
  co_await sim::point(ObjId{2}, Acc::Write, "child");
  co_await s->locks[0].lock("child_lock");
  ++s->counter[0];
  ++s->expected[0];
  s->locks[0].unlock();
}

sim::Co<void> interpret(const std::vector<Op>* ops, State* s) {
  for (const Op& op : *ops) {
    switch (op.kind) {
      case OpKind::Point:
        co_await sim::point(ObjId{static_cast<std::uint32_t>(op.a)}, static_cast<Acc>(op.b), "point");
        break;
      case OpKind::Locked: {
        auto& l = s->locks[op.a];
        co_await l.lock("locked");
        if (++s->inside[op.a] > 1) ++s->overlap;
        const int v = s->counter[op.a];
        for (int i = 0; i < op.b; ++i) {
          co_await sim::write(ObjId{20u + op.a}, "inside");
          if (s->inside[op.a] > 1) ++s->overlap;
        }
        s->counter[op.a] = v + 1;
        ++s->expected[op.a];
        --s->inside[op.a];
        l.unlock();
        break;
      }
      case OpKind::Sleep: co_await sim::sleep_for(static_cast<std::uint64_t>(op.a), ObjId{30}, "sleep"); break;
      case OpKind::Wake: {
        Engine& e = Engine::current();
        co_await sim::point(ObjId{30}, Acc::Write, "wake");
        e.wake(static_cast<Tid>(op.a) % static_cast<Tid>(e.thread_count()));
        break;
      }
      case OpKind::Spawn:
        co_await sim::point(ObjId{}, Acc::Local, "spawn");
        if (Engine::current().can_spawn()) Engine::current().spawn(child(s));
        break;
    }
  }
}

rc::Gen<Op> gen_op() {
  using namespace rc;
  return gen::weightedOneOf<Op>({
      {5, gen::construct<Op>(gen::just(OpKind::Point), gen::inRange(0, 4),
                             gen::element(int(Acc::Local), int(Acc::Read), int(Acc::Write)))},
      {3, gen::construct<Op>(gen::just(OpKind::Locked), gen::inRange(0, 2), gen::inRange(0, 3))},
      {1, gen::construct<Op>(gen::just(OpKind::Sleep), gen::inRange(0, 6), gen::just(0))},
      {1, gen::construct<Op>(gen::just(OpKind::Wake), gen::inRange(0, 8), gen::just(0))},
      {1, gen::construct<Op>(gen::just(OpKind::Spawn), gen::just(0), gen::just(0))},
  });
}

rc::Gen<Program> gen_program() {
  using namespace rc;
  return gen::container<Program>(*gen::inRange(1, 5), gen::resize(20, gen::container<std::vector<Op>>(gen_op())));
}

struct Outcome {
  sim::RunResult r;
  std::unique_ptr<State> state;
};

Outcome run_program(const Program& p, sim::Scheduler& s) {
  SimFixture f(sim::Limits{.max_steps = 100'000, .max_threads = 32});
  f.hashing();
  Outcome o{{}, std::make_unique<State>()};
  for (const auto& ops : p) f.spawn(interpret(&ops, o.state.get()));
  o.r = f.run(s);
  return o;
}

RC_GTEST_PROP(SimEngineProp, RandomRunsReplayToTheSameHash, ()) {
  const Program p = *gen_program();
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  sim::RandomScheduler rs(seed);
  const Outcome a = run_program(p, rs);
  RC_ASSERT(a.r.end == sim::RunEnd::Finished);

  sim::ReplayScheduler full(a.r.choices);
  const Outcome b = run_program(p, full);
  RC_ASSERT(b.r.end == a.r.end);
  RC_ASSERT(b.r.hash == a.r.hash);
  RC_ASSERT(b.r.steps == a.r.steps);
  RC_ASSERT(b.r.time == a.r.time);
  RC_ASSERT(b.r.choices == a.r.choices);

  const std::vector<Tid> trimmed(a.r.choices.begin(),
                                 a.r.choices.begin() + static_cast<std::ptrdiff_t>(a.r.significant));
  sim::ReplayScheduler shortened(*sim::decode_schedule(sim::encode_schedule(trimmed)));
  const Outcome c = run_program(p, shortened);
  RC_ASSERT(c.r.hash == a.r.hash);
  RC_ASSERT(c.r.steps == a.r.steps);
  RC_ASSERT(c.r.choices == a.r.choices);
  RC_TAG(a.r.choices.size() > 20 ? "20+ choices" : "few choices");
}

RC_GTEST_PROP(SimEngineProp, LocksExcludeUnderAnyScheduler, ()) {
  const Program p = *gen_program();
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  const unsigned depth = *rc::gen::inRange(1u, 4u);
  sim::RandomScheduler rs(seed);
  sim::PctScheduler pct(seed, depth, 40);
  for (sim::Scheduler* s : {static_cast<sim::Scheduler*>(&rs), static_cast<sim::Scheduler*>(&pct)}) {
    const Outcome o = run_program(p, *s);
    RC_ASSERT(o.r.end == sim::RunEnd::Finished);
    RC_ASSERT(o.state->overlap == 0);
    RC_ASSERT(o.state->counter == o.state->expected);
    RC_ASSERT(!o.state->locks[0].held());
    RC_ASSERT(!o.state->locks[1].held());
  }
}

RC_GTEST_PROP(SimEngineProp, PctIsReproducible, ()) {
  const Program p = *gen_program();
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  const unsigned depth = *rc::gen::inRange(1u, 5u);
  sim::PctScheduler a(seed, depth, 30), b(seed, depth, 30);
  const Outcome ra = run_program(p, a), rb = run_program(p, b);
  RC_ASSERT(ra.r.hash == rb.r.hash);
  RC_ASSERT(ra.r.choices == rb.r.choices);
  // And it replays like any other run.
  sim::ReplayScheduler replay(ra.r.choices);
  RC_ASSERT(run_program(p, replay).r.hash == ra.r.hash);
}

}  // namespace
