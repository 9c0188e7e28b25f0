// model/values.cpp: the value log of a traced run (model/values.h), and the
// two calls model/shared.h makes into it.
#include "model/values.h"

#include <algorithm>

#include <fmt/format.h>

#include "model/abi.h"
#include "model/linux/kernel.h"
#include "model/linux/task.h"
#include "model/shared.h"
#include "model/utrace/hooks.h"
#include "sim/engine.h"

namespace model {

namespace {

// The step and thread of the access: 0 and no thread before the run (boot).
void stamp(std::uint64_t* step, sim::Tid* tid) {
  if (!sim::Engine::in_run()) return;
  const sim::Engine& e = sim::Engine::current();
  *step = e.steps();
  *tid = e.current_tid();
}

std::uint64_t key(sim::ObjId obj, std::uint8_t traced_as) { return std::uint64_t{obj.v} << 8 | traced_as; }

}  // namespace

void log_shared_read(sim::ObjId id, std::uint8_t traced_as, bool has_value, std::int64_t value, const char* where,
                     bool read_once) {
  tls_value_log->read(id, traced_as, has_value, value, where, read_once);
}

void log_shared_write(sim::ObjId id, std::uint8_t traced_as, std::int64_t value, const char* where) {
  tls_value_log->write(id, traced_as, value, where);
}

void ValueLog::clear() {
  reads_.clear();
  races_.clear();
  last_.clear();
}

void ValueLog::read(sim::ObjId obj, std::uint8_t traced_as, bool has_value, std::int64_t value, const char* where,
                    bool read_once) {
  SharedRead r;
  stamp(&r.step, &r.tid);
  r.obj = obj;
  r.traced_as = traced_as;
  r.where = where;
  r.read_once = read_once;
  r.has_value = has_value;
  r.value = value;
  r.from = last_write(obj, traced_as);
  reads_.push_back(r);
}

void ValueLog::write(sim::ObjId obj, std::uint8_t traced_as, std::int64_t value, const char* where) {
  SharedWrite w;
  stamp(&w.step, &w.tid);
  w.where = where;
  w.value = value;
  last_[key(obj, traced_as)] = w;
}

void ValueLog::race(int race, bool switched) {
  RacePath p;
  sim::Tid tid = sim::kNoTid;
  stamp(&p.step, &tid);
  p.race = race;
  p.switched = switched;
  races_.push_back(p);
}

std::vector<RacePath> ValueLog::races_at(std::uint64_t step) const {
  std::vector<RacePath> out;
  for (const RacePath& p : races_) {
    if (p.step != step) continue;
    const bool seen = std::any_of(out.begin(), out.end(), [&](const RacePath& q) { return q.race == p.race; });
    if (!seen) out.push_back(p);
  }
  std::sort(out.begin(), out.end(), [](const RacePath& a, const RacePath& b) { return a.race < b.race; });
  return out;
}

const SharedRead* ValueLog::read_once_at(std::uint64_t step) const {
  auto it = std::lower_bound(reads_.begin(), reads_.end(), step,
                             [](const SharedRead& r, std::uint64_t s) { return r.step < s; });
  for (; it != reads_.end() && it->step == step; ++it)
    if (it->read_once) return &*it;
  return nullptr;
}

SharedWrite ValueLog::last_write(sim::ObjId obj, std::uint8_t traced_as) const {
  auto it = last_.find(key(obj, traced_as));
  return it == last_.end() ? SharedWrite{} : it->second;
}

ValueLog::Install::Install(ValueLog* log) : prev_(tls_value_log) { tls_value_log = log; }

ValueLog::Install::~Install() { tls_value_log = prev_; }

// The words of the trace (ufield_value) for the traced fields, of the
// task's own fields for the others.
std::string shared_value_text(sim::ObjId obj, std::uint8_t traced_as, std::int64_t v) {
  if (traced_as) return ufield_value(static_cast<UField>(traced_as - 1), v);
  switch (static_cast<Field>(obj.v & 0xff)) {
    case Field::state: return task_state_string(static_cast<unsigned>(v), 0);
    case Field::exit_state: return v ? task_state_string(0, static_cast<int>(v)) : "0";
    case Field::tif: return tif_string(static_cast<unsigned long>(v));
    case Field::flags: return fmt::format("{:#x}", v);
    default: return std::to_string(v);
  }
}

}  // namespace model
