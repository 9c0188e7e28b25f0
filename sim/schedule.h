// sim/schedule.h: schedules as short printable strings.
//
// A schedule is the thread chosen at each choice point, in order.  Threads
// 0..25 are written a..z, 26..51 are A..Z, any other as {n}.  A symbol may be
// followed by a decimal repeat count: "a3b12{60}2c" is a,a,a, b twelve times,
// thread 60 twice, c.  After the last choice the default policy applies
// (keep the current thread, else the lowest enabled), so a schedule only
// needs to go up to its last non-default choice, and "" is the default run.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/access.h"

namespace sim {

std::string encode_schedule(std::span<const Tid> choices);

struct ScheduleError {
  std::size_t offset = 0;  // byte offset in the input
  std::string message;
};

// At most `max_len` choices are accepted (a hostile "a999999999" must not
// allocate gigabytes).
std::optional<std::vector<Tid>> decode_schedule(std::string_view text, ScheduleError* err = nullptr,
                                                std::size_t max_len = 10'000'000);

// Number of preemptions a schedule makes when replayed is only known from a
// run; this is the count of thread switches in the choice list itself.
std::size_t count_switches(std::span<const Tid> choices);

}  // namespace sim
