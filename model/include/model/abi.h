// model/abi.h: the numbers of the Linux x86_64 ABI and of the utrace API
// (include/linux/utrace.h, 2.6.32 RHEL6 generation) that scenarios name.
//
// Values are the kernel's own, so traces show what a kernel developer
// expects to see.  Name tables are used by the scenario loader (name -> value)
// and by the trace exporters (value -> name).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace model {

// ---- signals (arch/x86/include/asm/signal.h) --------------------------------
inline constexpr int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6,
                     SIGBUS = 7, SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12,
                     SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17,
                     SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22,
                     SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27,
                     SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31, SIGRTMIN = 32,
                     SIGRTMAX = 64;
inline constexpr int kNSig = 64;

// "SIGSTOP" -> 19; also "SIGRTMIN+3", "SIGIOT", "SIGPOLL", "SIGCLD".
std::optional<int> signal_from_name(std::string_view name);
// 19 -> "SIGSTOP"; 34 -> "SIGRTMIN+2"; 0 -> "0"
std::string signal_name(int sig);

// A set of signals 1..64, bit (sig-1).
struct SigSet {
  std::uint64_t bits = 0;
  static constexpr std::uint64_t bit(int sig) { return std::uint64_t{1} << (sig - 1); }
  bool has(int sig) const { return bits & bit(sig); }
  void add(int sig) { bits |= bit(sig); }
  void del(int sig) { bits &= ~bit(sig); }
  bool empty() const { return bits == 0; }
  friend bool operator==(SigSet, SigSet) = default;
};

// sigaction flags
inline constexpr std::uint32_t SA_NOCLDSTOP = 0x1, SA_NOCLDWAIT = 0x2, SA_SIGINFO = 0x4,
                               SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000,
                               SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000;

// ---- errno (include/asm-generic/errno*.h, and the kernel-internal ones) -------
inline constexpr int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ECHILD = 10,
                     EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17,
                     EINVAL = 22, ENOSYS = 38, EOPNOTSUPP = 95, EALREADY = 114,
                     EINPROGRESS = 115, ERESTARTSYS = 512, ERESTARTNOINTR = 513,
                     ERESTARTNOHAND = 514, ENOIOCTLCMD = 515, ERESTART_RESTARTBLOCK = 516;

// "-ESRCH" or "ESRCH" -> 3 (positive)
std::optional<int> errno_from_name(std::string_view name);
// 3 -> "ESRCH"
std::string errno_name(int err);

// ---- clone flags (include/linux/sched.h) --------------------------------------
inline constexpr std::uint64_t CSIGNAL = 0xff, CLONE_VM = 0x100, CLONE_FS = 0x200,
                               CLONE_FILES = 0x400, CLONE_SIGHAND = 0x800,
                               CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000,
                               CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000,
                               CLONE_SYSVSEM = 0x40000, CLONE_SETTLS = 0x80000,
                               CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000,
                               CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000;
std::optional<std::uint64_t> clone_flag_from_name(std::string_view name);

// ---- wait (include/linux/wait.h) -----------------------------------------------
inline constexpr std::uint32_t WNOHANG = 0x1, WUNTRACED = 0x2, WSTOPPED = WUNTRACED,
                               WEXITED = 0x4, WCONTINUED = 0x8, WNOWAIT = 0x01000000,
                               __WNOTHREAD = 0x20000000, __WALL = 0x40000000,
                               __WCLONE = 0x80000000;
std::optional<std::uint32_t> wait_option_from_name(std::string_view name);

// Linux's status word encoding (the W* macros of <sys/wait.h>).
constexpr int w_exited(int code) { return (code & 0xff) << 8; }
constexpr int w_signaled(int sig, bool core = false) { return (sig & 0x7f) | (core ? 0x80 : 0); }
constexpr int w_stopped(int sig_and_event) { return (sig_and_event << 8) | 0x7f; }
inline constexpr int kWContinued = 0xffff;
constexpr bool WIFEXITED(int s) { return (s & 0x7f) == 0; }
constexpr int WEXITSTATUS(int s) { return (s >> 8) & 0xff; }
constexpr bool WIFSIGNALED(int s) { return (s & 0x7f) != 0 && (s & 0x7f) != 0x7f; }
constexpr int WTERMSIG(int s) { return s & 0x7f; }
constexpr bool WCOREDUMP(int s) { return s & 0x80; }
constexpr bool WIFSTOPPED(int s) { return (s & 0xff) == 0x7f; }
constexpr int WSTOPSIG(int s) { return (s >> 8) & 0xff; }
constexpr bool WIFCONTINUED(int s) { return s == kWContinued; }
// "exited 42", "killed by SIGKILL (core dumped)", "stopped by SIGTRAP|0x80", "continued"
std::string describe_wait_status(int status);

// si_code values for SIGCHLD (CLD_*)
inline constexpr int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4,
                     CLD_STOPPED = 5, CLD_CONTINUED = 6;

// ---- ptrace (include/linux/ptrace.h, 2.6.32) -------------------------------------
inline constexpr int PTRACE_TRACEME = 0, PTRACE_PEEKTEXT = 1, PTRACE_PEEKDATA = 2,
                     PTRACE_PEEKUSR = 3, PTRACE_POKETEXT = 4, PTRACE_POKEDATA = 5,
                     PTRACE_POKEUSR = 6, PTRACE_CONT = 7, PTRACE_KILL = 8,
                     PTRACE_SINGLESTEP = 9, PTRACE_GETREGS = 12, PTRACE_SETREGS = 13,
                     PTRACE_ATTACH = 16, PTRACE_DETACH = 17, PTRACE_SYSCALL = 24,
                     PTRACE_SETOPTIONS = 0x4200, PTRACE_GETEVENTMSG = 0x4201,
                     PTRACE_GETSIGINFO = 0x4202, PTRACE_SETSIGINFO = 0x4203;
std::optional<int> ptrace_request_from_name(std::string_view name);
std::string ptrace_request_name(int req);

inline constexpr std::uint32_t PTRACE_O_TRACESYSGOOD = 0x01, PTRACE_O_TRACEFORK = 0x02,
                               PTRACE_O_TRACEVFORK = 0x04, PTRACE_O_TRACECLONE = 0x08,
                               PTRACE_O_TRACEEXEC = 0x10, PTRACE_O_TRACEVFORKDONE = 0x20,
                               PTRACE_O_TRACEEXIT = 0x40, PTRACE_O_MASK = 0x7f;
std::optional<std::uint32_t> ptrace_option_from_name(std::string_view name);

inline constexpr int PTRACE_EVENT_FORK = 1, PTRACE_EVENT_VFORK = 2, PTRACE_EVENT_CLONE = 3,
                     PTRACE_EVENT_EXEC = 4, PTRACE_EVENT_VFORK_DONE = 5, PTRACE_EVENT_EXIT = 6;
std::optional<int> ptrace_event_from_name(std::string_view name);
std::string ptrace_event_name(int ev);

// ---- utrace (include/linux/utrace.h, UTRACE_API_VERSION 20091216) -------------------
// Event bits: UTRACE_EVENT(x) = 1 << _UTRACE_EVENT_x   (utrace-semantics.md §2.1)
enum UtraceEventBit : unsigned {
  _UTRACE_EVENT_QUIESCE, _UTRACE_EVENT_REAP, _UTRACE_EVENT_CLONE, _UTRACE_EVENT_EXEC,
  _UTRACE_EVENT_EXIT, _UTRACE_EVENT_DEATH, _UTRACE_EVENT_SYSCALL_ENTRY,
  _UTRACE_EVENT_SYSCALL_EXIT, _UTRACE_EVENT_SIGNAL, _UTRACE_EVENT_SIGNAL_IGN,
  _UTRACE_EVENT_SIGNAL_STOP, _UTRACE_EVENT_SIGNAL_TERM, _UTRACE_EVENT_SIGNAL_CORE,
  _UTRACE_EVENT_JCTL, _UTRACE_NEVENTS
};
constexpr unsigned long UTRACE_EVENT(UtraceEventBit b) { return 1UL << b; }
inline constexpr unsigned long UTRACE_EVENT_SIGNAL_ALL = 0x1f00UL;
inline constexpr unsigned long UTRACE_EVENT_SYSCALL = 0xc0UL;
inline constexpr unsigned long _UTRACE_DEATH_EVENTS = 0x21UL;  // DEATH | QUIESCE
inline constexpr unsigned long ENGINE_STOP = 1UL << _UTRACE_NEVENTS;  // 0x4000 (§1.5)
// "QUIESCE" / "UTRACE_EVENT(QUIESCE)" / "SIGNAL_ALL" -> mask
std::optional<unsigned long> utrace_event_from_name(std::string_view name);
// 0x21 -> "QUIESCE|DEATH"; ENGINE_STOP shown as "ENGINE_STOP"
std::string utrace_events_string(unsigned long mask);

// enum utrace_resume_action (§2.2): the order is semantic, smaller = more restrictive
enum utrace_resume_action : std::uint32_t {
  UTRACE_STOP, UTRACE_INTERRUPT, UTRACE_REPORT, UTRACE_SINGLESTEP, UTRACE_BLOCKSTEP,
  UTRACE_RESUME, UTRACE_DETACH, UTRACE_RESUME_MAX
};
inline constexpr std::uint32_t UTRACE_RESUME_MASK = 0x7;
constexpr utrace_resume_action utrace_resume_action_of(std::uint32_t a) {
  return static_cast<utrace_resume_action>(a & UTRACE_RESUME_MASK);
}
const char* utrace_resume_action_name(std::uint32_t a);

// enum utrace_signal_action (§2.3)
inline constexpr std::uint32_t UTRACE_SIGNAL_DELIVER = 0x00, UTRACE_SIGNAL_IGN = 0x10,
                               UTRACE_SIGNAL_TERM = 0x20, UTRACE_SIGNAL_CORE = 0x30,
                               UTRACE_SIGNAL_STOP = 0x40, UTRACE_SIGNAL_TSTP = 0x50,
                               UTRACE_SIGNAL_REPORT = 0x60, UTRACE_SIGNAL_HANDLER = 0x70,
                               UTRACE_SIGNAL_MASK = 0xf0, UTRACE_SIGNAL_HOLD = 0x100;
constexpr std::uint32_t utrace_signal_action(std::uint32_t a) { return a & UTRACE_SIGNAL_MASK; }
// enum utrace_syscall_action (§2.4)
inline constexpr std::uint32_t UTRACE_SYSCALL_RUN = 0x00, UTRACE_SYSCALL_ABORT = 0x10,
                               UTRACE_SYSCALL_MASK = 0xf0, UTRACE_SYSCALL_RESUMED = 0x100;
constexpr std::uint32_t utrace_syscall_action(std::uint32_t a) { return a & UTRACE_SYSCALL_MASK; }

// Which family a symbolic callback-return name belongs to.
enum class ActionFamily : std::uint8_t { Resume, Signal, Syscall };
struct ActionName {
  std::uint32_t value;
  ActionFamily family;
};
std::optional<ActionName> utrace_action_from_name(std::string_view name);
// "UTRACE_SIGNAL_IGN | UTRACE_STOP" for a report_signal return, etc.
std::string utrace_action_string(std::uint32_t v, ActionFamily extra);

// Attach flags (§2.5)
inline constexpr std::uint32_t UTRACE_ATTACH_MATCH_OPS = 0x1, UTRACE_ATTACH_MATCH_DATA = 0x2,
                               UTRACE_ATTACH_MATCH_MASK = 0xf, UTRACE_ATTACH_CREATE = 0x10,
                               UTRACE_ATTACH_EXCLUSIVE = 0x20;
std::optional<std::uint32_t> utrace_attach_flag_from_name(std::string_view name);

}  // namespace model
