// model/versions.h: the races of utrace-semantics.md §7 that a scenario can
// bring back with "model": {"bugs": ["R2"]}, and the versions that had them.
#pragma once

#include <vector>

#include "scenario/scenario.h"

namespace model {

struct BugInfo {
  int id = 0;                 // R<id>
  const char* title = "";     // one line
  const char* property = "";  // the property its violation breaks (or "" if none)
  const char* had_it = "";    // which versions had it ("V1", "V2 2009-rfc", "all", ...)
  bool switchable = false;    // model.bugs can bring it back (implemented)
  // When not switchable: why ("in the code as written", "closed by construction" ...).
  const char* status = "";
};

// Every race of §7, in order; switchable ones first-class.
const std::vector<BugInfo>& bug_catalogue();
const BugInfo* find_bug(int id);

}  // namespace model
