// model/checks/property.h: the properties of SCENARIOS.md that every run is
// checked against, and the record of those a run broke.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace model {

enum class Property : std::uint8_t {
  UnexpectedResult,     // unexpected-result
  CallbackAfterDetach,  // callback-after-detach   G7 G9 G10
  DisabledCallback,     // disabled-callback       G8 R4
  StopWithoutEngine,    // stop-without-engine     G18 R2 R10
  MissingDeathReport,   // missing-death-report    G5 R13
  ReapBeforeDeath,      // reap-before-death       G6 R7
  CallbackWithLock,     // callback-with-lock      G1
  CallbackOrder,        // callback-order          G2
  EventBeforeAttach,    // event-before-attach     G3 R1
  NullCallback,         // null-callback           R5
  EngineLifetime,       // engine-lifetime         G16
  RunWhileStopped,      // run-while-stopped       G11
  SigkillPrimacy,       // sigkill-primacy         G12
  Hang,                 // hang
  ModelInvariant,       // model-invariant         I1-I9
  // Lock checking (issue 12 item 4; docs/scenarios.md "What utsim adds").
  LockNotHeld,    // lock-not-held     lockdep_assert_held() of the kernel source
  SleepInAtomic,  // sleep-in-atomic   sleeping, or a callback (may sleep), with a spinlock held
  LockOrder,      // lock-order        a cycle in the lock-class dependency graph
  // Memory ordering (issue 12 item 3; docs/memory-model.md).
  MissingReport,  // missing-report    UTRACE_REPORT answered 0, and the task reached user mode without the report
  kCount
};
inline constexpr std::size_t kPropertyCount = static_cast<std::size_t>(Property::kCount);
const char* property_name(Property p);  // "stop-without-engine"
std::optional<Property> property_from_name(std::string_view s);
using PropertySet = std::bitset<kPropertyCount>;

// A violated property, as recorded by a run (the first time each breaks).
struct Violation {
  Property property = Property::ModelInvariant;
  std::string message;
  std::uint64_t step = 0;
  int pid = 0;
};

}  // namespace model
