// sim/hash.h: a stable 64-bit hash for traces and states.
//
// The same input gives the same value on every machine and every run: no
// addresses, no std::hash (whose values the standard leaves unspecified).
#pragma once

#include <cstdint>
#include <string_view>

namespace sim {

// One round of a strong 64-bit mixer (the splitmix64 finaliser) over h ^ v.
constexpr std::uint64_t hash_mix(std::uint64_t h, std::uint64_t v) noexcept {
  std::uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// FNV-1a over bytes: for text (trace lines).
constexpr std::uint64_t hash_bytes(std::uint64_t h, std::string_view s) noexcept {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}
inline constexpr std::uint64_t kHashSeed = 0xcbf29ce484222325ULL;

}  // namespace sim
