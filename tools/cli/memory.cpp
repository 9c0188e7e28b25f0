// tools/cli/memory.cpp: parsing --max-memory and the default budget.
#include "tools/cli/memory.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

namespace tools {

std::optional<std::uint64_t> parse_size(std::string_view text, std::string* why) {
  auto fail = [&](const char* what) -> std::optional<std::uint64_t> {
    if (why) *why = what;
    return std::nullopt;
  };
  constexpr const char* kExpected =
      "expected a whole number of bytes, optionally with K, M, G or T (binary multiples), e.g. 512M or 2G";
  std::size_t i = 0;
  std::uint64_t n = 0;
  for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
    const auto d = static_cast<std::uint64_t>(text[i] - '0');
    if (n > (UINT64_MAX - d) / 10) return fail("too large (at most 2^64-1 bytes)");
    n = n * 10 + d;
  }
  if (i == 0 || i > 20) return fail(kExpected);
  std::string unit;
  for (char c : text.substr(i)) unit += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  unsigned shift = 0;
  if (!unit.empty()) {
    const std::string_view units = "KMGT";
    const std::size_t u = units.find(unit[0]);
    const std::string_view rest = std::string_view(unit).substr(1);
    if (unit == "B") {
      shift = 0;
    } else if (u == std::string_view::npos || !(rest.empty() || rest == "B" || rest == "IB")) {
      return fail(kExpected);
    } else {
      shift = 10 * static_cast<unsigned>(u + 1);
    }
  }
  if (shift && n > (UINT64_MAX >> shift)) return fail("too large (at most 2^64-1 bytes)");
  n <<= shift;
  if (n == 0) return fail("a budget of 0 bytes would stop before the first schedule");
  return n;
}

std::uint64_t default_memory_budget() {
  constexpr std::uint64_t kFloor = std::uint64_t{64} << 20;
  std::uint64_t available = 0;
  std::ifstream meminfo("/proc/meminfo");
  for (std::string line; std::getline(meminfo, line);) {
    if (line.rfind("MemAvailable:", 0) != 0) continue;
    std::istringstream in(line.substr(13));
    std::uint64_t kib = 0;
    if (in >> kib) available = kib * 1024;
    break;
  }
  if (!available) {
    const long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    if (pages > 0 && size > 0) available = static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(size);
  }
  return std::max(available / 2, kFloor);
}

}  // namespace tools
