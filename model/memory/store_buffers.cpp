// model/memory/store_buffers.cpp: the kernel fields' store buffers (see the
// header; docs/memory-model.md "The kernel's barriers").
#include "model/memory/store_buffers.h"

#include <fmt/format.h>

#include "model/linux/kernel.h"
#include "sim/hash.h"

namespace model {

namespace {

void fence_hook(void* ctx, sim::Engine::Fence f, sim::Tid t, sim::ObjId lock, const char* where) {
  auto* sb = static_cast<StoreBuffers*>(ctx);
  switch (f) {
    case sim::Engine::Fence::Full: sb->drain(t, where); break;
    case sim::Engine::Fence::Release: sb->release(t, lock); break;
    case sim::Engine::Fence::Acquire: sb->acquire(lock, where); break;
  }
}

}  // namespace

// ---- Shared<T>'s hooks (model/shared.h) ---------------------------------------------------------

bool sb_store(SharedObject& field, std::uint64_t bits, const WeakOps& ops, const char* where) {
  return tls_store_buffers->store(field, bits, ops, where);
}

const std::uint64_t* sb_forward(const SharedObject& field) {
  if (!sim::Engine::in_run()) return nullptr;
  return tls_store_buffers->forward(sim::Engine::current().current_tid(), field);
}

bool sb_plain_atomics_order() noexcept { return tls_store_buffers->model() == MemoryModel::TSO; }

void sb_fence(const char* where) {
  if (!sim::Engine::in_run()) return;
  tls_store_buffers->drain(sim::Engine::current().current_tid(), where);
}

// ---- StoreBuffers ----------------------------------------------------------------------------

StoreBuffers::StoreBuffers(MemoryModel model, Kernel& k) : model_(model), k_(k) {}

StoreBuffers::Install::Install(StoreBuffers* sb, sim::Engine& eng) : prev_(tls_store_buffers), eng_(eng) {
  tls_store_buffers = sb;
  if (sb)
    eng.set_fence_hook(&fence_hook, sb);
  else
    eng.set_fence_hook(nullptr, nullptr);
}

StoreBuffers::Install::~Install() {
  tls_store_buffers = prev_;
  eng_.set_fence_hook(nullptr, nullptr);
}

StoreBuffers::Cpu* StoreBuffers::find(sim::Tid cpu) noexcept {
  for (Cpu& c : cpus_)
    if (c.tid == cpu) return &c;
  return nullptr;
}

const StoreBuffers::Cpu* StoreBuffers::find(sim::Tid cpu) const noexcept {
  for (const Cpu& c : cpus_)
    if (c.tid == cpu) return &c;
  return nullptr;
}

int StoreBuffers::pid_of(sim::Tid cpu) const {
  const auto* task = static_cast<const Task*>(k_.eng.user(cpu));
  return task ? task->pid : 0;
}

bool StoreBuffers::store(SharedObject& field, std::uint64_t bits, const WeakOps& ops, const char* where) {
  sim::Engine& eng = k_.eng;
  const sim::Tid me = eng.current_tid();
  Cpu* c = find(me);
  if (!c) {
    // The CPU's first buffered store: its buffer's daemon starts now.  No
    // thread left for it: the store goes to memory at once (sc).
    if (!eng.can_spawn()) return false;
    const std::size_t index = cpus_.size();
    cpus_.push_back(Cpu{me, sim::kNoTid, {}, std::make_unique<sim::WaitQueue>(mem_buffer_obj(0x8000u | index))});
    const sim::Tid d = eng.spawn(flusher(index), nullptr, true);
    cpus_[index].daemon = d;
    const auto* task = static_cast<const Task*>(eng.user(me));
    k_.named_threads.emplace_back(d,
                                  "store buffer(" + (task ? k_.comm(task->pid) : fmt::format("thread {}", me)) + ")");
    c = &cpus_[index];
  }
  // For the explorers: the buffer is an object of its own, which the
  // CPU's stores and barriers and its daemon's flushes write.
  eng.note(sim::Access{c->idle->id(), sim::Acc::Write, where});
  c->buffer.push_back(Entry{&field, bits, &ops});
  k_.emit(Ev::memory, pid_of(me), kKernelField | static_cast<int>(MemEvent::Kind::Store), field.id().v, ops.show(bits),
          0, where);
  if (c->buffer.size() == 1) c->idle->wake_all();
  return true;
}

const std::uint64_t* StoreBuffers::forward(sim::Tid cpu, const SharedObject& field) const {
  const Cpu* c = find(cpu);
  if (!c) return nullptr;
  for (auto it = c->buffer.rbegin(); it != c->buffer.rend(); ++it)
    if (it->field == &field) return &it->bits;
  return nullptr;
}

void StoreBuffers::drain(sim::Tid cpu, const char* where) {
  Cpu* c = find(cpu);
  if (!c || c->buffer.empty()) return;
  k_.eng.note(sim::Access{c->idle->id(), sim::Acc::Write, where});

  // Take the entries first: applying one may trace, and a trace never
  // stores, but keep the buffer consistent whatever it does.
  std::vector<Entry> entries;
  entries.swap(c->buffer);
  std::size_t stores = 0;
  for (const Entry& e : entries) stores += e.field != nullptr;
  k_.emit(Ev::memory, pid_of(cpu), kKernelField | static_cast<int>(MemEvent::Kind::Fence),
          static_cast<std::int64_t>(stores), 0, 0, where);
  for (const Entry& e : entries)
    if (e.field) e.ops->apply(*e.field, e.bits);
}

// spin_unlock(): on x86 a plain store, behind the CPU's earlier stores.  A
// marker in the buffer stands for it: whoever takes the lock next sees
// everything before it (acquire()).
void StoreBuffers::release(sim::Tid cpu, sim::ObjId lock) {
  Cpu* c = find(cpu);
  if (!c || c->buffer.empty()) return;  // nothing queued: the release is visible at once
  k_.eng.note(sim::Access{c->idle->id(), sim::Acc::Write, "spin_unlock"});
  c->buffer.push_back(Entry{nullptr, lock.v, nullptr});
}

// spin_lock() succeeded: the release it follows has reached memory, and
// with it every store queued before that release (FIFO), on whichever CPU.
void StoreBuffers::acquire(sim::ObjId lock, const char* where) {
  for (Cpu& c : cpus_) {
    std::size_t upto = 0;
    for (std::size_t i = 0; i < c.buffer.size(); ++i)
      if (!c.buffer[i].field && c.buffer[i].bits == lock.v) upto = i + 1;
    if (!upto) continue;
    k_.eng.note(sim::Access{c.idle->id(), sim::Acc::Write, where});
    std::size_t stores = 0;
    for (std::size_t i = 0; i < upto; ++i) stores += c.buffer[i].field != nullptr;
    if (stores)
      k_.emit(Ev::memory, pid_of(c.tid), kKernelField | static_cast<int>(MemEvent::Kind::Fence),
              static_cast<std::int64_t>(stores), 0, 0, where);
    std::vector<Entry> done(c.buffer.begin(), c.buffer.begin() + static_cast<std::ptrdiff_t>(upto));
    c.buffer.erase(c.buffer.begin(), c.buffer.begin() + static_cast<std::ptrdiff_t>(upto));
    drop_markers(c);
    for (const Entry& e : done)
      if (e.field) e.ops->apply(*e.field, e.bits);
  }
}

// Releases at the head of a buffer are in memory as soon as the stores
// before them are: no step of their own.
void StoreBuffers::drop_markers(Cpu& c) {
  std::size_t n = 0;
  while (n < c.buffer.size() && !c.buffer[n].field) ++n;
  if (n) c.buffer.erase(c.buffer.begin(), c.buffer.begin() + static_cast<std::ptrdiff_t>(n));
}

void StoreBuffers::flush_oldest(Cpu& c) {
  k_.eng.note(sim::Access{c.idle->id(), sim::Acc::Write, "store buffer"});
  const Entry e = c.buffer.front();  // a store: drop_markers() keeps one at the head
  c.buffer.erase(c.buffer.begin());
  drop_markers(c);
  k_.emit(Ev::memory, pid_of(c.tid), kKernelField | static_cast<int>(MemEvent::Kind::Flush), e.field->id().v,
          e.ops->show(e.bits), 0, "store buffer");
  e.ops->apply(*e.field, e.bits);
}

// The daemon of CPU `cpu`'s store buffer: while the buffer holds a store, a
// step of its own moves the oldest to memory.
sim::Co<void> StoreBuffers::flusher(std::size_t cpu) {
  for (;;) {
    k_.eng.note(sim::Access{cpus_[cpu].idle->id(), sim::Acc::Read, "store buffer"});
    while (cpus_[cpu].buffer.empty()) {
      co_await cpus_[cpu].idle->wait("store buffer empty");
      k_.eng.note(sim::Access{cpus_[cpu].idle->id(), sim::Acc::Read, "store buffer"});
    }
    const Entry& head = cpus_[cpu].buffer.front();
    co_await sim::point(head.field ? head.field->id() : sim::ObjId{static_cast<std::uint32_t>(head.bits)},
                        sim::Acc::Write, "store buffer");
    // The CPU may have drained it meanwhile (a barrier of its own).
    if (!cpus_[cpu].buffer.empty()) flush_oldest(cpus_[cpu]);
  }
}

std::uint64_t StoreBuffers::digest() const {
  std::uint64_t h = 0x5b;
  for (const Cpu& c : cpus_) {
    h = sim::hash_mix(h, c.tid);
    h = sim::hash_mix(h, c.buffer.size());
    for (const Entry& e : c.buffer) {
      h = sim::hash_mix(h, e.field ? e.field->id().v : 0);  // 0: a release, of the lock in bits
      h = sim::hash_mix(h, e.bits);
    }
  }
  return h;
}

}  // namespace model
