// model/checks/guarantees.h: what each property of model/checks promises
// (SCENARIOS.md "Properties") and where utrace-semantics.md states it: the
// guarantees of §6, the races of §7, the invariants.  `utsim explain` and
// `utsim report` quote them beside a violation.
#pragma once

#include <string>
#include <vector>

#include "model/checks/property.h"

namespace model {

// One place of utrace-semantics.md: "G18" and a short quote of the guarantee
// (§6), or a race of §7, or the invariants.
struct Guarantee {
  std::string id;       // "G18", "R2", "I1–I9"
  std::string section;  // "utrace-semantics.md §6"
  std::string quote;
};
std::vector<Guarantee> guarantees_of(Property p);
// One sentence: what the property promises (SCENARIOS.md "Properties").
std::string property_promise(Property p);
// Why a property event is shown: the promise, then one line per guarantee,
// `G18 (utrace-semantics.md §6): "..."`.
std::string why_property(Property p);

}  // namespace model
