// tools/kernel/classify.h: what each difference the fuzzer finds between the
// real kernel and the simulator is (utsim-kernel fuzz, tools/kernel/fuzz.cpp).
//
// A generated scenario has no expect_modern: a known difference between
// 2.6.32 and this kernel is recognised by its shape (the op, the request,
// the stop the tracee was in, what was sent to it before), never by a list
// of scenarios, and named with the kernel version and commit that made it
// (docs/ptrace.md, "Differences to a modern kernel").  Once one is found,
// the later differences about the same tasks are its consequences, as
// compare.cpp holds for declared ones.  What no rule explains is a
// disagreement to triage: the model's, or the replayer's.
#pragma once

#include <string>
#include <vector>

#include "tools/kernel/replay.h"

namespace ukern {

enum class Class { Agree, EraDifference, Timing, Replayer, Model };
const char* class_name(Class c);  // "agree", "era", "timing", "replayer", "model"

// A known difference of this kernel from 2.6.32.
struct EraRule {
  const char* id;       // "geteventmsg-syscall-stop"
  const char* since;    // "5.3"
  const char* commit;   // "201766a20e30"
  const char* summary;  // one line
};
const std::vector<EraRule>& era_rules();

struct Classified {
  Class cls = Class::Model;
  std::string rule;  // an EraRule id, or why (timing, replayer)
  std::string text;  // the finding's line
  bool consequence = false;
};

struct Classification {
  Class cls = Class::Agree;  // the worst of the findings (Model worst)
  std::string key;           // "model", "era:<rule>", "timing:<why>", ...: what the shrinker keeps
  std::vector<Classified> findings;
};

Classification classify(const model::Scenario& s, const OpIndex& idx, const ScenarioReport& rep);

}  // namespace ukern
