// Frame identity (sim/co.h) and the merge check (sim/explore/merge_check.h):
// a thread's position names each frame's co_await site, its parameters (while
// frame tracking is on) and the locals it keeps; a hash without a local that
// lives across a yield merges states that differ, and the merge check says
// so; kept, no merge differs and the search finds every outcome.
#include <gtest/gtest.h>

#include <optional>
#include <set>
#include <string>

#include "sim/co.h"
#include "sim/engine.h"
#include "sim/explore/dfs.h"
#include "sim/explore/merge_check.h"
#include "sim/sched/replay.h"

namespace {

constexpr sim::ObjId kShared{1}, kOut{2};

sim::Co<void> two_sites(int which) {
  if (which == 0)
    co_await sim::point(kShared, sim::Acc::Read, "first");
  else
    co_await sim::point(kShared, sim::Acc::Read, "second");
  co_await sim::point(kShared, sim::Acc::Read, "done");
}

// One step of thread 0, with `other` keeping a second thread alive so that
// every step is a choice point.
std::uint64_t position_after_one_step(sim::Co<void> body) {
  sim::Engine e;
  e.spawn(std::move(body));
  e.spawn([]() -> sim::Co<void> { co_await sim::point(sim::ObjId{}, sim::Acc::Local, "other"); }());
  std::uint64_t pos = 0;
  struct Once final : sim::Scheduler {
    sim::Engine* e;
    std::uint64_t* pos;
    int n = 0;
    sim::Tid choose(const sim::ChoiceContext& c) override {
      if (n++ == 1) *pos = e->position(0);  // thread 0 has made its first step
      return c.is_enabled(0) ? 0 : c.enabled.front();
    }
  } s;
  s.e = &e;
  s.pos = &pos;
  e.run(s);
  return pos;
}

TEST(FrameIdentity, TheSiteOfEachFrameIsPartOfThePosition) {
  EXPECT_NE(position_after_one_step(two_sites(0)), position_after_one_step(two_sites(1)));
  EXPECT_EQ(position_after_one_step(two_sites(0)), position_after_one_step(two_sites(0)));
}

sim::Co<void> with_param(int v) {
  co_await sim::point(kShared, sim::Acc::Read, "p");
  co_await sim::point(kShared, sim::Acc::Read, "q");
  (void)v;
}

TEST(FrameIdentity, ParametersCountWhileTrackingIsOn) {
  {
    const sim::FrameTracking on(true);
    EXPECT_NE(position_after_one_step(with_param(1)), position_after_one_step(with_param(2)));
  }
  // Off (runs that no stateful search looks at): they cost nothing and count as nothing.
  EXPECT_EQ(position_after_one_step(with_param(1)), position_after_one_step(with_param(2)));
}

TEST(FrameIdentity, DigestsNeverUseAddresses) {
  const std::string a = "utrace_control";
  std::string b = a;
  EXPECT_EQ(sim::digest_of(a.c_str()), sim::digest_of(b.c_str()));  // strings by their text
  EXPECT_EQ(sim::digest_of(std::optional<int>(3)), sim::digest_of(std::optional<int>(3)));
  EXPECT_NE(sim::digest_of(std::optional<int>(3)), sim::digest_of(std::optional<int>()));
  int x = 0, y = 0;
  EXPECT_EQ(sim::digest_of(&x), sim::digest_of(&y));  // a pointer to a plain value: only whether it is null
  EXPECT_NE(sim::digest_of(&x), sim::digest_of(static_cast<int*>(nullptr)));
}

// The reader keeps `x` across two yields; the writer sets the shared
// variable and puts it back, so the rest of the state cannot tell which
// value the reader saw.
struct World {
  int shared = 0;
  int out = -1;
};

sim::Co<void> reader(World* w, bool keep) {
  int x = 0;
  std::optional<sim::Keep> k;
  if (keep) k.emplace(co_await sim::this_frame, x);
  co_await sim::read(kShared, "read");
  x = w->shared;
  co_await sim::point(sim::ObjId{}, sim::Acc::Local, "think");
  co_await sim::write(kOut, "publish");
  w->out = x;
}

sim::Co<void> writer(World* w) {
  co_await sim::write(kShared, "set");
  w->shared = 1;
  co_await sim::write(kShared, "reset");
  w->shared = 0;
}

class ReaderWriter final : public sim::Program {
 public:
  explicit ReaderWriter(bool keep) : keep_(keep) {}
  sim::RunResult run(sim::Scheduler& s, sim::Trace* trace) override {
    e_.reset();
    w_ = World{};
    if (trace) trace->clear();
    e_.record(trace ? &trace->steps : nullptr, trace ? &trace->notes : nullptr);
    e_.spawn(reader(&w_, keep_));
    e_.spawn(writer(&w_));
    sim::RunResult r = e_.run(s);
    e_.record(nullptr, nullptr);
    if (r.end == sim::RunEnd::Finished) outcomes_.insert(w_.out);  // not a run the search cut short
    return r;
  }
  // The world and where each thread stands (its frames' sites and kept locals).
  std::uint64_t state_hash() override {
    std::uint64_t h = sim::hash_mix(static_cast<std::uint64_t>(w_.shared), static_cast<std::uint64_t>(w_.out + 1));
    for (sim::Tid t = 0; t < e_.thread_count(); ++t) h = sim::hash_mix(h, e_.position(t));
    return h;
  }
  const std::set<int>& outcomes() const { return outcomes_; }

 private:
  bool keep_;
  sim::Engine e_;
  World w_;
  std::set<int> outcomes_;
};

struct Searched {
  std::set<int> outcomes;
  std::size_t merges = 0;
  std::size_t differ = 0;
  std::string first_difference;
};

Searched stateful_search(bool keep) {
  ReaderWriter p(keep);
  sim::DfsOptions o;
  o.stateful = true;
  o.keep_merges = 1000;
  sim::DfsExplorer x(p, o);
  while (x.next()) {
  }
  EXPECT_TRUE(x.complete());
  Searched s;
  s.outcomes = p.outcomes();  // before the merge check's own runs
  s.merges = x.merges().size();
  for (const sim::MergedPair& m : x.merges()) {
    const sim::MergeCheckResult r = sim::check_merge(p, m);
    if (!r.same && s.differ++ == 0) s.first_difference = r.diff.what;
  }
  return s;
}

TEST(MergeCheck, AHashThatMissesALocalMergesStatesThatDifferAndTheCheckSaysSo) {
  const Searched s = stateful_search(false);
  EXPECT_GT(s.merges, 0u);
  EXPECT_GT(s.differ, 0u);
  EXPECT_NE(s.first_difference.find("differ"), std::string::npos) << s.first_difference;
}

TEST(MergeCheck, KeepingTheLocalMakesTheSearchExact) {
  const Searched s = stateful_search(true);
  EXPECT_EQ(s.differ, 0u) << s.first_difference;
  EXPECT_EQ(s.outcomes, (std::set<int>{0, 1}));
}

TEST(MergeCheck, APrefixThatDoesNotReachItsChoicePointIsReported) {
  ReaderWriter p(true);
  // Thread 7 does not exist: the replay diverges before the merge point.
  const sim::MergeCheckResult r = sim::check_merge(p, sim::MergedPair{{7}, {0}});
  EXPECT_FALSE(r.same);
  EXPECT_NE(r.diff.what.find("does not reach"), std::string::npos) << r.diff.what;
}

}  // namespace
