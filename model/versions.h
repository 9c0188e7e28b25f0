// model/versions.h: the kernels the model follows and the races of
// utrace-semantics.md §7 that can be switched back on.
//
// Versions (§0, §9) are switches, not forks of the code: V2 = 2009-rfc (the
// code under review in the seed thread), V3 = 2010-rhel6 (the baseline),
// V4 = 2011-3x.  Where the code of a version differs, the model tests the
// version right there (model/utrace/internal.h names each delta).  A race is
// named as in §7 (`R2`), and a scenario brings one back with
// "model": {"bugs": ["R2"]}.
#pragma once

#include <bitset>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace model {

enum class KernelVersion : std::uint8_t { V2009Rfc, V2010Rhel6, V2011_3x };
const char* kernel_version_name(KernelVersion v);  // "2010-rhel6"
std::optional<KernelVersion> kernel_version_from_name(std::string_view s);

// The races of §7 by their names.
enum class Race : std::uint8_t {
  R1 = 1,
  R2,
  R3,
  R4,
  R5,
  R6,
  R7,
  R8,
  R9,
  R10,
  R11,
  R12,
  R13,
  R14,
  R15,
  R16,
  R17,
};
inline constexpr int kMaxBug = 17;
constexpr int race_number(Race r) { return static_cast<int>(r); }

// Bug switches named by what they do rather than by a race of §7 (issue 12:
// the review's locking points made concrete).  They take the ids after R17,
// so one BugSet holds both; a new one is appended here and to
// bug_catalogue().
enum class Switch : std::uint8_t {
  ReapCallbacksUnderLock = kMaxBug + 1,  // "reap-callbacks-under-lock"
  LockInversion,                         // "lock-inversion"
  // The barriers of the utrace core, each removable (issue 12 item 3);
  // they matter only under a weak memory model (model/memory/store_buffers.h).
  NoMbAddEngine,       // "no-mb-add-engine": utrace_add_engine()'s smp_mb() (R6's pair)
  NoMbStartCallback,   // "no-mb-start-callback": start_callback()'s smp_mb() (R4's pair)
  NoMbSetEvents,       // "no-mb-set-events": utrace_set_events()'s smp_mb() (R4's pair)
  NoMbControl,         // "no-mb-control": utrace_control()'s smp_mb() before reading reporting
  SetBitNotifyResume,  // "set-bit-notify-resume": set_notify_resume() with set_bit(), not test_and_set_bit()
};
inline constexpr int kMaxBugId = static_cast<int>(Switch::SetBitNotifyResume);
constexpr int switch_number(Switch s) { return static_cast<int>(s); }

// The races and switches a scenario turned on: bit (n-1) for id n.
using BugSet = std::bitset<kMaxBugId>;
// "R2" -> 2, "lock-inversion" -> its id.
std::optional<int> bug_from_name(std::string_view s);
// 2 -> "R2", a switch's id -> its name.
std::string bug_name(int id);

struct BugInfo {
  int id = 0;                 // R<id>
  const char* title = "";     // one line
  const char* property = "";  // the property its violation breaks (or "" if none)
  const char* had_it = "";    // which versions had it ("V1", "V2 2009-rfc", "all", ...)
  bool switchable = false;    // model.bugs can bring it back (implemented)
  // When not switchable: why ("in the code as written", "closed by construction" ...).
  const char* status = "";
  // A named switch's name ("lock-inversion"); nullptr for a race of §7 (R<id>).
  const char* name = nullptr;
};

// Every race of §7, in order, then the named switches; switchable ones first-class.
const std::vector<BugInfo>& bug_catalogue();
const BugInfo* find_bug(int id);

}  // namespace model
