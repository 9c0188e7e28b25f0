// model/memory/memory.cpp: the memory models of model/memory/memory.h.
#include "model/memory/memory.h"

#include <algorithm>
#include <memory>

#include "sim/hash.h"
#include "sim/lockdep.h"
#include "sim/note.h"

namespace model {

const char* memory_model_name(MemoryModel m) noexcept {
  switch (m) {
    case MemoryModel::SC: return "sc";
    case MemoryModel::TSO: return "tso";
    case MemoryModel::LKMM: return "lkmm";
  }
  return "?";
}

std::optional<MemoryModel> memory_model_from_name(std::string_view s) noexcept {
  if (s == "sc") return MemoryModel::SC;
  if (s == "tso") return MemoryModel::TSO;
  if (s == "lkmm") return MemoryModel::LKMM;
  return std::nullopt;
}

Memory::Memory(MemoryModel model, std::vector<std::int64_t> init, std::uint32_t cpus,
               const std::vector<std::string>& lock_names, std::vector<std::vector<std::uint32_t>> uses)
    : model_(model), init_(std::move(init)), uses_(std::move(uses)) {
  const auto spinlocks = static_cast<std::uint32_t>(lock_names.size());
  const std::size_t n = init_.size();
  mo_.resize(n);
  for (std::size_t v = 0; v < n; ++v) mo_[v].push_back(Msg{init_[v], -1, View(n, 0)});
  cpus_.resize(cpus);
  for (Cpu& c : cpus_) {
    c.cur.assign(n, 0);
    c.own.assign(n, 0);
    c.acq.assign(n, 0);
    c.rel.assign(n, 0);
  }
  uses_.resize(cpus);
  global_.assign(n, 0);
  lock_view_.assign(spinlocks, View(n, 0));
  lock_rel_.assign(spinlocks, View(n, 0));
  for (std::uint32_t l = 0; l < spinlocks; ++l) {
    locks_.push_back(std::make_unique<sim::SpinLock>(mem_lock_obj(l)));
    // A scenario lock is a class of its own name, while the process has
    // room for more classes (a long check of many files may not).
    sim::LockClass c;
    try {
      c = sim::lock_class(lock_names[l]);
    } catch (const sim::EngineError&) {
      c = sim::find_lock_class("scenario spinlock").value_or(sim::LockClass{});
    }
    locks_.back()->set_class(c);
  }
  for (std::uint32_t c = 0; c < cpus; ++c)
    for (std::size_t v = 0; v < std::max<std::size_t>(n, 1); ++v)
      queues_.push_back(std::make_unique<sim::WaitQueue>(mem_view_obj(c, static_cast<std::uint32_t>(v))));
}

std::vector<Memory::Daemon> Memory::spawn_daemons(sim::Engine& eng) {
  std::vector<Daemon> out;
  if (init_.empty()) return out;
  for (std::uint32_t c = 0; c < cpus_.size(); ++c) {
    if (uses_[c].empty()) continue;
    if (model_ == MemoryModel::TSO) {
      out.push_back(Daemon{eng.spawn(store_buffer(c), nullptr, true), c, -1});
    } else if (model_ == MemoryModel::LKMM) {
      for (std::uint32_t v : uses_[c])
        out.push_back(Daemon{eng.spawn(propagator(c, v), nullptr, true), c, static_cast<int>(v)});
    }
  }
  return out;
}

// ---- lkmm views -------------------------------------------------------------------------

void Memory::join(View& into, const View& v) const {
  for (std::size_t i = 0; i < into.size(); ++i) into[i] = std::max(into[i], v[i]);
}

Memory::View Memory::closure(const View& v) const {
  View out = v;
  for (std::size_t y = 0; y < v.size(); ++y) join(out, mo_[y][v[y]].prereq);
  return out;
}

Memory::View Memory::requirement(std::uint32_t var, std::uint32_t pos) const {
  View out = mo_[var][pos].prereq;
  out[var] = std::max(out[var], pos);
  return out;
}

void Memory::raise(std::uint32_t cpu, const View& v, const char* where) {
  View& cur = cpus_[cpu].cur;
  for (std::uint32_t y = 0; y < cur.size(); ++y) {
    if (v[y] <= cur[y]) continue;
    cur[y] = v[y];
    sim::note(mem_view_obj(cpu, y), sim::Acc::Write, where);
    sim::note(mem_var_obj(y), sim::Acc::Read, where);
  }
}

// A store by `cpu` goes right after the message it sees of `var` in the
// coherence order: after everything it has seen, before what it has not.
void Memory::insert(std::uint32_t cpu, std::uint32_t var, std::int64_t value, View prereq) {
  Cpu& me = cpus_[cpu];
  const std::uint32_t p = me.cur[var] + 1;
  auto shift = [&](View& v) {
    if (!v.empty() && v[var] >= p) ++v[var];
  };
  for (Cpu& c : cpus_) {
    shift(c.cur);
    shift(c.own);
    shift(c.acq);
    shift(c.rel);
    shift(c.unlock_own);
    shift(c.unlock_acq);
  }
  shift(global_);
  for (View& l : lock_view_) shift(l);
  for (View& l : lock_rel_) shift(l);
  for (auto& msgs : mo_)
    for (Msg& m : msgs) shift(m.prereq);
  shift(prereq);
  mo_[var].insert(mo_[var].begin() + p, Msg{value, static_cast<int>(cpu), std::move(prereq)});
  me.cur[var] = p;
  me.own[var] = p;
  wake_propagators(var, cpu);
}

void Memory::wake_propagators(std::uint32_t var, std::uint32_t except_cpu) {
  for (std::uint32_t c = 0; c < cpus_.size(); ++c)
    if (c != except_cpu) queue(c, var).wake_all();
}

// Nothing propagates to a CPU whose program ended: nothing reads its views.
bool Memory::can_propagate(std::uint32_t cpu, std::uint32_t var) const {
  return !cpus_[cpu].finished && cpus_[cpu].cur[var] + 1 < mo_[var].size();
}

// The daemon that makes the stores to `var` visible to `cpu`, one message
// at a time, in coherence order; it ends with the CPU's program.  A load
// counts as a write of the CPU's view (Memory::load): so DPOR sees the
// daemon's wake-up race with the load and tries the propagation first.
sim::Co<void> Memory::propagator(std::uint32_t cpu, std::uint32_t var) {
  for (;;) {
    for (;;) {
      // Its first step and each wake-up look at the view and the order.
      sim::note(mem_view_obj(cpu, var), sim::Acc::Read, "propagate");
      sim::note(mem_var_obj(var), sim::Acc::Read, "propagate");
      if (can_propagate(cpu, var)) break;
      if (cpus_[cpu].finished) co_return;
      co_await queue(cpu, var).wait("propagation");
    }
    co_await sim::point(mem_view_obj(cpu, var), sim::Acc::Write, "propagate");
    sim::note(mem_var_obj(var), sim::Acc::Read, "propagate");
    if (!can_propagate(cpu, var)) continue;  // the CPU caught up by itself (a barrier, its own store)
    const std::uint32_t pos = ++cpus_[cpu].cur[var];
    const Msg& m = mo_[var][pos];
    emit(MemEvent{MemEvent::Kind::Propagate, cpu, var, m.value, 0, m.cpu, false, MemFence::Mb});
  }
}

void Memory::full_fence(std::uint32_t cpu) {
  Cpu& me = cpus_[cpu];
  raise(cpu, me.acq, "smp_mb");
  raise(cpu, global_, "smp_mb");
  const View seen = closure(me.cur);
  join(global_, seen);
  join(me.rel, seen);
  sim::note(mem_fence_obj(), sim::Acc::Write, "smp_mb");
}

// ---- tso store buffers -------------------------------------------------------------------

void Memory::flush_one(std::uint32_t cpu) {
  Cpu& me = cpus_[cpu];
  const Cpu::Buffered b = me.buffer.front();
  me.buffer.erase(me.buffer.begin());
  set_memory(cpu, b.var, b.value);
  sim::note(mem_var_obj(b.var), sim::Acc::Write, "store buffer");
  emit(MemEvent{MemEvent::Kind::Flush, cpu, b.var, b.value, 0, static_cast<int>(cpu), false, MemFence::Mb});
}

void Memory::drain(std::uint32_t cpu) {
  if (cpus_[cpu].buffer.empty()) return;
  sim::note(mem_buffer_obj(cpu), sim::Acc::Write, "drain");
  while (!cpus_[cpu].buffer.empty()) flush_one(cpu);
}

// The daemon that writes `cpu`'s buffered stores to memory, oldest first.
sim::Co<void> Memory::store_buffer(std::uint32_t cpu) {
  for (;;) {
    for (;;) {
      sim::note(mem_buffer_obj(cpu), sim::Acc::Read, "store buffer");
      if (!cpus_[cpu].buffer.empty()) break;
      if (cpus_[cpu].finished) co_return;
      co_await queue(cpu, 0).wait("store buffer");
    }
    co_await sim::point(mem_buffer_obj(cpu), sim::Acc::Write, "store buffer");
    if (!cpus_[cpu].buffer.empty()) flush_one(cpu);
  }
}

// ---- the ops -------------------------------------------------------------------------------

sim::Co<std::int64_t> Memory::load(std::uint32_t cpu, std::uint32_t var, MemOrder order) {
  const char* where = order == MemOrder::Acquire ? "smp_load_acquire" : "READ_ONCE";
  Cpu& me = cpus_[cpu];
  if (model_ == MemoryModel::LKMM) {
    // A write of its view: see propagator().
    co_await sim::point(mem_view_obj(cpu, var), sim::Acc::Write, where);
    sim::note(mem_var_obj(var), sim::Acc::Read, where);
    const std::uint32_t pos = me.cur[var];
    const Msg& m = mo_[var][pos];
    const View req = requirement(var, pos);
    join(me.acq, req);
    const std::int64_t value = m.value;
    const int from = m.cpu;
    const bool stale = pos + 1 < mo_[var].size();
    if (order == MemOrder::Acquire) raise(cpu, req, where);
    emit(MemEvent{MemEvent::Kind::Load, cpu, var, value, 0, from, stale, MemFence::Mb});
    co_return value;
  }
  co_await sim::point(mem_var_obj(var), sim::Acc::Read, where);
  if (model_ == MemoryModel::TSO) {
    sim::note(mem_buffer_obj(cpu), sim::Acc::Read, where);
    for (auto it = me.buffer.rbegin(); it != me.buffer.rend(); ++it) {
      if (it->var != var) continue;
      // Store forwarding: its own store, before anyone else can see it.
      emit(MemEvent{MemEvent::Kind::Load, cpu, var, it->value, 0, static_cast<int>(cpu), false, MemFence::Mb});
      co_return it->value;
    }
  }
  const Msg& m = mo_[var].back();
  emit(MemEvent{MemEvent::Kind::Load, cpu, var, m.value, 0, m.cpu, false, MemFence::Mb});
  co_return m.value;
}

sim::Co<void> Memory::store(std::uint32_t cpu, std::uint32_t var, std::int64_t value, MemOrder order) {
  const char* where = order == MemOrder::Release ? "smp_store_release" : "WRITE_ONCE";
  Cpu& me = cpus_[cpu];
  switch (model_) {
    case MemoryModel::SC:
      co_await sim::point(mem_var_obj(var), sim::Acc::Write, where);
      set_memory(cpu, var, value);
      break;
    case MemoryModel::TSO:
      co_await sim::point(mem_buffer_obj(cpu), sim::Acc::Write, where);
      me.buffer.push_back(Cpu::Buffered{var, value});
      queue(cpu, 0).wake_all();
      break;
    case MemoryModel::LKMM: {
      co_await sim::point(mem_var_obj(var), sim::Acc::Write, where);
      sim::note(mem_view_obj(cpu, var), sim::Acc::Write, where);
      View prereq = me.rel;
      if (order == MemOrder::Release) {
        // A-cumulative: what it has seen and what it has read.
        join(prereq, closure(me.cur));
        join(prereq, me.acq);
      }
      insert(cpu, var, value, std::move(prereq));
      break;
    }
  }
  emit(MemEvent{MemEvent::Kind::Store, cpu, var, value, 0, static_cast<int>(cpu), false, MemFence::Mb});
}

// xchg(): a value-returning atomic, a full barrier on both sides.
sim::Co<std::int64_t> Memory::xchg(std::uint32_t cpu, std::uint32_t var, std::int64_t value) {
  co_await sim::point(mem_var_obj(var), sim::Acc::Write, "xchg");
  Cpu& me = cpus_[cpu];
  std::int64_t old = 0;
  switch (model_) {
    case MemoryModel::SC:
      old = memory_value(var);
      set_memory(cpu, var, value);
      break;
    case MemoryModel::TSO:
      drain(cpu);
      old = memory_value(var);
      set_memory(cpu, var, value);
      break;
    case MemoryModel::LKMM: {
      full_fence(cpu);
      // It reads the latest message (stronger than LKMM, which lets it read
      // an older one as long as nothing comes between it and its store).
      const std::uint32_t last = static_cast<std::uint32_t>(mo_[var].size() - 1);
      const View req = requirement(var, last);
      raise(cpu, req, "xchg");
      old = mo_[var][last].value;
      join(me.acq, req);
      insert(cpu, var, value, me.rel);
      full_fence(cpu);
      break;
    }
  }
  MemEvent e{MemEvent::Kind::Xchg, cpu, var, value, old, static_cast<int>(cpu), false, MemFence::Mb};
  emit(e);
  co_return old;
}

sim::Co<void> Memory::fence(std::uint32_t cpu, MemFence f) {
  static constexpr const char* kNames[] = {"smp_mb", "smp_wmb", "smp_rmb", "smp_mb__after_spinlock"};
  const char* where = kNames[static_cast<int>(f)];
  Cpu& me = cpus_[cpu];
  const bool full = f == MemFence::Mb || f == MemFence::MbAfterSpinlock;
  if (model_ == MemoryModel::LKMM) {
    co_await sim::point(full ? mem_fence_obj() : sim::ObjId{}, full ? sim::Acc::Write : sim::Acc::Local, where);
    if (full) {
      full_fence(cpu);
    } else if (f == MemFence::Rmb) {
      raise(cpu, me.acq, where);
    } else {
      join(me.rel, closure(me.own));
    }
  } else if (model_ == MemoryModel::TSO && full) {
    co_await sim::point(mem_buffer_obj(cpu), sim::Acc::Write, where);
    drain(cpu);
  } else {
    // sc; tso's smp_wmb() and smp_rmb(): compiler barriers only.
    co_await sim::point(sim::ObjId{}, sim::Acc::Local, where);
  }
  emit(MemEvent{MemEvent::Kind::Fence, cpu, 0, 0, 0, -1, false, f});
}

sim::Co<void> Memory::spin_lock(std::uint32_t cpu, std::uint32_t lock) {
  co_await locks_[lock]->lock("spin_lock");
  Cpu& me = cpus_[cpu];
  if (model_ == MemoryModel::TSO) {
    drain(cpu);  // a locked instruction
  } else if (model_ == MemoryModel::LKMM) {
    // An acquire of what the last unlock released ...
    raise(cpu, lock_view_[lock], "spin_lock");
    // ... and po-unlock-lock-po (tools/memory-model/linux-kernel.cat): the
    // stores before that unlock (rf case), or before this CPU's own last
    // unlock of any lock (po case), reach every CPU before the stores
    // after this lock; the po case also orders this CPU's loads before its
    // unlock with those after the lock (ppo).
    join(me.rel, lock_rel_[lock]);
    if (me.unlocked) {
      join(me.rel, closure(me.unlock_own));
      raise(cpu, me.unlock_acq, "spin_lock");
    }
  }
}

void Memory::spin_unlock(std::uint32_t cpu, std::uint32_t lock) {
  Cpu& me = cpus_[cpu];
  if (model_ == MemoryModel::TSO) {
    // x86's unlock is a plain store: here it drains the buffer first
    // (stronger than x86-TSO; docs/memory-model.md).
    drain(cpu);
  } else if (model_ == MemoryModel::LKMM) {
    View v = closure(me.cur);
    join(v, me.acq);
    lock_view_[lock] = std::move(v);
    lock_rel_[lock] = closure(me.own);
    me.unlocked = true;
    me.unlock_own = me.own;
    me.unlock_acq = me.acq;
  }
  locks_[lock]->unlock();
}

void Memory::cpu_finished(std::uint32_t cpu) {
  cpus_[cpu].finished = true;
  // Its daemons read this (they stop).
  for (std::uint32_t v : uses_[cpu]) sim::note(mem_view_obj(cpu, v), sim::Acc::Write, "kthread exit");
  for (std::uint32_t v = 0; v < std::max<std::size_t>(init_.size(), 1); ++v) queue(cpu, v).wake_all();
}

std::int64_t Memory::final_value(std::uint32_t var) const { return memory_value(var); }

std::uint64_t Memory::digest() const {
  std::uint64_t h = sim::hash_mix(sim::kHashSeed, static_cast<std::uint64_t>(model_));
  auto view = [&h](const View& v) {
    h = sim::hash_mix(h, v.size());
    for (std::uint32_t x : v) h = sim::hash_mix(h, x);
  };
  for (const auto& msgs : mo_) {
    h = sim::hash_mix(h, msgs.size());
    for (const Msg& m : msgs) {
      h = sim::hash_mix(h, static_cast<std::uint64_t>(m.value));
      h = sim::hash_mix(h, static_cast<std::uint64_t>(m.cpu + 1));
      view(m.prereq);
    }
  }
  for (const Cpu& c : cpus_) {
    view(c.cur);
    view(c.own);
    view(c.acq);
    view(c.rel);
    h = sim::hash_mix(h, c.unlocked);
    view(c.unlock_own);
    view(c.unlock_acq);
    h = sim::hash_mix(h, c.buffer.size());
    for (const Cpu::Buffered& b : c.buffer) {
      h = sim::hash_mix(h, b.var);
      h = sim::hash_mix(h, static_cast<std::uint64_t>(b.value));
    }
    h = sim::hash_mix(h, c.finished);
  }
  view(global_);
  for (const View& l : lock_view_) view(l);
  for (const View& l : lock_rel_) view(l);
  for (const auto& l : locks_) h = sim::hash_mix(h, l->holder());
  return h;
}

}  // namespace model
