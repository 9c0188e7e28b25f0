#include "sim/explore/deps.h"

#include <algorithm>

namespace sim {

void add_deps(const Access& a, std::vector<Dep>& out) {
  if (a.obj.v == 0) return;
  if (a.obj == kGlobalObj) {
    out.push_back(Dep{a.obj.v, DepKind::Global});
    return;
  }
  switch (a.kind) {
    case Acc::Local: return;
    case Acc::Read:
    case Acc::Sleep:
    case Acc::Spawn: out.push_back(Dep{a.obj.v, DepKind::Read}); return;
    case Acc::Write:
    case Acc::Callback: out.push_back(Dep{a.obj.v, DepKind::Write}); return;
    case Acc::Lock: out.push_back(Dep{a.obj.v, DepKind::Acquire}); return;
    case Acc::Unlock: out.push_back(Dep{a.obj.v, DepKind::Release}); return;
  }
}

void step_deps(const Trace& t, std::size_t i, std::vector<Dep>& out) {
  out.clear();
  const StepRec& s = t.steps[i];
  add_deps(s.acc, out);
  for (std::uint32_t n = s.notes_begin; n < s.notes_end; ++n) add_deps(t.notes[n], out);
}

bool has_global(std::span<const Dep> a) noexcept {
  return std::any_of(a.begin(), a.end(), [](const Dep& d) { return d.kind == DepKind::Global; });
}

bool dependent(std::span<const Dep> a, std::span<const Dep> b) noexcept {
  if (has_global(a) || has_global(b)) return true;
  for (const Dep& x : a)
    for (const Dep& y : b)
      if (deps_conflict(x, y)) return true;
  return false;
}

std::uint32_t shard_owner(std::uint64_t key, std::uint32_t count) noexcept {
  if (count <= 1) return 0;
  std::uint64_t z = key + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<std::uint32_t>(z % count);
}

}  // namespace sim
