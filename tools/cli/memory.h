// tools/cli/memory.h: --max-memory SIZE, the budget on what an exploration
// holds (model::ExploreOptions::max_memory; docs/exploration.md "Memory").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tools {

// "512M", "2G", "64KiB", "1048576": a whole number of bytes, optionally
// with a binary multiple K, M, G or T (1024, 1024^2, ...; either case,
// optionally followed by B or iB), from 1 byte to 2^64-1.  Anything else
// (empty, "nan", "-1", "1.5G", "1e9", "2X", too large) is nullopt, and
// `why` says what was expected.
std::optional<std::uint64_t> parse_size(std::string_view text, std::string* why = nullptr);

// The budget when --max-memory is not given: half of what the machine has
// available (MemAvailable in /proc/meminfo, else half of its physical
// memory, sysconf), at least 64 MiB.  Machine-dependent, like a time limit:
// it decides only when to stop, and a run that stays below it writes the
// same bytes on every machine.
std::uint64_t default_memory_budget();

// The budget flags ask for: --max-memory's, else the default.
inline std::uint64_t memory_budget(const std::optional<std::uint64_t>& flag) {
  return flag ? *flag : default_memory_budget();
}

}  // namespace tools
