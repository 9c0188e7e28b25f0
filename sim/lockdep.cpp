// sim/lockdep.cpp: the registry of lock classes.
#include "sim/lockdep.h"

#include <deque>
#include <mutex>
#include <string>

#include "sim/engine.h"

namespace sim {

namespace {

// Names by class (index v - 1).  A deque: the names never move, so a
// string_view handed out stays good while another thread registers.
struct Registry {
  std::mutex mu;
  std::deque<std::string> names;
};

Registry& registry() {
  static Registry r;
  return r;
}

std::optional<LockClass> find_locked(const Registry& r, std::string_view name) {
  for (std::size_t i = 0; i < r.names.size(); ++i)
    if (r.names[i] == name) return LockClass{static_cast<std::uint16_t>(i + 1)};
  return std::nullopt;
}

}  // namespace

LockClass lock_class(std::string_view name) {
  Registry& r = registry();
  const std::lock_guard<std::mutex> g(r.mu);
  if (auto c = find_locked(r, name)) return *c;
  if (r.names.size() >= kMaxLockClasses) throw EngineError("sim: lockdep: too many lock classes (MAX_LOCKDEP_KEYS)");
  r.names.emplace_back(name);
  return LockClass{static_cast<std::uint16_t>(r.names.size())};
}

std::optional<LockClass> find_lock_class(std::string_view name) {
  Registry& r = registry();
  const std::lock_guard<std::mutex> g(r.mu);
  return find_locked(r, name);
}

std::string_view lock_class_name(LockClass c) {
  if (!c.v) return {};
  Registry& r = registry();
  const std::lock_guard<std::mutex> g(r.mu);
  return c.v <= r.names.size() ? std::string_view(r.names[c.v - 1]) : std::string_view();
}

}  // namespace sim
