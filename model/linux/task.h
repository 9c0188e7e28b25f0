// model/linux/task.h: task_struct and the structures it shares (signal_struct,
// sighand_struct), after include/linux/sched.h of Linux 2.6.32.
//
// Field names follow the kernel.  Only what the model needs is here; what is
// shared between CPUs and touched without its lock is a Shared field
// (model/shared.h), read and written through READ_ONCE/WRITE_ONCE and the
// other accesses that header names, so every interleaving of those accesses
// is a schedule.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "model/abi.h"
#include "model/events.h"
#include "model/linux/task_state.h"
#include "model/linux/user.h"
#include "model/shared.h"
#include "sim/engine.h"
#include "sim/note.h"
#include "sim/pooled.h"
#include "sim/sync.h"

namespace model {

struct Utrace;
struct Task;

// ---- task states (include/linux/sched.h) ------------------------------------------
inline constexpr unsigned TASK_RUNNING = 0, TASK_INTERRUPTIBLE = 1, TASK_UNINTERRUPTIBLE = 2, __TASK_STOPPED = 4,
                          __TASK_TRACED = 8, TASK_DEAD = 64, TASK_WAKEKILL = 128, TASK_WAKING = 256;
inline constexpr unsigned TASK_KILLABLE = TASK_WAKEKILL | TASK_UNINTERRUPTIBLE,
                          TASK_STOPPED = TASK_WAKEKILL | __TASK_STOPPED, TASK_TRACED = TASK_WAKEKILL | __TASK_TRACED,
                          TASK_NORMAL = TASK_INTERRUPTIBLE | TASK_UNINTERRUPTIBLE;
// 2011-3x only: the utrace stop bit of "utrace for 3.x" (linux-3.1
// include/linux/sched.h:190, 209).  It sits beside __TASK_STOPPED (a
// job-control stop converted by utrace_do_stop() keeps both) and is not part
// of task_is_stopped_or_traced() (sched.h:223-224).  3.1 gives it the value
// 16 and moves the states above it; the model keeps 2.6.32's numbering for
// the others and puts it on a bit 2.6.32 does not use.
inline constexpr unsigned __TASK_UTRACED = 512, TASK_UTRACED = TASK_WAKEKILL | __TASK_UTRACED;
// exit_state
inline constexpr int EXIT_ZOMBIE = 16, EXIT_DEAD = 32;
const char* task_state_string(unsigned state, int exit_state);  // "TASK_TRACED", "EXIT_ZOMBIE"

// ---- task flags --------------------------------------------------------------------
inline constexpr unsigned PF_STARTING = 0x2, PF_EXITING = 0x4, PF_EXITPIDONE = 0x8, PF_FORKNOEXEC = 0x40,
                          PF_SIGNALED = 0x400, PF_KTHREAD = 0x00200000;

// ---- thread_info flags (arch/x86/include/asm/thread_info.h) -----------------------
enum Tif : unsigned {
  TIF_SYSCALL_TRACE = 0,
  TIF_NOTIFY_RESUME = 1,
  TIF_SIGPENDING = 2,
  TIF_NEED_RESCHED = 3,
  TIF_SINGLESTEP = 4,
  TIF_FORCED_TF = 24,
  TIF_BLOCKSTEP = 25,
};
constexpr unsigned long tif_bit(Tif t) { return 1UL << t; }
std::string tif_string(unsigned long flags);  // "SIGPENDING|NOTIFY_RESUME"

// ---- signal_struct flags (include/linux/sched.h) ------------------------------------
inline constexpr unsigned SIGNAL_STOP_STOPPED = 0x1, SIGNAL_STOP_DEQUEUED = 0x2, SIGNAL_STOP_CONTINUED = 0x4,
                          SIGNAL_GROUP_EXIT = 0x8, SIGNAL_CLD_STOPPED = 0x10, SIGNAL_CLD_CONTINUED = 0x20,
                          SIGNAL_CLD_MASK = SIGNAL_CLD_STOPPED | SIGNAL_CLD_CONTINUED, SIGNAL_UNKILLABLE = 0x40;

// ---- task->jobctl (2011-3x only: linux-3.1 include/linux/sched.h:1832-1851) ----------
// Per-thread group-stop state.  The TRAP bits belong to PTRACE_SEIZE
// (upstream ptrace, not modelled on 2011-3x), so the pending mask is the stop
// bit alone.  JOBCTL_STOP_DEQUEUED stays SIGNAL_STOP_DEQUEUED in
// signal->flags, as for the other versions (docs/model.md).
inline constexpr unsigned JOBCTL_STOP_PENDING = 1U << 17, JOBCTL_STOP_CONSUME = 1U << 18,
                          JOBCTL_PENDING_MASK = JOBCTL_STOP_PENDING;

// ---- ptrace (include/linux/ptrace.h, RHEL6) -----------------------------------------
inline constexpr unsigned PT_PTRACED = 0x1, PT_PTRACE_CAP = 0x80, PT_UTRACED = 0x1000;

// ---- signals -------------------------------------------------------------------------

// struct siginfo, the fields the model uses.
inline constexpr int SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6;
// (si_pid and si_status are macros in <signal.h>: the fields drop the prefix.)
struct Siginfo {
  int signo = 0;
  int code = SI_USER;
  int pid = 0;
  int status = 0;
};

// struct sigpending: the mask of pending signals, and the queued siginfos.
// Legacy signals (< SIGRTMIN) are queued at most once; real-time ones queue.
// A task's own set is read locklessly by other CPUs (signal_pending() and
// friends): it is a SharedObject; the shared set of a thread group is only
// touched under siglock.
struct SigPending : SharedObject {
  SigSet signal;
  sim::PoolVector<Siginfo> list;
  void clear() {
    signal = SigSet{};
    list.clear();
  }
};

// struct k_sigaction.  A user handler is an address in user space: the
// kernel stores it and hands it to setup_rt_frame() (model/linux/user.h).
struct KSigaction {
  enum class Handler : std::uint8_t { Default, Ignore, User };
  Handler handler = Handler::Default;
  UserAddr user = nullptr;  // Handler::User: sa_handler, in user space
  std::uint32_t flags = 0;  // SA_*
  SigSet mask;              // sa_mask
};

struct SighandStruct : sim::Pooled {
  std::array<KSigaction, kNSig> action;
  sim::SpinLock siglock;
  int count = 1;
  KSigaction& operator[](int sig) { return action[static_cast<std::size_t>(sig - 1)]; }
};

// A wait queue of tasks (wait_queue_head_t): a task sleeps on it in some
// state and is woken with wake_up(TASK_NORMAL), which only wakes it while
// it is still in a matching state.
struct WaitQueueHead : SharedObject {  // add/remove write it, wake_up() reads it
  sim::PoolVector<Task*> waiters;
  void add(Task* t);
  void remove(Task* t);
};

struct SignalStruct : sim::Pooled {
  sim::PoolVector<Task*> threads;  // the thread group, leader first (thread_group list)
  int live = 0;                    // threads not yet in do_exit
  SigPending shared_pending;
  WaitQueueHead wait_chldexit;
  Task* curr_target = nullptr;
  Task* group_exit_task = nullptr;  // de_thread() in progress
  int notify_count = 0;
  unsigned flags = 0;  // SIGNAL_*
  int group_exit_code = 0;
  int group_stop_count = 0;
  // real_timer (ITIMER_REAL, alarm(2)): the tick it expires at, 0 when not
  // armed; the engine thread that plays its hrtimer callback, once armed.
  std::uint64_t real_expires = 0;
  sim::Tid real_timer_tid = sim::kNoTid;
  Task* real_timer_owner = nullptr;  // the task whose ObjId the timer sleeps on
};

// ---- registers ------------------------------------------------------------------------

// The part of struct pt_regs a syscall leaves for the way back to user
// mode: its return value (ax), whether do_signal() must still apply the
// restart rules (orig_ax >= 0), and whether it is to be re-executed
// (regs->ip -= 2).  A signal frame saves them and sigreturn restores them.
struct PtRegs {
  bool nr_valid = false;  // syscall_get_nr() >= 0: the restart rules apply
  bool restart = false;
  std::int64_t ret = 0;
};

// struct rt_sigframe, what the kernel needs back at rt_sigreturn: the
// blocked mask and the registers of the interrupted code.
struct SigFrame {
  SigSet blocked;
  PtRegs regs;
};

// struct completion vfork_done: the vfork parent sleeps uninterruptibly
// until the child execs or exits (mm_release()).
struct VforkDone : sim::Pooled {
  bool done = false;
  Task* waiter = nullptr;
};

// ---- task_struct ---------------------------------------------------------------------

struct Task : sim::Pooled {
  // identity
  int pid = 0;
  int tgid = 0;
  int idx = 0;  // creation order: owner of its yield-point objects
  std::string comm;
  bool kthread = false;
  sim::Tid tid = sim::kNoTid;

  // scheduling state
  Shared<unsigned> state{TASK_RUNNING};
  Shared<int> exit_state{0};
  int exit_code = 0;
  int exit_signal = SIGCHLD;     // -1: detached (a thread)
  Shared<unsigned> flags{0};     // PF_*
  Shared<unsigned long> tif{0};  // thread_info flags
  bool on_cpu = true;            // not sleeping in schedule()
  std::uint64_t nvcsw = 0;       // times it slept in schedule() (wait_task_inactive)

  // family (kernel/fork.c, kernel/exit.c)
  Task* real_parent = nullptr;
  Task* parent = nullptr;  // the tracer while ptraced
  Task* group_leader = nullptr;
  sim::PoolVector<Task*> children;  // list of my children (p->sibling)
  sim::PoolVector<Task*> ptraced;   // tasks I trace (p->ptrace_entry)
  unsigned ptrace = 0;              // PT_*

  // signals
  SignalStruct* signal = nullptr;
  SighandStruct* sighand = nullptr;
  SigPending pending;
  SigSet blocked;
  SigSet real_blocked;
  SigSet saved_sigmask;
  bool restore_sigmask = false;  // TS_RESTORE_SIGMASK
  unsigned jobctl = 0;           // JOBCTL_*, siglock protected (2011-3x; always 0 on the others)

  // vfork: the parent waits on its VforkDone until we exec or exit
  VforkDone* vfork_done = nullptr;
  std::unique_ptr<VforkDone> vfork_wait;  // the one we wait on, as a vfork parent
  bool clone_thread = false;              // created with CLONE_THREAD
  bool forked = false;                    // created by fork/vfork/clone (starts in ret_from_fork)
  unsigned self_exec_id = 0, parent_exec_id = 0;

  // utrace (utrace-semantics.md §1.1)
  Shared<unsigned long> utrace_flags{0};
  Shared<Utrace*> utrace{nullptr};  // allocated by the first attach, owned by the Kernel

  // the registers of the syscall on its way back to user mode
  PtRegs regs;
  // The two registers an engine's syscall callbacks may write through
  // task_pt_regs() (arch/x86/include/asm/ptrace.h): orig_ax, the syscall
  // number, from the entry report (syscall_trace_enter() returns it to the
  // dispatch), and ax, the return value, from the exit report.  Valid only
  // while a syscall is on its way in or out.
  long orig_ax = -1;
  std::int64_t ax = 0;

  bool released = false;     // release_task() done: the pid is free
  bool thread_done = false;  // its simulated thread has finished (after exit_notify)
  int final_status = -1;     // the wait status it died with: set by exit_notify, and by the reaper
                             // (Kernel::task_exit_status; a zombie's may still change)

  bool is_leader() const { return group_leader == this; }
  bool test_tif(Tif f) const { return tif & tif_bit(f); }
  // set_tsk_thread_flag() / clear_tsk_thread_flag(): atomic bit operations.
  // Atomic bit operations that return nothing: a full barrier on x86 (lock
  // or / lock and), none in LKMM (model/shared.h atomic_rmw()).
  void set_tif(Tif f) {
    atomic_rmw("set_tsk_thread_flag", false);
    tif.set(tif | tif_bit(f), "set_tsk_thread_flag");
  }
  void clear_tif(Tif f) {
    atomic_rmw("clear_tsk_thread_flag", false);
    tif.set(tif & ~tif_bit(f), "clear_tsk_thread_flag");
  }
  bool thread_group_empty() const { return signal->threads.size() <= 1; }
};

// fatal_signal_pending() (include/linux/sched.h).
inline bool fatal_signal_pending(const Task& t) { return t.test_tif(TIF_SIGPENDING) && t.pending.signal.has(SIGKILL); }

// ---- frame identity (sim/co.h) ---------------------------------------------------------
// A task by its pid and a thread group by its leader's (never an address);
// the plain structures by their values.
inline std::uint64_t frame_digest(const Task& t) noexcept { return static_cast<std::uint64_t>(t.pid) << 1 | 1; }
inline std::uint64_t frame_digest(const SignalStruct& s) noexcept {
  return s.threads.empty() ? 2 : frame_digest(*s.threads.front()) << 1;
}
inline std::uint64_t frame_digest(const Siginfo& i) noexcept {
  return sim::digest_all(i.signo, i.code, i.pid, i.status);
}
inline std::uint64_t frame_digest(const KSigaction& a) noexcept {
  return sim::digest_all(a.handler, a.user, a.flags, a.mask);
}
inline std::uint64_t frame_digest(const PtRegs& r) noexcept { return sim::digest_all(r.nr_valid, r.restart, r.ret); }
inline std::uint64_t frame_digest(const SigFrame& f) noexcept { return sim::digest_all(f.blocked, f.regs); }

}  // namespace model
