// sim/lockdep.h: lock classes by name, each thread's held locks with where
// it took them, the class dependencies a run takes, and sleeping with a
// spinlock held told to an observer instead of failing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sim/lockdep.h"
#include "support/sim_fixture.h"

namespace {

using namespace simtest;

TEST(SimLockdep, AClassIsItsNameForTheWholeProcess) {
  const sim::LockClass a = sim::lock_class("test-lockdep-a");
  const sim::LockClass b = sim::lock_class("test-lockdep-b");
  EXPECT_NE(a.v, 0u);
  EXPECT_NE(a, b);
  EXPECT_EQ(sim::lock_class("test-lockdep-a"), a);
  EXPECT_EQ(sim::find_lock_class("test-lockdep-b"), b);
  EXPECT_FALSE(sim::find_lock_class("test-lockdep-never-registered"));
  EXPECT_EQ(sim::lock_class_name(a), "test-lockdep-a");
  EXPECT_EQ(sim::lock_class_name(sim::LockClass{}), "");
}

struct Two {
  sim::SpinLock a{ObjId{1}}, b{ObjId{2}}, plain{ObjId{3}};
  Two() {
    a.set_class(sim::lock_class("test-lockdep-a"));
    b.set_class(sim::lock_class("test-lockdep-b"));
  }
};

// Takes `first` then `second` (`times` times), and releases them in the
// order given by `release_first_first`; records the held stack inside.
sim::Co<void> nest(sim::SpinLock* first, sim::SpinLock* second, int times, bool release_first_first,
                   std::vector<std::string>* seen = nullptr) {
  for (int i = 0; i < times; ++i) {
    co_await first->lock("take_first");
    co_await second->lock("take_second");
    if (seen) {
      Engine& e = Engine::current();
      const sim::HeldStack& hs = e.held_locks(e.current_tid());
      for (std::uint32_t j = 0; j < hs.depth; ++j)
        seen->push_back(std::string(hs.locks[j].where) + "@" + std::to_string(hs.locks[j].step));
      EXPECT_TRUE(e.holds(e.current_tid(), *first));
    }
    if (release_first_first) {
      first->unlock();
      second->unlock();
    } else {
      second->unlock();
      first->unlock();
    }
    if (seen) {
      Engine& e = Engine::current();
      EXPECT_EQ(e.held_locks(e.current_tid()).depth, 0u);
      EXPECT_FALSE(e.holds(e.current_tid(), *first));
    }
  }
}

TEST(SimLockdep, TheHeldStackSaysWhereAndWhenEachLockWasTaken) {
  SimFixture f;
  Two l;
  std::vector<std::string> seen;
  f.spawn(nest(&l.a, &l.b, 1, true, &seen));
  ASSERT_EQ(f.run_default().end, RunEnd::Finished);
  // Step 1 is the spawn step; the acquires are steps 2 and 3.
  EXPECT_EQ(seen, (std::vector<std::string>{"take_first@2", "take_second@3"}));
}

TEST(SimLockdep, ARunRecordsEachClassDependencyOnceInTheOrderTaken) {
  SimFixture f;
  Two l;
  f.spawn(nest(&l.a, &l.b, 3, false));     // a -> b, three times
  f.spawn(nest(&l.b, &l.a, 1, true));      // b -> a
  f.spawn(nest(&l.a, &l.plain, 2, true));  // a class-less lock: no dependency
  ASSERT_EQ(f.run_default().end, RunEnd::Finished);
  const std::vector<sim::LockDep>& d = f.engine().lock_deps();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[0].from, l.a.lock_class());
  EXPECT_EQ(d[0].to, l.b.lock_class());
  EXPECT_STREQ(d[0].from_where, "take_first");
  EXPECT_STREQ(d[0].to_where, "take_second");
  EXPECT_EQ(d[0].tid, 0u);
  EXPECT_EQ(d[1].from, l.b.lock_class());
  EXPECT_EQ(d[1].to, l.a.lock_class());
  EXPECT_EQ(d[1].tid, 1u);
  EXPECT_LT(d[0].from_step, d[0].to_step);
  f.engine().reset();
  EXPECT_TRUE(f.engine().lock_deps().empty());
}

TEST(SimLockdep, EveryLockHeldGivesADependencyNotOnlyTheInnermost) {
  SimFixture f;
  Two l;
  sim::SpinLock c{ObjId{4}};
  c.set_class(sim::lock_class("test-lockdep-c"));
  f.spawn([](Two* l, sim::SpinLock* c) -> sim::Co<void> {
    co_await l->a.lock("a");
    co_await l->b.lock("b");
    co_await c->lock("c");
    c->unlock();
    l->a.unlock();  // out of order: b stays on the stack
    l->b.unlock();
  }(&l, &c));
  ASSERT_EQ(f.run_default().end, RunEnd::Finished);
  std::vector<std::string> pairs;
  for (const sim::LockDep& d : f.engine().lock_deps())
    pairs.push_back(std::string(sim::lock_class_name(d.from)) + ">" + std::string(sim::lock_class_name(d.to)));
  EXPECT_EQ(pairs, (std::vector<std::string>{"test-lockdep-a>test-lockdep-b", "test-lockdep-a>test-lockdep-c",
                                             "test-lockdep-b>test-lockdep-c"}));
}

class Recorder final : public sim::LockObserver {
 public:
  void sleep_with_locks(Tid t, const char* reason, const sim::HeldStack& held) override {
    what.push_back(std::to_string(t) + ":" + reason + ":" + std::to_string(held.depth) + ":" + held.locks[0].where);
  }
  std::vector<std::string> what;
};

sim::Co<void> sleep_holding(sim::SpinLock* l) {
  co_await l->lock("sleep_holding");
  co_await sim::sleep_for(1, ObjId{9}, "msleep");
  l->unlock();
}

TEST(SimLockdep, SleepingWithASpinlockHeldIsToldToTheObserverAndTheThreadSleepsOn) {
  SimFixture f;
  sim::SpinLock l{ObjId{1}};
  Recorder r;
  f.engine().set_lock_observer(&r);
  f.spawn(sleep_holding(&l));
  EXPECT_EQ(f.run_default().end, RunEnd::Finished);
  EXPECT_EQ(r.what, (std::vector<std::string>{"0:msleep:1:sleep_holding"}));
  EXPECT_FALSE(l.held());
}

}  // namespace
