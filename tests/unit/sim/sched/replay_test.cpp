// Replay determinism: a random run's choices, replayed, give the same run.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "sim/sync.h"
#include "support/sim_fixture.h"

namespace {

using namespace simtest;

// A program that uses every engine feature: locks, lockless accesses,
// a completion, sleeps, and a thread created during the run.
struct Mix {
  sim::SpinLock lock{ObjId{1}};
  sim::Completion done{ObjId{20}};
  int counter = 0;
  std::vector<Tid> trace;  // thread of each observable action
};

void mark(Mix* m) { m->trace.push_back(Engine::current().current_tid()); }

sim::Co<void> child(Mix* m) {
  co_await sim::read(ObjId{2}, "child_read");
  co_await m->lock.lock("child_lock");
  ++m->counter;
  mark(m);
  m->lock.unlock();
}

sim::Co<void> producer(Mix* m) {
  for (int i = 0; i < 4; ++i) {
    co_await m->lock.lock("producer_lock");
    co_await sim::read(ObjId{2}, "producer_read");
    ++m->counter;
    mark(m);
    m->lock.unlock();
    co_await sim::write(ObjId{3}, "producer_write");
  }
  Engine::current().spawn(child(m));
  m->done.complete_all();
  mark(m);
}

sim::Co<void> consumer(Mix* m) {
  co_await m->done.wait();
  mark(m);
  co_await sim::sleep_for(3, ObjId{4}, "consumer_nap");
  co_await m->lock.lock("consumer_lock");
  ++m->counter;
  mark(m);
  m->lock.unlock();
}

sim::Co<void> noise(Mix* m) {
  for (int i = 0; i < 6; ++i) {
    co_await sim::point(ObjId{2}, i % 2 ? Acc::Write : Acc::Read, "noise");
    mark(m);
    if (i == 3) co_await sim::sleep_for(1, ObjId{4}, "noise_nap");
  }
}

struct MixRun {
  sim::RunResult r;
  std::vector<Tid> trace;
  int counter;
};

// The three threads of a Mix program.
void spawn_mix(SimFixture& f, Mix* m) {
  f.spawn(producer(m));
  f.spawn(consumer(m));
  f.spawn(noise(m));
}

MixRun run_mix(sim::Scheduler& s) {
  SimFixture f;
  f.hashing();
  auto m = std::make_unique<Mix>();
  spawn_mix(f, m.get());
  MixRun out{f.run(s), {}, 0};
  out.trace = m->trace;
  out.counter = m->counter;
  return out;
}

TEST(SimReplay, RandomRunsReplayIdentically) {
  std::set<std::string> schedules;
  std::set<std::uint64_t> hashes;
  for (std::uint64_t seed = 0; seed < 1000; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    sim::RandomScheduler rs(seed);
    const MixRun a = run_mix(rs);
    ASSERT_EQ(a.r.end, RunEnd::Finished);
    EXPECT_EQ(a.counter, 6);
    EXPECT_NE(a.r.hash, 0u);
    EXPECT_LE(a.r.significant, a.r.choices.size());

    sim::ReplayScheduler full(a.r.choices);
    const MixRun b = run_mix(full);
    EXPECT_EQ(b.r.end, RunEnd::Finished);
    EXPECT_EQ(b.r.hash, a.r.hash);
    EXPECT_EQ(b.r.steps, a.r.steps);
    EXPECT_EQ(b.r.time, a.r.time);
    EXPECT_EQ(b.r.choices, a.r.choices);
    EXPECT_EQ(b.r.preemptions, a.r.preemptions);
    EXPECT_EQ(b.trace, a.trace);

    const std::vector<Tid> trimmed(a.r.choices.begin(),
                                   a.r.choices.begin() + static_cast<std::ptrdiff_t>(a.r.significant));
    sim::ReplayScheduler shortened(trimmed);
    const MixRun c = run_mix(shortened);
    EXPECT_EQ(c.r.hash, a.r.hash);
    EXPECT_EQ(c.r.steps, a.r.steps);
    EXPECT_EQ(c.r.choices, a.r.choices);
    EXPECT_EQ(c.r.significant, a.r.significant);
    EXPECT_EQ(c.trace, a.trace);

    // And through the printable form.
    sim::ReplayScheduler printed(*sim::decode_schedule(sim::encode_schedule(trimmed)));
    EXPECT_EQ(run_mix(printed).r.hash, a.r.hash);

    schedules.insert(sim::encode_schedule(a.r.choices));
    hashes.insert(a.r.hash);
  }
  // The hash tells different executions apart (and the seeds explore many).
  EXPECT_GT(schedules.size(), 500u);
  EXPECT_EQ(hashes.size(), schedules.size());
}

// Recording makes the engine take its slow path at every step (no
// continue_current()); the run itself must not change.
TEST(SimReplay, RecordingDoesNotChangeTheRun) {
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    sim::RandomScheduler rs(seed);
    const MixRun plain = run_mix(rs);
    SimFixture f;
    f.hashing().record();
    auto m = std::make_unique<Mix>();
    spawn_mix(f, m.get());
    const sim::RunResult r = f.run(rs);
    EXPECT_EQ(r.hash, plain.r.hash);
    EXPECT_EQ(r.steps, plain.r.steps);
    EXPECT_EQ(r.choices, plain.r.choices);
    EXPECT_EQ(r.time, plain.r.time);
    EXPECT_EQ(m->trace, plain.trace);
    EXPECT_EQ(f.steps().size(), r.steps);
  }
}

TEST(SimReplay, SignificantPrefixEndsAtTheLastNonDefaultChoice) {
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    sim::RandomScheduler rs(seed);
    const MixRun a = run_mix(rs);
    // Replaying one choice fewer than `significant` (then the default) must
    // change the run, unless significant is 0.
    if (a.r.significant == 0) continue;
    const std::vector<Tid> too_short(a.r.choices.begin(),
                                     a.r.choices.begin() + static_cast<std::ptrdiff_t>(a.r.significant - 1));
    sim::ReplayScheduler s(too_short);
    EXPECT_NE(run_mix(s).r.choices, a.r.choices) << "seed " << seed;
  }
}

TEST(SimReplay, EmptyScheduleIsTheDefaultRun) {
  sim::ReplayScheduler def;
  const MixRun a = run_mix(def);
  EXPECT_EQ(a.r.significant, 0u);
  EXPECT_EQ(a.r.preemptions, 0u);
  sim::ReplayScheduler again(a.r.choices);
  EXPECT_EQ(run_mix(again).r.hash, a.r.hash);
}

TEST(SimReplay, SameSeedInTwoEnginesGivesTheSameHash) {
  sim::RandomScheduler s1(99), s2(99);
  EXPECT_EQ(run_mix(s1).r.hash, run_mix(s2).r.hash);
  sim::RandomScheduler s3(99);
  s3.set_seed(99);
  const MixRun a = run_mix(s3), b = run_mix(s3);  // begin_run() reseeds
  EXPECT_EQ(a.r.hash, b.r.hash);
}

TEST(SimReplay, ChoosingANonexistentThreadDiverges) {
  sim::ReplayScheduler s({7});
  const MixRun a = run_mix(s);
  EXPECT_EQ(a.r.end, RunEnd::Diverged);
  EXPECT_EQ(a.r.diverged_tid, 7u);
  EXPECT_EQ(a.r.steps, 0u);
  EXPECT_TRUE(a.r.blocked.empty());
}

sim::Co<void> block_at_once() { co_await sim::block(ObjId{1}, "blocked"); }

TEST(SimReplay, ChoosingABlockedThreadDiverges) {
  SimFixture f;
  f.hashing();
  f.spawn(block_at_once());
  f.spawn(points(2));
  f.spawn(points(2));
  const sim::RunResult r = f.run_schedule("aba");  // thread 0 sleeps after its first step
  EXPECT_EQ(r.end, RunEnd::Diverged);
  EXPECT_EQ(r.diverged_tid, 0u);
  EXPECT_EQ(r.steps, 2u);
  EXPECT_EQ(r.choices, (std::vector<Tid>{0, 1}));
}

}  // namespace
