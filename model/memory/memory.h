// model/memory/memory.h: a scenario's shared variables under a memory model
// (issue 12; docs/memory-model.md).
//
// Three models, chosen per scenario (`"model": {"memory": ...}`) or with
// --memory:
//
//   sc    every load sees the last store (sequential consistency): the
//         behaviour of every run before memory models existed;
//   tso   x86-TSO (Owens, Sarkar, Sewell 2009): each CPU's stores wait in a
//         FIFO store buffer; a load reads its own CPU's newest buffered store
//         to the variable, else memory; smp_mb(), xchg() and spin_lock()
//         drain the buffer.  A drain of one store is a step of a daemon
//         thread per CPU ("store buffer of P0"), so the explorers choose
//         when a store becomes visible as they choose anything else;
//   lkmm  an operational model of the Linux-kernel memory model
//         (tools/memory-model): each variable has a coherence order of
//         messages; each CPU sees, per variable, one message of it (its
//         view) and loads read that one.  A store is placed in the coherence
//         order right after the message its CPU sees, and carries the view
//         the barriers before it require everyone to have before they may
//         rely on it (its prerequisites).  A daemon thread per (CPU,
//         variable) moves that CPU's view of the variable one message on
//         ("x=1 (P0) reaches P1"): visibility is per CPU, so stores
//         propagate to different CPUs in different orders (not
//         multi-copy-atomic: IRIW, WRC), and loads of different variables
//         may see different ages (store-store, load-load and store-load
//         reordering).  Barriers join views: smp_rmb() takes in the
//         prerequisites of every message read before it; smp_load_acquire()
//         those of the one it read; smp_wmb() makes the CPU's own earlier
//         stores prerequisites of its later ones; smp_store_release() makes
//         everything its CPU sees a prerequisite; smp_mb() (and the full
//         barriers of xchg() and smp_mb__after_spinlock()) does all of that
//         and orders itself with every other full barrier through one
//         global view (a strong fence: SB, IRIW, R with smp_mb() are
//         forbidden).  spin_unlock() releases the CPU's view into the lock
//         and spin_lock() acquires it; a spin_unlock() followed by a
//         spin_lock() of the same lock on another CPU, or of any lock on the
//         same CPU, orders the stores before the unlock with the stores
//         after the lock for every CPU (LKMM's po-unlock-lock-po, a
//         cumul-fence).
//
// Where this lkmm is stronger than LKMM (it never allows what LKMM forbids;
// it forbids some things LKMM allows), docs/memory-model.md lists it: no
// load buffering (a load never reads a store that has not been made yet:
// LB+poonceonces is Sometimes in LKMM, never here); xchg() reads the
// coherence-latest value; a CPU that saw a message also gets, at its next
// barrier, the prerequisites of every message before it in coherence order.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/co.h"
#include "sim/engine.h"
#include "sim/sync.h"

namespace model {

enum class MemoryModel : std::uint8_t { SC, TSO, LKMM };
// What the tools say wherever a verdict was reached under lkmm.
inline constexpr const char* kLkmmStrongerNote =
    "utsim's lkmm is stronger than LKMM where a load would read a store not yet made (load buffering: "
    "LB+poonceonces is Sometimes in LKMM, never reached here), and xchg() reads the latest value; "
    "docs/memory-model.md";
inline constexpr std::size_t kMemoryModelCount = 3;
const char* memory_model_name(MemoryModel m) noexcept;  // "sc", "tso", "lkmm"
std::optional<MemoryModel> memory_model_from_name(std::string_view s) noexcept;

// The kernel primitive a load or store is.
enum class MemOrder : std::uint8_t { Once, Acquire, Release };
// The barrier ops of a litmus program.
enum class MemFence : std::uint8_t { Mb, Wmb, Rmb, MbAfterSpinlock };

// Limits the loader enforces (scenario.E068).
inline constexpr std::size_t kMaxVars = 64, kMaxCpus = 64, kMaxSpinlocks = 64;

// The objects the explorers see (owner range 0x300000..0x3fffff of
// model/linux/kernel.h's encoding).
inline sim::ObjId mem_var_obj(std::uint32_t var) noexcept { return sim::ObjId{(0x300000u | var) << 8}; }
inline sim::ObjId mem_view_obj(std::uint32_t cpu, std::uint32_t var) noexcept {
  return sim::ObjId{(0x310000u | cpu << 8 | var) << 8};
}
inline sim::ObjId mem_buffer_obj(std::uint32_t cpu) noexcept { return sim::ObjId{(0x320000u | cpu) << 8}; }
inline sim::ObjId mem_fence_obj() noexcept { return sim::ObjId{0x330000u << 8}; }
inline sim::ObjId mem_lock_obj(std::uint32_t lock) noexcept { return sim::ObjId{(0x340000u | lock) << 8}; }

// What the memory did in a step, for the trace and explain
// (Memory::set_observer).
struct MemEvent {
  enum class Kind : std::uint8_t {
    Load,       // cpu loaded var: value, from the store of `from_cpu` (-1: the initial value)
    Store,      // cpu stored value to var (tso: into its store buffer)
    Xchg,       // cpu exchanged: value stored, old value read
    Fence,      // cpu's barrier (fence)
    Propagate,  // lkmm: the store `value` of `from_cpu` to var became visible to cpu
    Flush,      // tso: cpu's oldest buffered store (var = value) reached memory
  };
  Kind kind = Kind::Load;
  std::uint32_t cpu = 0;
  std::uint32_t var = 0;
  std::int64_t value = 0;
  std::int64_t old = 0;  // Xchg: the value read
  int from_cpu = -1;     // Load/Propagate: whose store (-1: the initial value)
  bool stale = false;    // Load: a newer store to var exists that this CPU does not see yet
  MemFence fence = MemFence::Mb;
};
// Event::a's flag of a memory event about a kernel field's store buffer
// (model/memory/store_buffers.h): b is then the field's ObjId, ref the
// barrier or the code that stored.
inline constexpr std::int64_t kKernelField = std::int64_t{1} << 24;
class MemObserver {
 public:
  virtual ~MemObserver() = default;
  virtual void on_memory(const MemEvent& e) = 0;
};

class Memory {
 public:
  // `uses[cpu]`: the variables CPU `cpu` loads or stores (its daemons);
  // `spinlocks`: the named spinlocks, each its own lock class (lockdep).
  Memory(MemoryModel model, std::vector<std::int64_t> init, std::uint32_t cpus,
         const std::vector<std::string>& spinlocks, std::vector<std::vector<std::uint32_t>> uses);
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  MemoryModel model() const noexcept { return model_; }
  void set_observer(MemObserver* o) noexcept { observer_ = o; }

  // The daemon threads that make stores visible: tso, one per CPU (its
  // store buffer); lkmm, one per (CPU, variable it uses).  Before the run.
  // Returns each daemon's thread and its name ("store buffer of #0",
  // "propagation of x to #1": CPUs by index; the caller names them).
  struct Daemon {
    sim::Tid tid;
    std::uint32_t cpu;
    int var;  // -1: a store buffer
  };
  std::vector<Daemon> spawn_daemons(sim::Engine& eng);

  // ---- the ops: each is its own step (a yield point, then the access) ----------
  sim::Co<std::int64_t> load(std::uint32_t cpu, std::uint32_t var, MemOrder order);
  sim::Co<void> store(std::uint32_t cpu, std::uint32_t var, std::int64_t value, MemOrder order);
  sim::Co<std::int64_t> xchg(std::uint32_t cpu, std::uint32_t var, std::int64_t value);
  sim::Co<void> fence(std::uint32_t cpu, MemFence f);
  sim::Co<void> spin_lock(std::uint32_t cpu, std::uint32_t lock);
  void spin_unlock(std::uint32_t cpu, std::uint32_t lock);
  // The CPU's program ended: its daemons stop once nothing is left for them.
  void cpu_finished(std::uint32_t cpu);

  // ---- outcome, state ----------------------------------------------------------------
  // The value a variable ends with: the last in coherence order (tso: in
  // memory, once every buffer drained; a buffered store counts as it will
  // land there).
  std::int64_t final_value(std::uint32_t var) const;
  std::size_t vars() const noexcept { return init_.size(); }
  // Everything a continuation depends on, for the state hash.
  std::uint64_t digest() const;
  sim::Tid lock_holder(std::uint32_t lock) const { return locks_[lock]->holder(); }

 private:
  using View = std::vector<std::uint32_t>;  // per variable: a position in its coherence order
  struct Msg {
    std::int64_t value = 0;
    int cpu = -1;  // who stored it (-1: the initial value)
    View prereq;   // lkmm: what a CPU must see once it relies on this message (closed: see closure())
  };
  struct Cpu {
    // lkmm
    View cur;  // the message of each variable this CPU sees (loads read it)
    View own;  // its own latest store to each variable (0: none, or only the initial value)
    View acq;  // prerequisites of the messages loaded so far: what smp_rmb() takes in
    View rel;  // what its later stores carry (smp_wmb(), smp_mb(), unlock+lock)
    // At its last spin_unlock (of any lock): `own` and `acq` then.  A later
    // spin_lock on this CPU orders what came before that unlock with what
    // comes after the lock (LKMM's po-unlock-lock-po, po case).
    bool unlocked = false;
    View unlock_own;
    View unlock_acq;
    // tso
    struct Buffered {
      std::uint32_t var;
      std::int64_t value;
    };
    std::vector<Buffered> buffer;  // oldest first
    bool finished = false;
  };

  // lkmm helpers
  void join(View& into, const View& v) const;
  // v with the prerequisites of the message each of its entries names
  // (they are closed, so one pass is enough).
  View closure(const View& v) const;
  // What relying on message `pos` of `var` requires: that message and its
  // prerequisites.
  View requirement(std::uint32_t var, std::uint32_t pos) const;
  // Raises the CPU's view to `v`, telling the explorers which of its
  // variables moved.
  void raise(std::uint32_t cpu, const View& v, const char* where);
  void insert(std::uint32_t cpu, std::uint32_t var, std::int64_t value, View prereq);
  bool can_propagate(std::uint32_t cpu, std::uint32_t var) const;
  sim::Co<void> propagator(std::uint32_t cpu, std::uint32_t var);
  void full_fence(std::uint32_t cpu);
  // tso
  sim::Co<void> store_buffer(std::uint32_t cpu);
  void drain(std::uint32_t cpu);
  void flush_one(std::uint32_t cpu);
  std::int64_t memory_value(std::uint32_t var) const { return mo_[var].back().value; }
  // sc, tso: memory holds one message per variable, the last store's.
  void set_memory(std::uint32_t cpu, std::uint32_t var, std::int64_t value) {
    mo_[var].back() = Msg{value, static_cast<int>(cpu), {}};
  }

  void emit(const MemEvent& e) const {
    if (observer_) observer_->on_memory(e);
  }
  sim::WaitQueue& queue(std::uint32_t cpu, std::uint32_t var) { return *queues_[cpu * init_.size() + var]; }
  void wake_propagators(std::uint32_t var, std::uint32_t except_cpu);

  MemoryModel model_;
  std::vector<std::int64_t> init_;
  std::vector<std::vector<std::uint32_t>> uses_;
  std::vector<std::vector<Msg>> mo_;  // per variable, coherence order (sc, tso: only the last matters)
  std::vector<Cpu> cpus_;
  View global_;                  // lkmm: the view every full barrier joins and extends
  std::vector<View> lock_view_;  // lkmm: per lock, what its last spin_unlock released
  std::vector<View> lock_rel_;   // lkmm: per lock, the stores before its last spin_unlock (po-unlock-lock-po, rf case)
  std::vector<std::unique_ptr<sim::SpinLock>> locks_;
  std::vector<std::unique_ptr<sim::WaitQueue>> queues_;  // per (cpu, var): a daemon waiting for work
  MemObserver* observer_ = nullptr;
};

// Frame identity (sim/co.h): there is one memory per run.
inline std::uint64_t frame_digest(const Memory&) noexcept { return 0; }

}  // namespace model
