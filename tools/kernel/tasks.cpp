// tools/kernel/tasks.cpp: the scenario's tasks as real processes and
// threads, each interpreting its program with raw system calls, and the
// runner that plays their init (launch.cpp starts it).
//
// Rules for everything that runs in a task (see sys.h): no system call but
// those the ops stand for (a PTRACE_SYSCALL tracer sees every one), no
// errno, no allocation, nothing that is not async-signal-safe (handlers run
// the `do` ops of a sigaction right in the signal handler).  Results go to
// the shared area as they happen.
//
// Limits (docs/ptrace.md): one tick of nanosleep is RunOptions::tick_us; a
// compute step is a short busy loop; wait_for_completion is a futex wait,
// interruptible by handlers (the model's is uninterruptible); PEEK/POKE use
// a word of this program's own image (valid in forked tasks, not after exec).
//
// Why one file of ~800 lines: what a task runs (the ops, the handlers, the
// clone stacks in the BSS) and the runner that plays init for them (the end
// of a run: who is blocked, what is left) share file-local state (the
// shared area, the op index, /proc readers) that must stay out of reach of
// the rest of utsim-kernel, which allocates and uses errno freely; a split
// would put those globals behind a header any file could include.  The
// decisions that need no such state are pure functions elsewhere
// (blocked.h).
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "scenario/load/loader.h"
#include "tools/kernel/blocked.h"
#include "tools/kernel/replay.h"
#include "tools/kernel/sys.h"
#include "tools/kernel/tasks.h"

namespace ukern {

using model::Op;
using model::Program;

long now_us() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);  // vDSO: no system call
  return ts.tv_sec * 1000000L + ts.tv_nsec / 1000;
}

void sleep_us(long us) {
  struct timespec ts {
    us / 1000000, (us % 1000000) * 1000
  };
  sys::call6(sys::nr::nanosleep, reinterpret_cast<long>(&ts), 0);
}

namespace {

// Linux values (include/uapi/linux/sched.h, signal.h, wait.h, ptrace.h).
constexpr long kCloneVm = 0x100, kCloneVfork = 0x4000, kCloneThread = 0x10000, kCloneParentSettid = 0x100000;
constexpr int kSigchld = 17, kSigkill = 9;
constexpr int kFutexWait = 0, kFutexWake = 1;

Shared* S = nullptr;
const model::Scenario* SC = nullptr;
const OpIndex* IDX = nullptr;
const RunOptions* OPT = nullptr;
int g_memfd = -1;

struct Ctx {
  int slot = -1;
  int tid = 0;
  int tgid = 0;
  bool thread = false;
};

// Stacks for clone(CLONE_VM) children (threads, vfork).  In the BSS: no
// system call to get one.
constexpr int kStacks = 32;
constexpr std::size_t kStackSize = 256 * 1024;
alignas(64) char g_stacks[kStacks][kStackSize];
Ctx g_stack_ctx[kStacks];
int g_next_stack = 0;  // only the creator touches it (a vfork parent is suspended)
Ctx g_main_ctx;        // the process's first thread
const model::SignalHandler* g_handlers[65];
volatile long g_peek_word = 0x5eed;

Ctx& current_ctx() {
  char probe;
  const char* p = &probe;
  for (int i = 0; i < kStacks; ++i)
    if (p >= g_stacks[i] && p < g_stacks[i] + kStackSize) return g_stack_ctx[i];
  return g_main_ctx;
}

// ---- small helpers ---------------------------------------------------------------------

// The slot a pid was created for: after an exec from a thread, the
// leader's pid is the leader's slot's, not the exec'ing thread's.
int slot_of_pid(int pid) {
  int took_over = -1;
  for (int i = 0; i < kMaxSlots && pid; ++i) {
    if (S->pid[i].load() != pid) continue;
    if (!S->old_pid[i].load()) return i;
    if (took_over < 0) took_over = i;
  }
  return took_over;
}

char* utoa(char* p, long v) {
  char buf[24];
  int n = 0;
  if (v < 0) {
    *p++ = '-';
    v = -v;
  }
  do buf[n++] = static_cast<char>('0' + v % 10);
  while ((v /= 10) && n < 23);
  while (n) *p++ = buf[--n];
  *p = 0;
  return p;
}

// Field n (from 1) of a /proc/PID/stat line as a number, from the ')' that
// ends field 2 (the command, which may hold spaces); -1 if absent.
long stat_field(const char* rp, int n) {
  int field = 2;
  const char* q = rp + 1;
  while (*q && field < n) {
    if (*q == ' ') ++field;
    ++q;
  }
  if (field != n || *q < '0' || *q > '9') return -1;
  long v = 0;
  while (*q >= '0' && *q <= '9') v = v * 10 + (*q++ - '0');
  return v;
}

// The state letter of /proc/PID/stat, 0 if the task is gone; with
// exit_code, field 52 too (the wait status of a zombie, since Linux 3.5:
// fs/proc/array.c do_task_stat), or -1.
char proc_state(int pid, long* exit_code = nullptr) {
  if (exit_code) *exit_code = -1;
  char path[48] = "/proc/";
  char* e = utoa(path + 6, pid);
  std::memcpy(e, "/stat", 6);
  const long fd = sys::call6(sys::nr::open, reinterpret_cast<long>(path), 0 /* O_RDONLY */);
  if (fd < 0) return 0;
  char buf[1024];
  const long n = sys::call6(sys::nr::read, fd, reinterpret_cast<long>(buf), sizeof buf - 1);
  sys::call6(sys::nr::close, fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  const char* rp = nullptr;
  for (const char* q = buf; *q; ++q)
    if (*q == ')') rp = q;
  if (!rp || !rp[1] || !rp[2]) return 0;
  if (exit_code) *exit_code = stat_field(rp, 52);
  return rp[2];
}

}  // namespace

bool state_letter_is(char c, model::TaskState want) {
  using model::TaskState;
  switch (want) {
    case TaskState::Running: return c == 'R';
    case TaskState::Sleeping: return c == 'S' || c == 'D' || c == 'I';
    case TaskState::Stopped: return c == 'T';
    case TaskState::Traced: return c == 't';
    case TaskState::Zombie: return c == 'Z';
    case TaskState::Dead: return c == 0 || c == 'X';
  }
  return false;
}

namespace {

void record(const Ctx& c, const Op& op, RKind kind, std::int64_t value, int wpid = 0) {
  const std::uint32_t i = S->nrec.fetch_add(1);
  if (i >= kMaxRecords) return;
  Record& r = S->rec[i];
  r.op = IDX->of(&op);
  r.slot = c.slot;
  r.kind = kind;
  r.wpid = wpid;
  r.value = value;
  __atomic_store_n(&r.complete, 1, __ATOMIC_RELEASE);
}

struct Res {
  RKind kind = RKind::None;
  std::int64_t value = 0;
  int wpid = 0;
  bool recorded = false;  // the op wrote its result itself
};
Res from_ret(long ret) {
  if (ret < 0 && ret > -4096) return Res{RKind::Errno, -ret, 0};
  return Res{RKind::Value, ret, 0};
}

void run_program(Ctx& c, const Program& prog);
Res run_op(Ctx& c, const Op& op);

// ---- signal handlers --------------------------------------------------------------------

extern "C" void on_signal(int sig, siginfo_t*, void*) {
  const model::SignalHandler* h = sig > 0 && sig < 65 ? g_handlers[sig] : nullptr;
  if (!h) return;
  Ctx& c = current_ctx();
  using K = model::SignalHandler::Kind;
  switch (h->kind) {
    case K::Exit: sys::exit_group(h->value);
    case K::Raise: sys::call6(sys::nr::tgkill, c.tgid, c.tid, h->value); break;
    case K::Do: {
      const std::int32_t saved = S->cur_op[c.slot].load();
      run_program(c, h->body);
      S->cur_op[c.slot].store(saved);
      break;
    }
    default: break;
  }
}

// ---- new tasks --------------------------------------------------------------------------------

[[noreturn]] void task_body(Ctx& c, const Program& prog) {
  run_program(c, prog);
  // The end of a program: exit_group(0), exit(0) for a thread (as in the model).
  if (c.thread) sys::exit_thread(0);
  sys::exit_group(0);
}

struct StackStart {
  const Program* prog;
  int stack;
};
StackStart g_starts[kStacks];

extern "C" int stack_child(void* arg) {
  const StackStart& st = *static_cast<StackStart*>(arg);
  Ctx& c = g_stack_ctx[st.stack];
  task_body(c, *st.prog);
}

// fork/vfork/clone: 0 in the child never returns; the child's pid or -errno.
long new_task(Ctx& c, long flags, int exit_signal, int child_slot, const Program& prog) {
  std::atomic<std::int32_t>* tidp = &S->pid[child_slot];
  tidp->store(0);
  flags |= kCloneParentSettid | (exit_signal & 0xff);
  if (!(flags & kCloneVm)) {
    const long r = sys::call6(sys::nr::clone, flags, 0, reinterpret_cast<long>(tidp), 0, 0);
    if (r == 0) {
      // The child runs on a copy of the creator's stack: the context its
      // signal handlers find is the one of that stack (a thread's, if a
      // thread forked).
      Ctx& me = current_ctx();
      me = Ctx{child_slot, tidp->load(), tidp->load(), false};
      S->tgid[child_slot].store(me.tgid);
      task_body(me, prog);
    }
    return r;
  }
  if (g_next_stack >= kStacks) return -11;  // -EAGAIN: out of stacks
  const int i = g_next_stack++;
  const bool thread = flags & kCloneThread;
  // The child's pid is known only once clone() returned: the child reads it
  // from the shared table (CLONE_PARENT_SETTID writes it before the child runs).
  g_stack_ctx[i] = Ctx{child_slot, 0, thread ? c.tgid : 0, thread};
  g_starts[i] = StackStart{&prog, i};
  struct Fix {
    static int start(void* arg) {
      const StackStart& st = *static_cast<StackStart*>(arg);
      Ctx& cc = g_stack_ctx[st.stack];
      cc.tid = S->pid[cc.slot].load();
      if (!cc.thread) cc.tgid = cc.tid;
      S->tgid[cc.slot].store(cc.tgid);
      task_body(cc, *st.prog);
    }
  };
  // glibc's clone(): the child runs on its own stack, so a vfork child
  // cannot clobber its suspended parent's frames.
  const int r = ::clone(&Fix::start, g_stacks[i] + kStackSize - 64, static_cast<int>(flags), &g_starts[i],
                        reinterpret_cast<pid_t*>(tidp), nullptr, nullptr);
  if (r < 0) return -errno;
  return r;
}

// ---- ptrace ------------------------------------------------------------------------------------

Res do_ptrace(Ctx& c, const model::PtraceOp& p) {
  (void)c;
  const long pid = p.has_pid ? S->pid[p.pid.slot].load() : 0;
  if (p.has_pid && !pid) return Res{RKind::Errno, 3 /* ESRCH */, 0};
  switch (p.request) {
    case 0x4201: {  // PTRACE_GETEVENTMSG
      unsigned long msg = 0;
      const long r = sys::call6(sys::nr::ptrace, p.request, pid, 0, reinterpret_cast<long>(&msg));
      if (r < 0) return from_ret(r);
      return Res{RKind::Value, static_cast<std::int64_t>(msg), 0};
    }
    case 0x4202: {  // PTRACE_GETSIGINFO
      siginfo_t si{};
      const long r = sys::call6(sys::nr::ptrace, p.request, pid, 0, reinterpret_cast<long>(&si));
      if (r < 0) return from_ret(r);
      return Res{RKind::Value, si.si_signo, 0};
    }
    case 0x4203: {  // PTRACE_SETSIGINFO: write back what is there
      siginfo_t si{};
      (void)sys::call6(sys::nr::ptrace, 0x4202, pid, 0, reinterpret_cast<long>(&si));
      return from_ret(sys::call6(sys::nr::ptrace, p.request, pid, 0, reinterpret_cast<long>(&si)));
    }
    case 1:
    case 2: {  // PEEKTEXT/PEEKDATA: a word of our own image
      long word = 0;
      return from_ret(sys::call6(sys::nr::ptrace, p.request, pid, reinterpret_cast<long>(&g_peek_word),
                                 reinterpret_cast<long>(&word)));
    }
    case 3: {  // PEEKUSR offset 0
      long word = 0;
      return from_ret(sys::call6(sys::nr::ptrace, p.request, pid, 0, reinterpret_cast<long>(&word)));
    }
    case 4:
    case 5:  // POKETEXT/POKEDATA: write the same word back
      return from_ret(sys::call6(sys::nr::ptrace, p.request, pid, reinterpret_cast<long>(&g_peek_word), 0x5eed));
    case 12:
    case 13:
    case 14:
    case 15: {                     // GET/SETREGS, GET/SETFPREGS
      alignas(16) char buf[1024];  // user_regs_struct / user_fpregs_struct fit
      return from_ret(sys::call6(sys::nr::ptrace, p.request, pid, 0, reinterpret_cast<long>(buf)));
    }
    case 0x4200:  // PTRACE_SETOPTIONS
      return from_ret(sys::call6(sys::nr::ptrace, p.request, pid, 0, p.options));
    default: return from_ret(sys::call6(sys::nr::ptrace, p.request, pid, 0, p.sig));
  }
}

// ---- the ops ----------------------------------------------------------------------------------

long syscall_nr(const std::string& name) {
  for (const auto& s : model::plain_syscalls())
    if (name == s.name) return s.nr;
  return -1;
}

void futex(std::atomic<std::uint32_t>* w, int op, std::uint32_t val) {
  sys::call6(sys::nr::futex, reinterpret_cast<long>(w), op, val, 0, 0, 0);
}

// What the op a task is in waits for (blocked.h).
WaitsFor waits_for(const Op* op) {
  using namespace model;
  if (!op) return WaitsFor::Nothing;
  if (op->as_if<PauseOp>()) return WaitsFor::Signal;
  if (const auto* w = op->as_if<WaitpidOp>())
    return (w->options & 1 /* WNOHANG */) ? WaitsFor::Nothing : WaitsFor::Child;
  if (const auto* cm = op->as_if<CompletionOp>()) return cm->wait ? WaitsFor::Completion : WaitsFor::Nothing;
  if (const auto* f = op->as_if<ForkOp>()) return f->vfork ? WaitsFor::VforkChild : WaitsFor::Nothing;
  if (const auto* cl = op->as_if<CloneOp>())
    return (cl->flags & kCloneVfork) ? WaitsFor::VforkChild : WaitsFor::Nothing;
  if (const auto* a = op->as_if<AwaitOp>()) return a->assert_now ? WaitsFor::Nothing : WaitsFor::State;
  return WaitsFor::Nothing;
}

// What the runner and settle see of the task of a slot.
TaskView view_of(int slot) {
  TaskView v;
  v.state = proc_state(S->pid[slot].load());
  if (S->held[slot].load()) {
    v.waits = WaitsFor::Held;
    return v;
  }
  const int cur = S->cur_op[slot].load();
  const Op* op = cur > 0 ? IDX->ops[static_cast<std::size_t>(cur - 1)] : nullptr;
  v.waits = waits_for(op);
  if (v.waits == WaitsFor::State) {
    const model::AwaitOp& a = *op->as_if<model::AwaitOp>();
    const int target = S->pid[a.task.slot].load();  // 0: not created yet
    v.state_reached = target && state_letter_is(proc_state(target), a.state);
  }
  return v;
}

// The states an await's expect_modern names: on a modern kernel the await
// ends there too, and reports the state letter (compare.cpp holds it
// against expect_modern).
bool modern_state(const Op& op, char st) {
  if (!op.expect_modern) return false;
  for (const auto& p : op.expect_modern->any_of)
    if (p.kind == model::ResultPattern::Kind::State && state_letter_is(st, static_cast<model::TaskState>(p.value)))
      return true;
  return false;
}

// An await that timed out never returns in the model: the task records
// "blocks" and is held (it runs none of its later ops), asleep on a futex
// nobody wakes; signals still reach it, a fatal one ends it.
[[noreturn]] void hold_for_good(const Ctx& c, const Op& op) {
  record(c, op, RKind::Blocks, 0);
  S->held[c.slot].store(1);
  S->cur_op[c.slot].store(0);
  for (;;) futex(reinterpret_cast<std::atomic<std::uint32_t>*>(&S->held[c.slot]), kFutexWait, 1);
}

Res do_await(const Ctx& c, const Op& op, const model::AwaitOp& a) {
  const long deadline = now_us() + static_cast<long>(OPT->hang_ms) * 1000;
  // A task shows 'S' or 'D' for a moment on its way elsewhere (a page fault
  // on a lock its threads hold, inside clone): an await for `sleeping` wants
  // the state on two polls in a row, half a millisecond apart, so that it
  // finds the task asleep where the scenario means (utsim-kernel fuzz, seed 1,
  // scenario 29: a kill sent after such a moment reached the task before its
  // pause()).  An assert_state checks once.
  bool seen = false;
  for (;;) {
    const int pid = S->pid[a.task.slot].load();
    if (pid) {
      const char st = proc_state(pid);
      const bool there = state_letter_is(st, a.state);
      if (there && (a.assert_now || a.state != model::TaskState::Sleeping || seen)) return Res{};
      seen = there;
      if (there) {
        sleep_us(500);
        continue;
      }
      if (modern_state(op, st)) return Res{RKind::Blocks, st, 0};
      // Not in that state: like an await that never returns ("blocks"),
      // with the state letter it had.
      if (a.assert_now) return Res{RKind::Blocks, st ? st : 'X', 0};
    } else if (a.assert_now) {
      return Res{RKind::Blocks, '-', 0};
    }
    if (now_us() > deadline) hold_for_good(c, op);
    sleep_us(500);
  }
}

void do_settle(const Ctx& c) {
  const long deadline = now_us() + static_cast<long>(OPT->hang_ms) * 1000;
  int calm = 0;
  while (calm < 3 && now_us() < deadline) {
    bool all = true;
    for (int i = 0; i < kMaxSlots && all; ++i) {
      if (!S->pid[i].load() || i == c.slot || S->end_status[i].load() >= 0) continue;
      all = settled(view_of(i));
    }
    calm = all ? calm + 1 : 0;
    sleep_us(1000);
  }
}

Res do_sigaction(const model::SigactionOp& sa) {
  if (!sa.has_handler) {  // a query: sigaction(sig, NULL, &old)
    struct sigaction old;
    const int r = ::sigaction(sa.sig, nullptr, &old);
    return from_ret(r == 0 ? 0 : -22 /* EINVAL: a bad number */);
  }
  struct sigaction act;
  std::memset(&act, 0, sizeof act);
  using K = model::SignalHandler::Kind;
  if (sa.handler.kind == K::Default) {
    act.sa_handler = SIG_DFL;
  } else if (sa.handler.kind == K::Ignore) {
    act.sa_handler = SIG_IGN;
  } else {
    act.sa_sigaction = &on_signal;
    act.sa_flags = SA_SIGINFO;
  }
  act.sa_flags |= static_cast<int>(sa.flags);
  g_handlers[sa.sig] = &sa.handler;
  const int r = ::sigaction(sa.sig, &act, nullptr);
  return from_ret(r == 0 ? 0 : -22 /* EINVAL: SIGKILL/SIGSTOP or a bad number */);
}

// execve of this program itself, which resumes the task in the new image
// (exec_child_main: the scenario, the slot, the op and the shared area's fd).
Res do_exec(const Ctx& c, const Op& op) {
  static char a_slot[16], a_op[16], a_fd[16];
  utoa(a_slot, c.slot);
  utoa(a_op, IDX->of(&op));
  utoa(a_fd, g_memfd);
  const char* argv[] = {OPT->self_exe.c_str(), "--exec-child", OPT->scenario_path.c_str(), a_slot, a_op, a_fd, nullptr};
  const char* envp[] = {nullptr};
  return from_ret(sys::call6(sys::nr::execve, reinterpret_cast<long>(OPT->self_exe.c_str()),
                             reinterpret_cast<long>(argv), reinterpret_cast<long>(envp)));
}

Res do_waitpid(const model::WaitpidOp& w) {
  long pid = -1;
  if (w.pid.kind != model::TaskRef::Kind::Any) {
    pid = S->pid[w.pid.slot].load();
    if (!pid) pid = 0x3ffffff0;  // a name whose task does not exist yet: no such child
  }
  int status = 0;
  const long r = sys::call6(sys::nr::wait4, pid, reinterpret_cast<long>(&status), w.options, 0);
  if (r <= 0) return from_ret(r);
  const int slot = slot_of_pid(static_cast<int>(r));
  const bool died = (status & 0x7f) == 0 || ((status & 0x7f) != 0x7f && (status & 0xffff) != 0xffff);
  if (slot >= 0 && died) {
    std::int32_t none = -1;
    S->end_status[slot].compare_exchange_strong(none, status);
  }
  return Res{RKind::WaitStatus, status, static_cast<int>(r)};
}

// complete(): one more done, one waiter woken; wait_for_completion: take
// one, or sleep on the futex until there is one.
// complete() is all kernel work in the model: its result is there before
// the waiter can run, so a stop or a kill the waiter then sends the
// completing task on its way back from the futex call cannot lose it.
Res do_completion(const Ctx& c, const Op& op, const model::CompletionOp& cm) {
  std::atomic<std::uint32_t>& w = S->comp[cm.completion];
  if (!cm.wait) {
    record(c, op, RKind::None, 0);
    w.fetch_add(1);
    futex(&w, kFutexWake, 1);
    return Res{RKind::None, 0, 0, true};
  }
  for (;;) {
    std::uint32_t v = w.load();
    if (v > 0) {
      if (w.compare_exchange_weak(v, v - 1)) return Res{};
      continue;
    }
    futex(&w, kFutexWait, 0);
  }
}

Res do_retry(Ctx& c, const model::RetryOp& rt) {
  Res r;
  for (std::uint64_t tries = 0; tries < rt.max; ++tries) {
    r = run_op(c, *rt.body);
    if (match_real(*SC, rt.until, r.kind, r.value, r.wpid, [](int slot, int pid) {
          return pid && (S->pid[slot].load() == pid || S->old_pid[slot].load() == pid);
        }))
      break;
  }
  return r;
}

Res op_body(Ctx& c, const Op& op) {
  using namespace model;
  if (const auto* sc = op.as_if<SyscallOp>()) return from_ret(sys::call6(syscall_nr(sc->name)));
  if (const auto* cp = op.as_if<ComputeOp>()) {
    for (std::uint64_t i = 0; i < cp->steps * 100000; ++i) __asm__ volatile("");
    return Res{};
  }
  if (op.as_if<PauseOp>()) return from_ret(sys::call6(sys::nr::pause));
  if (const auto* al = op.as_if<model::AlarmOp>()) {
    // alarm(2) as setitimer(ITIMER_REAL): one second of the scenario is one
    // tick (RunOptions::tick_us), as for nanosleep; the old value is read
    // back in ticks, rounded up as alarm_setitimer() rounds up.
    struct itimerval nv {
    }, ov{};
    const long us = static_cast<long>(al->seconds) * OPT->tick_us;
    nv.it_value.tv_sec = us / 1000000;
    nv.it_value.tv_usec = us % 1000000;
    const long r =
        sys::call6(sys::nr::setitimer, 0 /* ITIMER_REAL */, reinterpret_cast<long>(&nv), reinterpret_cast<long>(&ov));
    if (r < 0) return from_ret(r);
    const long left = ov.it_value.tv_sec * 1000000L + ov.it_value.tv_usec;
    return from_ret(left ? (left + OPT->tick_us - 1) / OPT->tick_us : 0);
  }
  if (const auto* ns = op.as_if<NanosleepOp>()) {
    const long us = static_cast<long>(ns->ticks) * OPT->tick_us;
    struct timespec ts {
      us / 1000000, (us % 1000000) * 1000
    };
    return from_ret(sys::call6(sys::nr::nanosleep, reinterpret_cast<long>(&ts), 0));
  }
  if (const auto* l = op.as_if<LoopOp>()) {
    for (std::uint64_t i = 0; l->forever || i < l->times; ++i) run_program(c, l->body);
    return Res{};
  }
  if (const auto* sa = op.as_if<SigactionOp>()) return do_sigaction(*sa);
  if (const auto* pm = op.as_if<SigprocmaskOp>()) {
    const int how = pm->how == SigprocmaskOp::How::Block ? 0 : pm->how == SigprocmaskOp::How::Unblock ? 1 : 2;
    std::uint64_t set = pm->set.bits;
    return from_ret(sys::call6(sys::nr::rt_sigprocmask, how, reinterpret_cast<long>(&set), 0, 8));
  }
  if (const auto* r = op.as_if<RaiseOp>()) return from_ret(sys::call6(sys::nr::tgkill, c.tgid, c.tid, r->sig));
  if (const auto* k = op.as_if<KillOp>()) {
    const int pid = S->pid[k->pid.slot].load();
    if (!pid) return Res{RKind::Errno, 3, 0};
    return from_ret(sys::call6(k->thread ? sys::nr::tkill : sys::nr::kill, pid, k->sig));
  }
  if (const auto* f = op.as_if<ForkOp>()) {
    const long flags = f->vfork ? (kCloneVfork | kCloneVm) : 0;
    const long r = new_task(c, flags, kSigchld, f->child, f->program);
    return r > 0 ? Res{RKind::Pid, r, 0} : from_ret(r);
  }
  if (const auto* cl = op.as_if<CloneOp>()) {
    const long r = new_task(c, static_cast<long>(cl->flags), cl->exit_signal, cl->child, cl->program);
    return r > 0 ? Res{RKind::Pid, r, 0} : from_ret(r);
  }
  if (op.as_if<ExecOp>()) return do_exec(c, op);
  if (const auto* e = op.as_if<ExitOp>()) {
    if (e->group) sys::exit_group(e->code);
    sys::exit_thread(e->code);
  }
  if (const auto* w = op.as_if<WaitpidOp>()) return do_waitpid(*w);
  if (const auto* p = op.as_if<PtraceOp>()) return do_ptrace(c, *p);
  if (op.as_if<SettleOp>()) {
    do_settle(c);
    return Res{};
  }
  if (const auto* a = op.as_if<AwaitOp>()) return do_await(c, op, *a);
  if (const auto* cm = op.as_if<CompletionOp>()) return do_completion(c, op, *cm);
  if (const auto* rt = op.as_if<RetryOp>()) return do_retry(c, *rt);
  return Res{RKind::Blocks, 0, 0};  // not reached: not_applicable() filtered the rest
}

Res run_op(Ctx& c, const Op& op) {
  const int id = IDX->of(&op);
  const std::int32_t saved = S->cur_op[c.slot].load();
  S->cur_op[c.slot].store(id + 1);
  const Res r = op_body(c, op);
  S->cur_op[c.slot].store(saved);
  if (!r.recorded) record(c, op, r.kind, r.value, r.wpid);
  return r;
}

void run_program(Ctx& c, const Program& prog) {
  for (const Op& op : prog) (void)run_op(c, op);
}

}  // namespace

// ---- the runner (init of the scenario) ------------------------------------------------------------

namespace {

bool may_block(const Op* op) {
  if (!op || !op->expect) return false;
  for (const auto& p : op->expect->any_of)
    if (p.kind == model::ResultPattern::Kind::Blocks) return true;
  return false;
}

void prctl_subreaper() { (void)::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

// A leader whose pid a thread took over by exec (de_thread): its slot has
// no task of its own any more.
bool taken_over(int slot) {
  const int pid = S->pid[slot].load();
  for (int i = 0; i < kMaxSlots; ++i)
    if (i != slot && S->old_pid[i].load() && S->pid[i].load() == pid) return !S->old_pid[slot].load();
  return false;
}

// Every live task sits in an op that may block forever (its expect says
// "blocks"): the run is over.
bool all_in_ops_that_may_block() {
  for (int i = 0; i < kMaxSlots; ++i) {
    const int pid = S->pid[i].load();
    if (!pid || S->end_status[i].load() >= 0 || S->held[i].load() || taken_over(i)) continue;
    const char st = proc_state(pid);
    if (st == 0 || st == 'Z' || st == 'X') continue;
    const int cur = S->cur_op[i].load();
    if (!(cur > 0 && may_block(IDX->ops[static_cast<std::size_t>(cur - 1)]))) return false;
  }
  return true;
}

// No task left can go on without another (blocked.h): asleep in pause,
// wait or vfork, stopped, traced, or held.
bool all_blocked_now() {
  TaskView views[kMaxSlots];
  std::size_t n = 0;
  for (int i = 0; i < kMaxSlots; ++i)
    if (S->pid[i].load() && S->end_status[i].load() < 0 && !taken_over(i)) views[n++] = view_of(i);
  return all_blocked_for_good(views, n);
}

// How long every task must have been blocked, with no new result, before
// the run is ended: longer than the longest alarm of the scenario (a timer
// ends a pause; one second of alarm is one tick).
long blocked_quiet_us() {
  long quiet = 30000;
  for (const Op* op : IDX->ops)
    if (const auto* al = op->as_if<model::AlarmOp>())
      quiet = std::max(quiet, static_cast<long>(al->seconds) * OPT->tick_us + 20000);
  return quiet;
}

// What is left when the run ends: its state (a zombie's status), the op it
// is blocked in; then SIGKILL for all.
void end_the_run() {
  for (int i = 0; i < kMaxSlots; ++i) {
    const int pid = S->pid[i].load();
    if (!pid || S->end_status[i].load() >= 0) continue;
    long exit_code = -1;
    const char st = proc_state(pid, &exit_code);
    if (st == 0 || st == 'X') continue;
    // An await is the harness's wait, not the kernel's: the model's task
    // stays TASK_RUNNING in it (scenario/interp/kernel_ops.cpp await_op),
    // where the real one polls or is held asleep.
    const bool in_await = S->held[i].load() || view_of(i).waits == WaitsFor::State;
    S->end_state_letter[i].store(in_await && st != 'Z' ? 'R' : st);
    if (st == 'Z') S->zombie_status[i].store(static_cast<std::int32_t>(exit_code));
    const int cur = S->cur_op[i].load();
    if (cur > 0 && st != 'Z') {
      Ctx c{i, pid, pid, false};
      record(c, *IDX->ops[static_cast<std::size_t>(cur - 1)], RKind::Blocks, 0);
    }
  }
  if (S->pgid.load()) sys::call6(sys::nr::kill, -S->pgid.load(), kSigkill);
  for (int i = 0; i < kMaxSlots; ++i)
    if (const int pid = S->pid[i].load()) sys::call6(sys::nr::kill, pid, kSigkill);
}

}  // namespace

[[noreturn]] void runner_main(const model::Scenario& s) {
  prctl_subreaper();
  S->runner_pid.store(static_cast<std::int32_t>(sys::call6(sys::nr::getpid)));
  // The top-level tasks, in declaration order; the first leads the process group.
  for (const model::TaskDecl& t : s.tasks) {
    std::atomic<std::int32_t>* tidp = &S->pid[t.slot];
    const long r = sys::call6(sys::nr::clone, kSigchld | kCloneParentSettid, 0, reinterpret_cast<long>(tidp), 0, 0);
    if (r == 0) {
      while (!S->go.load()) futex(&S->go, kFutexWait, 0);
      g_main_ctx = Ctx{t.slot, tidp->load(), tidp->load(), false};
      S->tgid[t.slot].store(g_main_ctx.tgid);
      task_body(g_main_ctx, t.program);
    }
    if (r < 0) sys::exit_group(70);
    if (!S->pgid.load()) S->pgid.store(static_cast<std::int32_t>(r));
    sys::call6(sys::nr::setpgid, r, S->pgid.load());
  }
  S->go.store(1);
  sys::call6(sys::nr::futex, reinterpret_cast<long>(&S->go), kFutexWake, 1 << 30, 0, 0, 0);

  long last_progress = now_us();
  long blocked_since = -1;  // when every task was first seen blocked for good
  const long quiet_us = blocked_quiet_us();
  std::uint32_t last_nrec = 0;
  bool ended = false;
  for (;;) {
    int status = 0;
    long r;
    while ((r = sys::call6(sys::nr::wait4, -1, reinterpret_cast<long>(&status),
                           0x40000000 /* __WALL */ | 1 /* WNOHANG */, 0)) > 0) {
      const bool died = (status & 0x7f) != 0x7f;
      const int slot = slot_of_pid(static_cast<int>(r));
      if (died && slot >= 0 && !ended) {
        std::int32_t none = -1;
        S->end_status[slot].compare_exchange_strong(none, status);
      }
      last_progress = now_us();
    }
    if (r == -10 /* ECHILD */) break;
    if (ended) {
      sleep_us(1000);
      continue;
    }
    const std::uint32_t n = S->nrec.load();
    if (n != last_nrec) {
      last_nrec = n;
      last_progress = now_us();
      blocked_since = -1;
    }
    const long idle_ms = (now_us() - last_progress) / 1000;
    const bool hung = idle_ms >= static_cast<long>(OPT->hang_ms);
    bool end = hung || (idle_ms >= static_cast<long>(OPT->blocks_ms) && all_in_ops_that_may_block());
    if (!end && all_blocked_now()) {
      if (blocked_since < 0) blocked_since = now_us();
      end = now_us() - blocked_since >= quiet_us;
      if (end) S->blocked_for_good.store(1);
    } else if (!end) {
      blocked_since = -1;
    }
    if (end) {
      end_the_run();
      S->hung.store(hung ? 1 : 0);
      ended = true;
      continue;
    }
    sleep_us(1000);
  }
  sys::exit_group(0);
}

void bind_run(Shared* shared, const model::Scenario& s, const OpIndex& idx, const RunOptions& o, int memfd) {
  S = shared;
  SC = &s;
  IDX = &idx;
  OPT = &o;
  g_memfd = memfd;
  g_next_stack = 0;
  for (auto& h : g_handlers) h = nullptr;
}

void unbind_run() { S = nullptr; }

[[noreturn]] void resume_after_exec(int slot, int tid, const Op& exec_op, const Program& prog) {
  g_main_ctx = Ctx{slot, tid, tid, false};
  S->cur_op[slot].store(0);                      // the old image's ops are gone
  record(g_main_ctx, exec_op, RKind::Value, 0);  // execve returned 0 into the new program
  task_body(g_main_ctx, prog);
}

}  // namespace ukern
