// model/name_table.h: enum <-> name through a table indexed by the enum's
// value, for the names scenarios and traces use.  The spellings are part of
// the file format (SCENARIOS.md).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace model {

// Linear lookup of a name in a table indexed by the enum's value.
template <class E, std::size_t N>
std::optional<E> index_of(const std::string_view (&names)[N], std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

template <std::size_t N, class E>
const char* name_at(const std::string_view (&names)[N], E e) {
  auto i = static_cast<std::size_t>(e);
  return i < N ? names[i].data() : "?";
}

}  // namespace model
