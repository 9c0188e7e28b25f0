// model/values.h: the values a traced run's lockless reads saw, and the
// write each came from.
//
// A race is a read that sees the wrong write: X's finish_callback_report()
// reads engine->ops without utrace->lock (kernel/utrace.c, 2.6.32-rhel6
// finish_callback_report()), and whether it sees the real ops or
// &utrace_detached_ops decides R2.  `utsim explain` and `utsim step` show
// that value and its writer ("= ops (set when the engine was created)",
// "= &utrace_detached_ops (written at step 38 by T-3 in mark_engine_detached)").
//
// Only a traced run keeps them (RunConfig::trace): model/shared.h logs a
// READ_ONCE(), a peek() and a set() here only while a log is installed, so
// that the explorers pay one thread-local load and a test per access.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "sim/access.h"

namespace model {

// The store a load saw: a set() (or WRITE_ONCE()) of a traced run.  step 0:
// before the first step (the boot); `where` "": the initial value, written
// before any other CPU could see the field (Shared::init, or its constructor).
struct SharedWrite {
  std::uint64_t step = 0;
  sim::Tid tid = sim::kNoTid;
  const char* where = "";
  std::int64_t value = 0;
};

// One lockless load: READ_ONCE() (its own yield point; the step's access
// names the field) or peek() (inside the step).
struct SharedRead {
  std::uint64_t step = 0;  // Event::step numbering: 1 is the first step
  sim::Tid tid = sim::kNoTid;
  sim::ObjId obj{};
  std::uint8_t traced_as = 0;  // the field's trace code (Shared::bind); 0: untraced
  const char* where = "";
  bool read_once = false;  // READ_ONCE(): the load of the step's yield point
  bool has_value = false;  // false: a pointer without a traced value
  std::int64_t value = 0;
  SharedWrite from;  // the store it saw
};

// A step where a race of §7 decided the code: has_race() (model/utrace/
// engine.cpp) returned true, so the step ran the racy code instead of the
// fix.  `switched`: model.bugs (or --bug) switched it on; else the kernel
// version has it as written (R3 in 2009-rfc, R5 before 2011-3x).
struct RacePath {
  std::uint64_t step = 0;
  int race = 0;  // R<race>
  bool switched = false;
};

class ValueLog {
 public:
  void clear();
  void read(sim::ObjId obj, std::uint8_t traced_as, bool has_value, std::int64_t value, const char* where,
            bool read_once);
  void write(sim::ObjId obj, std::uint8_t traced_as, std::int64_t value, const char* where);
  void race(int race, bool switched);

  // Every load, in the order the run made them (steps ascending).
  const std::vector<SharedRead>& reads() const { return reads_; }
  // The READ_ONCE() load of step `step`, if it made one (its yield point's).
  const SharedRead* read_once_at(std::uint64_t step) const;
  // The races that decided the code of `step`, each once, in race order.
  std::vector<RacePath> races_at(std::uint64_t step) const;
  // The last store of the field so far (where "" when none was logged).
  SharedWrite last_write(sim::ObjId obj, std::uint8_t traced_as) const;

  // Installs the log of the current thread's run (nullptr: none); the
  // previous one comes back when the Install goes.
  class Install {
   public:
    explicit Install(ValueLog* log);
    ~Install();
    Install(const Install&) = delete;
    Install& operator=(const Install&) = delete;

   private:
    ValueLog* prev_;
  };

 private:
  std::vector<SharedRead> reads_;
  std::vector<RacePath> races_;
  // By (ObjId, trace code): struct utrace's bits share one ObjId.
  std::unordered_map<std::uint64_t, SharedWrite> last_;
};

// A logged value in the words of the trace: "&utrace_detached_ops",
// "TASK_TRACED", "REAP|SYSCALL_ENTRY", "SIGPENDING" ... by the field.
std::string shared_value_text(sim::ObjId obj, std::uint8_t traced_as, std::int64_t value);

}  // namespace model
