// model/memory/store_buffers.h: the kernel model's own fields under a weak
// memory model (issue 12 item 3; docs/memory-model.md "The kernel's barriers").
//
// Under tso and lkmm, each CPU (a thread of the run: a task, a kernel
// thread) that stores to a field marked weak (Shared<T>::set_weak(): the
// lockless fields of the barrier pairs) puts the store into its store buffer,
// a FIFO as in x86-TSO (Owens, Sarkar, Sewell 2009):
//
//   - the CPU's own loads of the field see its newest buffered store
//     (store forwarding); every other CPU sees memory;
//   - a daemon thread per CPU, "store buffer(X)", moves the oldest store to
//     memory: one step, which the explorers schedule like any other, so
//     when a store becomes visible is a choice they make and shrink;
//   - a full barrier drains the buffer inside the step that makes it:
//     smp_mb(); a lock's acquire (a locked instruction on x86); a locked
//     bit operation (set_tsk_thread_flag(), test_and_set_bit()); a sleep
//     and a wake-up (schedule() and try_to_wake_up() order everything);
//   - a lock's release is a plain store on x86: it joins the buffer behind
//     the CPU's earlier stores, and the next CPU to take the lock waits for
//     it, so taking the lock makes every store queued before that release
//     visible.  Between the unlock and that, the CPU's later loads may pass
//     its buffered stores, as on x86.
//
// So a store can pass a later load of another field only between two
// barriers, in code that takes no lock: exactly the Dekker pairs the kernel
// orders with smp_mb() (utrace_add_engine() against release_task(),
// start_callback() against utrace_control() and utrace_set_events()).  Under
// lkmm the kernel fields keep these TSO rules (store buffers are FIFO, loads
// are in order, stores are multi-copy atomic): stronger than LKMM, which
// docs/memory-model.md lists; the patterns that need more (the R pattern of
// set_notify_resume(), the MP pairs of smp_wmb()/smp_rmb()) are litmus
// programs in scenarios/memory/.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "model/memory/memory.h"
#include "model/shared.h"
#include "sim/co.h"
#include "sim/engine.h"
#include "sim/sync.h"

namespace model {

class Kernel;

class StoreBuffers {
 public:
  StoreBuffers(MemoryModel model, Kernel& k);
  StoreBuffers(const StoreBuffers&) = delete;
  StoreBuffers& operator=(const StoreBuffers&) = delete;

  MemoryModel model() const noexcept { return model_; }

  // Installs the buffers for the current thread's runs (tls_store_buffers)
  // and the engine's fence hook; null: none (sc).
  class Install {
   public:
    Install(StoreBuffers* sb, sim::Engine& eng);
    ~Install();
    Install(const Install&) = delete;
    Install& operator=(const Install&) = delete;

   private:
    StoreBuffers* prev_;
    sim::Engine& eng_;
  };
  // While one lives, loads see memory only (no forwarding): what the state
  // hash reads, whichever thread the hash is taken on.
  class MemoryOnly {
   public:
    MemoryOnly() : prev_(tls_store_buffers) { tls_store_buffers = nullptr; }
    ~MemoryOnly() { tls_store_buffers = prev_; }
    MemoryOnly(const MemoryOnly&) = delete;
    MemoryOnly& operator=(const MemoryOnly&) = delete;

   private:
    StoreBuffers* prev_;
  };

  // Shared<T>'s hooks (model/shared.h).
  bool store(SharedObject& field, std::uint64_t bits, const WeakOps& ops, const char* where);
  const std::uint64_t* forward(sim::Tid cpu, const SharedObject& field) const;
  // A full barrier of `cpu`: its whole buffer reaches memory, oldest first.
  void drain(sim::Tid cpu, const char* where);
  // spin_unlock() of `lock` by `cpu`, and spin_lock() of it (x86-TSO: the
  // release is a store in the buffer; taking the lock waits for it).
  void release(sim::Tid cpu, sim::ObjId lock);
  void acquire(sim::ObjId lock, const char* where);

  // Everything a continuation depends on, for the state hash: each CPU's
  // buffered stores (field, value), in order.
  std::uint64_t digest() const;

 private:
  struct Entry {
    SharedObject* field;  // null: a release of the lock whose ObjId is `bits`
    std::uint64_t bits;
    const WeakOps* ops;
  };
  struct Cpu {
    sim::Tid tid;
    sim::Tid daemon = sim::kNoTid;
    std::vector<Entry> buffer;             // oldest first
    std::unique_ptr<sim::WaitQueue> idle;  // the daemon, waiting for a store
  };
  Cpu* find(sim::Tid cpu) noexcept;
  const Cpu* find(sim::Tid cpu) const noexcept;
  sim::Co<void> flusher(std::size_t cpu);
  void flush_oldest(Cpu& c);
  static void drop_markers(Cpu& c);
  int pid_of(sim::Tid cpu) const;

  MemoryModel model_;
  Kernel& k_;
  std::vector<Cpu> cpus_;  // in the order of their first buffered store
};

// Frame identity (sim/co.h): there is one per run.
inline std::uint64_t frame_digest(const StoreBuffers&) noexcept { return 0; }

}  // namespace model
