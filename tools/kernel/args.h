// tools/kernel/args.h: utsim-kernel's number flags, one way for every mode:
// a whole decimal number in a range, or exit 2 with a message naming the flag.
#pragma once

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

namespace ukern {

// A whole decimal number in [lo, hi], or nothing (no sign, no trailing bytes).
inline std::optional<unsigned long long> number(const char* s, unsigned long long lo, unsigned long long hi) {
  if (!s || !*s || !std::isdigit(static_cast<unsigned char>(*s))) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(s, &end, 10);
  if (errno != 0 || *end != 0 || v < lo || v > hi) return std::nullopt;
  return v;
}

inline int bad_number(const char* flag, const char* value, const char* range) {
  std::fprintf(stderr, "utsim-kernel: %s: '%s' is not a whole number in %s\n", flag, value, range);
  return 2;
}

// This program's path (exec ops re-execute it), "" if unknown.
std::string self_exe_path();

// utsim-kernel fuzz (tools/kernel/fuzz.cpp): argv[0] is "fuzz".
int fuzz_main(int argc, char** argv);

}  // namespace ukern
