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
#include <vector>

// The C library defines many of the names below as macros (<cerrno>,
// <csignal>, <cstdlib> via <string>, <sys/wait.h>, <sched.h>).  On Linux
// x86_64 their values are the kernel's, the same as here, so this header
// hides the macros while it declares model's constants and puts them back at
// its end: standard and third-party headers that use them keep working, in
// any include order.  Consequence: inside namespace model (or after `using
// namespace model`) write these names unqualified, `SIGSTOP`, not
// `model::SIGSTOP` (which the macro would turn into `model::19`).
// SIGRTMIN/SIGRTMAX are the exception: glibc's are run-time values (34 and
// 64, it reserves two for itself) while the kernel's SIGRTMIN is 32, so their
// macros are dropped for good.
#include <sched.h>
#include <sys/wait.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#undef SIGRTMIN
#undef SIGRTMAX
#pragma push_macro("CLD_CONTINUED")
#undef CLD_CONTINUED
#pragma push_macro("CLD_DUMPED")
#undef CLD_DUMPED
#pragma push_macro("CLD_EXITED")
#undef CLD_EXITED
#pragma push_macro("CLD_KILLED")
#undef CLD_KILLED
#pragma push_macro("CLD_STOPPED")
#undef CLD_STOPPED
#pragma push_macro("CLD_TRAPPED")
#undef CLD_TRAPPED
#pragma push_macro("CLONE_CHILD_CLEARTID")
#undef CLONE_CHILD_CLEARTID
#pragma push_macro("CLONE_CHILD_SETTID")
#undef CLONE_CHILD_SETTID
#pragma push_macro("CLONE_FILES")
#undef CLONE_FILES
#pragma push_macro("CLONE_FS")
#undef CLONE_FS
#pragma push_macro("CLONE_PARENT")
#undef CLONE_PARENT
#pragma push_macro("CLONE_PARENT_SETTID")
#undef CLONE_PARENT_SETTID
#pragma push_macro("CLONE_PTRACE")
#undef CLONE_PTRACE
#pragma push_macro("CLONE_SETTLS")
#undef CLONE_SETTLS
#pragma push_macro("CLONE_SIGHAND")
#undef CLONE_SIGHAND
#pragma push_macro("CLONE_SYSVSEM")
#undef CLONE_SYSVSEM
#pragma push_macro("CLONE_THREAD")
#undef CLONE_THREAD
#pragma push_macro("CLONE_UNTRACED")
#undef CLONE_UNTRACED
#pragma push_macro("CLONE_VFORK")
#undef CLONE_VFORK
#pragma push_macro("CLONE_VM")
#undef CLONE_VM
#pragma push_macro("CSIGNAL")
#undef CSIGNAL
#pragma push_macro("EACCES")
#undef EACCES
#pragma push_macro("EAGAIN")
#undef EAGAIN
#pragma push_macro("EALREADY")
#undef EALREADY
#pragma push_macro("EBUSY")
#undef EBUSY
#pragma push_macro("ECHILD")
#undef ECHILD
#pragma push_macro("EEXIST")
#undef EEXIST
#pragma push_macro("EFAULT")
#undef EFAULT
#pragma push_macro("EINPROGRESS")
#undef EINPROGRESS
#pragma push_macro("EINTR")
#undef EINTR
#pragma push_macro("EINVAL")
#undef EINVAL
#pragma push_macro("EIO")
#undef EIO
#pragma push_macro("ENOENT")
#undef ENOENT
#pragma push_macro("ENOMEM")
#undef ENOMEM
#pragma push_macro("ENOSYS")
#undef ENOSYS
#pragma push_macro("EOPNOTSUPP")
#undef EOPNOTSUPP
#pragma push_macro("EPERM")
#undef EPERM
#pragma push_macro("ESRCH")
#undef ESRCH
#pragma push_macro("SA_NOCLDSTOP")
#undef SA_NOCLDSTOP
#pragma push_macro("SA_NOCLDWAIT")
#undef SA_NOCLDWAIT
#pragma push_macro("SA_NODEFER")
#undef SA_NODEFER
#pragma push_macro("SA_ONSTACK")
#undef SA_ONSTACK
#pragma push_macro("SA_RESETHAND")
#undef SA_RESETHAND
#pragma push_macro("SA_RESTART")
#undef SA_RESTART
#pragma push_macro("SA_SIGINFO")
#undef SA_SIGINFO
#pragma push_macro("SIGABRT")
#undef SIGABRT
#pragma push_macro("SIGALRM")
#undef SIGALRM
#pragma push_macro("SIGBUS")
#undef SIGBUS
#pragma push_macro("SIGCHLD")
#undef SIGCHLD
#pragma push_macro("SIGCONT")
#undef SIGCONT
#pragma push_macro("SIGFPE")
#undef SIGFPE
#pragma push_macro("SIGHUP")
#undef SIGHUP
#pragma push_macro("SIGILL")
#undef SIGILL
#pragma push_macro("SIGINT")
#undef SIGINT
#pragma push_macro("SIGIO")
#undef SIGIO
#pragma push_macro("SIGKILL")
#undef SIGKILL
#pragma push_macro("SIGPIPE")
#undef SIGPIPE
#pragma push_macro("SIGPROF")
#undef SIGPROF
#pragma push_macro("SIGPWR")
#undef SIGPWR
#pragma push_macro("SIGQUIT")
#undef SIGQUIT
#pragma push_macro("SIGSEGV")
#undef SIGSEGV
#pragma push_macro("SIGSTKFLT")
#undef SIGSTKFLT
#pragma push_macro("SIGSTOP")
#undef SIGSTOP
#pragma push_macro("SIGSYS")
#undef SIGSYS
#pragma push_macro("SIGTERM")
#undef SIGTERM
#pragma push_macro("SIGTRAP")
#undef SIGTRAP
#pragma push_macro("SIGTSTP")
#undef SIGTSTP
#pragma push_macro("SIGTTIN")
#undef SIGTTIN
#pragma push_macro("SIGTTOU")
#undef SIGTTOU
#pragma push_macro("SIGURG")
#undef SIGURG
#pragma push_macro("SIGUSR1")
#undef SIGUSR1
#pragma push_macro("SIGUSR2")
#undef SIGUSR2
#pragma push_macro("SIGVTALRM")
#undef SIGVTALRM
#pragma push_macro("SIGWINCH")
#undef SIGWINCH
#pragma push_macro("SIGXCPU")
#undef SIGXCPU
#pragma push_macro("SIGXFSZ")
#undef SIGXFSZ
#pragma push_macro("WCONTINUED")
#undef WCONTINUED
#pragma push_macro("WCOREDUMP")
#undef WCOREDUMP
#pragma push_macro("WEXITED")
#undef WEXITED
#pragma push_macro("WEXITSTATUS")
#undef WEXITSTATUS
#pragma push_macro("WIFCONTINUED")
#undef WIFCONTINUED
#pragma push_macro("WIFEXITED")
#undef WIFEXITED
#pragma push_macro("WIFSIGNALED")
#undef WIFSIGNALED
#pragma push_macro("WIFSTOPPED")
#undef WIFSTOPPED
#pragma push_macro("WNOHANG")
#undef WNOHANG
#pragma push_macro("WNOWAIT")
#undef WNOWAIT
#pragma push_macro("WSTOPPED")
#undef WSTOPPED
#pragma push_macro("WSTOPSIG")
#undef WSTOPSIG
#pragma push_macro("WTERMSIG")
#undef WTERMSIG
#pragma push_macro("WUNTRACED")
#undef WUNTRACED
#pragma push_macro("__WALL")
#undef __WALL
#pragma push_macro("__WCLONE")
#undef __WCLONE
#pragma push_macro("__WNOTHREAD")
#undef __WNOTHREAD

namespace model {

// ---- signals (arch/x86/include/asm/signal.h) --------------------------------
inline constexpr int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7, SIGFPE = 8,
                     SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13, SIGALRM = 14, SIGTERM = 15,
                     SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19, SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22,
                     SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25, SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29,
                     SIGPWR = 30, SIGSYS = 31, SIGRTMIN = 32, SIGRTMAX = 64;
inline constexpr int kNSig = 64;

// The first real-time signal a C program sees as SIGRTMIN (glibc's NPTL keeps
// 32 and 33 for itself).  Scenario names follow the C program: "SIGRTMIN" is
// 34; the kernel's real-time range (sig_rt(), queueing) still starts at 32.
inline constexpr int SIGRTMIN_USER = 34;

// "SIGSTOP" -> 19; also "SIGRTMIN+3" (37), "SIG32", "SIGIOT", "SIGPOLL", "SIGCLD".
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
inline constexpr std::uint32_t SA_NOCLDSTOP = 0x1, SA_NOCLDWAIT = 0x2, SA_SIGINFO = 0x4, SA_ONSTACK = 0x08000000,
                               SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000, SA_RESETHAND = 0x80000000;

// ---- errno (include/asm-generic/errno*.h, and the kernel-internal ones) -------
inline constexpr int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ECHILD = 10, EAGAIN = 11, ENOMEM = 12,
                     EACCES = 13, EFAULT = 14, EBUSY = 16, EEXIST = 17, EINVAL = 22, ENOSYS = 38, EOPNOTSUPP = 95,
                     EALREADY = 114, EINPROGRESS = 115, ERESTARTSYS = 512, ERESTARTNOINTR = 513, ERESTARTNOHAND = 514,
                     ENOIOCTLCMD = 515, ERESTART_RESTARTBLOCK = 516;

// "-ESRCH" or "ESRCH" -> 3 (positive)
std::optional<int> errno_from_name(std::string_view name);
// 3 -> "ESRCH"
std::string errno_name(int err);

// ---- clone flags (include/linux/sched.h) --------------------------------------
inline constexpr std::uint64_t CSIGNAL = 0xff, CLONE_VM = 0x100, CLONE_FS = 0x200, CLONE_FILES = 0x400,
                               CLONE_SIGHAND = 0x800, CLONE_PTRACE = 0x2000, CLONE_VFORK = 0x4000,
                               CLONE_PARENT = 0x8000, CLONE_THREAD = 0x10000, CLONE_SYSVSEM = 0x40000,
                               CLONE_SETTLS = 0x80000, CLONE_PARENT_SETTID = 0x100000, CLONE_CHILD_CLEARTID = 0x200000,
                               CLONE_UNTRACED = 0x800000, CLONE_CHILD_SETTID = 0x1000000;
std::optional<std::uint64_t> clone_flag_from_name(std::string_view name);

// ---- wait (include/linux/wait.h) -----------------------------------------------
inline constexpr std::uint32_t WNOHANG = 0x1, WUNTRACED = 0x2, WSTOPPED = WUNTRACED, WEXITED = 0x4, WCONTINUED = 0x8,
                               WNOWAIT = 0x01000000, __WNOTHREAD = 0x20000000, __WALL = 0x40000000,
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
inline constexpr int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5,
                     CLD_CONTINUED = 6;

// ---- ptrace (include/linux/ptrace.h, 2.6.32) -------------------------------------
inline constexpr int PTRACE_TRACEME = 0, PTRACE_PEEKTEXT = 1, PTRACE_PEEKDATA = 2, PTRACE_PEEKUSR = 3,
                     PTRACE_POKETEXT = 4, PTRACE_POKEDATA = 5, PTRACE_POKEUSR = 6, PTRACE_CONT = 7, PTRACE_KILL = 8,
                     PTRACE_SINGLESTEP = 9, PTRACE_GETREGS = 12, PTRACE_SETREGS = 13, PTRACE_ATTACH = 16,
                     PTRACE_DETACH = 17, PTRACE_SYSCALL = 24, PTRACE_SETOPTIONS = 0x4200, PTRACE_GETEVENTMSG = 0x4201,
                     PTRACE_GETSIGINFO = 0x4202, PTRACE_SETSIGINFO = 0x4203;
// Since Linux 3.4 (3.1 with PTRACE_SEIZE_DEVEL); unknown requests to 2.6.32.
inline constexpr int PTRACE_SEIZE = 0x4206, PTRACE_INTERRUPT = 0x4207, PTRACE_LISTEN = 0x4208;
std::optional<int> ptrace_request_from_name(std::string_view name);
std::string ptrace_request_name(int req);

inline constexpr std::uint32_t PTRACE_O_TRACESYSGOOD = 0x01, PTRACE_O_TRACEFORK = 0x02, PTRACE_O_TRACEVFORK = 0x04,
                               PTRACE_O_TRACECLONE = 0x08, PTRACE_O_TRACEEXEC = 0x10, PTRACE_O_TRACEVFORKDONE = 0x20,
                               PTRACE_O_TRACEEXIT = 0x40, PTRACE_O_MASK = 0x7f;
std::optional<std::uint32_t> ptrace_option_from_name(std::string_view name);

inline constexpr int PTRACE_EVENT_FORK = 1, PTRACE_EVENT_VFORK = 2, PTRACE_EVENT_CLONE = 3, PTRACE_EVENT_EXEC = 4,
                     PTRACE_EVENT_VFORK_DONE = 5, PTRACE_EVENT_EXIT = 6;
inline constexpr int PTRACE_EVENT_STOP = 128;  // since Linux 3.4 (SEIZE, INTERRUPT, group stops)
std::optional<int> ptrace_event_from_name(std::string_view name);
std::string ptrace_event_name(int ev);

// ---- utrace (include/linux/utrace.h, UTRACE_API_VERSION 20091216) -------------------
// Event bits: UTRACE_EVENT(x) = 1 << _UTRACE_EVENT_x   (utrace-semantics.md §2.1)
enum UtraceEventBit : unsigned {
  _UTRACE_EVENT_QUIESCE,
  _UTRACE_EVENT_REAP,
  _UTRACE_EVENT_CLONE,
  _UTRACE_EVENT_EXEC,
  _UTRACE_EVENT_EXIT,
  _UTRACE_EVENT_DEATH,
  _UTRACE_EVENT_SYSCALL_ENTRY,
  _UTRACE_EVENT_SYSCALL_EXIT,
  _UTRACE_EVENT_SIGNAL,
  _UTRACE_EVENT_SIGNAL_IGN,
  _UTRACE_EVENT_SIGNAL_STOP,
  _UTRACE_EVENT_SIGNAL_TERM,
  _UTRACE_EVENT_SIGNAL_CORE,
  _UTRACE_EVENT_JCTL,
  _UTRACE_NEVENTS
};
constexpr unsigned long UTRACE_EVENT(UtraceEventBit b) { return 1UL << b; }
inline constexpr unsigned long UTRACE_EVENT_SIGNAL_ALL = 0x1f00UL;
inline constexpr unsigned long UTRACE_EVENT_SYSCALL = 0xc0UL;
inline constexpr unsigned long _UTRACE_DEATH_EVENTS = 0x21UL;         // DEATH | QUIESCE
inline constexpr unsigned long ENGINE_STOP = 1UL << _UTRACE_NEVENTS;  // 0x4000 (§1.5)
// "QUIESCE" / "UTRACE_EVENT(QUIESCE)" / "SIGNAL_ALL" -> mask
std::optional<unsigned long> utrace_event_from_name(std::string_view name);
// 0x21 -> "QUIESCE|DEATH"; ENGINE_STOP shown as "ENGINE_STOP"
std::string utrace_events_string(unsigned long mask);

// enum utrace_resume_action (§2.2): the order is semantic, smaller = more restrictive
enum utrace_resume_action : std::uint32_t {
  UTRACE_STOP,
  UTRACE_INTERRUPT,
  UTRACE_REPORT,
  UTRACE_SINGLESTEP,
  UTRACE_BLOCKSTEP,
  UTRACE_RESUME,
  UTRACE_DETACH,
  UTRACE_RESUME_MAX
};
inline constexpr std::uint32_t UTRACE_RESUME_MASK = 0x7;
constexpr utrace_resume_action utrace_resume_action_of(std::uint32_t a) {
  return static_cast<utrace_resume_action>(a & UTRACE_RESUME_MASK);
}
// "UTRACE_DETACH"; a value that names no action (utrace_control refuses it
// with -EINVAL) as "UTRACE_???(99)": never the name of another action.
std::string utrace_resume_action_name(std::uint32_t a);

// enum utrace_signal_action (§2.3)
inline constexpr std::uint32_t UTRACE_SIGNAL_DELIVER = 0x00, UTRACE_SIGNAL_IGN = 0x10, UTRACE_SIGNAL_TERM = 0x20,
                               UTRACE_SIGNAL_CORE = 0x30, UTRACE_SIGNAL_STOP = 0x40, UTRACE_SIGNAL_TSTP = 0x50,
                               UTRACE_SIGNAL_REPORT = 0x60, UTRACE_SIGNAL_HANDLER = 0x70, UTRACE_SIGNAL_MASK = 0xf0,
                               UTRACE_SIGNAL_HOLD = 0x100;
constexpr std::uint32_t utrace_signal_action(std::uint32_t a) { return a & UTRACE_SIGNAL_MASK; }
// enum utrace_syscall_action (§2.4)
inline constexpr std::uint32_t UTRACE_SYSCALL_RUN = 0x00, UTRACE_SYSCALL_ABORT = 0x10, UTRACE_SYSCALL_MASK = 0xf0,
                               UTRACE_SYSCALL_RESUMED = 0x100;
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

// The plain syscalls the scenario language's `syscall` op makes, by name
// (x86_64 numbers, arch/x86/include/asm/unistd_64.h): calls with no effect
// the model needs beyond their entry and exit ("getpid" returns the pid,
// "sched_yield" 0 ...).
struct PlainSyscall {
  const char* name;
  int nr;  // shown in traces
};
const std::vector<PlainSyscall>& plain_syscalls();
const PlainSyscall* find_plain_syscall(std::string_view name);
const PlainSyscall* find_plain_syscall_nr(long nr);  // nullptr: not a plain syscall

// Frame identity (sim/co.h): a signal set by its bits.
inline std::uint64_t frame_digest(const SigSet& s) noexcept { return s.bits; }

}  // namespace model

// Give the C library its macros back (see the top of this file).
#pragma pop_macro("CLD_CONTINUED")
#pragma pop_macro("CLD_DUMPED")
#pragma pop_macro("CLD_EXITED")
#pragma pop_macro("CLD_KILLED")
#pragma pop_macro("CLD_STOPPED")
#pragma pop_macro("CLD_TRAPPED")
#pragma pop_macro("CLONE_CHILD_CLEARTID")
#pragma pop_macro("CLONE_CHILD_SETTID")
#pragma pop_macro("CLONE_FILES")
#pragma pop_macro("CLONE_FS")
#pragma pop_macro("CLONE_PARENT")
#pragma pop_macro("CLONE_PARENT_SETTID")
#pragma pop_macro("CLONE_PTRACE")
#pragma pop_macro("CLONE_SETTLS")
#pragma pop_macro("CLONE_SIGHAND")
#pragma pop_macro("CLONE_SYSVSEM")
#pragma pop_macro("CLONE_THREAD")
#pragma pop_macro("CLONE_UNTRACED")
#pragma pop_macro("CLONE_VFORK")
#pragma pop_macro("CLONE_VM")
#pragma pop_macro("CSIGNAL")
#pragma pop_macro("EACCES")
#pragma pop_macro("EAGAIN")
#pragma pop_macro("EALREADY")
#pragma pop_macro("EBUSY")
#pragma pop_macro("ECHILD")
#pragma pop_macro("EEXIST")
#pragma pop_macro("EFAULT")
#pragma pop_macro("EINPROGRESS")
#pragma pop_macro("EINTR")
#pragma pop_macro("EINVAL")
#pragma pop_macro("EIO")
#pragma pop_macro("ENOENT")
#pragma pop_macro("ENOMEM")
#pragma pop_macro("ENOSYS")
#pragma pop_macro("EOPNOTSUPP")
#pragma pop_macro("EPERM")
#pragma pop_macro("ESRCH")
#pragma pop_macro("SA_NOCLDSTOP")
#pragma pop_macro("SA_NOCLDWAIT")
#pragma pop_macro("SA_NODEFER")
#pragma pop_macro("SA_ONSTACK")
#pragma pop_macro("SA_RESETHAND")
#pragma pop_macro("SA_RESTART")
#pragma pop_macro("SA_SIGINFO")
#pragma pop_macro("SIGABRT")
#pragma pop_macro("SIGALRM")
#pragma pop_macro("SIGBUS")
#pragma pop_macro("SIGCHLD")
#pragma pop_macro("SIGCONT")
#pragma pop_macro("SIGFPE")
#pragma pop_macro("SIGHUP")
#pragma pop_macro("SIGILL")
#pragma pop_macro("SIGINT")
#pragma pop_macro("SIGIO")
#pragma pop_macro("SIGKILL")
#pragma pop_macro("SIGPIPE")
#pragma pop_macro("SIGPROF")
#pragma pop_macro("SIGPWR")
#pragma pop_macro("SIGQUIT")
#pragma pop_macro("SIGSEGV")
#pragma pop_macro("SIGSTKFLT")
#pragma pop_macro("SIGSTOP")
#pragma pop_macro("SIGSYS")
#pragma pop_macro("SIGTERM")
#pragma pop_macro("SIGTRAP")
#pragma pop_macro("SIGTSTP")
#pragma pop_macro("SIGTTIN")
#pragma pop_macro("SIGTTOU")
#pragma pop_macro("SIGURG")
#pragma pop_macro("SIGUSR1")
#pragma pop_macro("SIGUSR2")
#pragma pop_macro("SIGVTALRM")
#pragma pop_macro("SIGWINCH")
#pragma pop_macro("SIGXCPU")
#pragma pop_macro("SIGXFSZ")
#pragma pop_macro("WCONTINUED")
#pragma pop_macro("WCOREDUMP")
#pragma pop_macro("WEXITED")
#pragma pop_macro("WEXITSTATUS")
#pragma pop_macro("WIFCONTINUED")
#pragma pop_macro("WIFEXITED")
#pragma pop_macro("WIFSIGNALED")
#pragma pop_macro("WIFSTOPPED")
#pragma pop_macro("WNOHANG")
#pragma pop_macro("WNOWAIT")
#pragma pop_macro("WSTOPPED")
#pragma pop_macro("WSTOPSIG")
#pragma pop_macro("WTERMSIG")
#pragma pop_macro("WUNTRACED")
#pragma pop_macro("__WALL")
#pragma pop_macro("__WCLONE")
#pragma pop_macro("__WNOTHREAD")
