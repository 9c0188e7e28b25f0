// model/abi.cpp: name tables of the Linux x86_64 ABI and of the utrace API
// (abi.h).  Lookups are exact and case-sensitive: scenario files spell names
// as the kernel headers do.
#include "model/abi.h"

#include <cstdio>
#include <iterator>
#include <string>
#include <tuple>

namespace model {
namespace {

template <class V>
struct NameValue {
  std::string_view name;
  V value;
};

template <class V, std::size_t N>
std::optional<V> lookup(const NameValue<V> (&table)[N], std::string_view name) {
  for (const auto& e : table)
    if (e.name == name) return e.value;
  return std::nullopt;
}

template <class V, std::size_t N>
std::string_view reverse_lookup(const NameValue<V> (&table)[N], V value) {
  for (const auto& e : table)
    if (e.value == value) return e.name;
  return {};
}

std::string hex(unsigned long v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%lx", v);
  return buf;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Small decimal parser for "SIGRTMIN+3": digits only, no sign, at most 2 digits.
std::optional<int> small_decimal(std::string_view s) {
  if (s.empty() || s.size() > 2) return std::nullopt;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// ---- signals ------------------------------------------------------------------

constexpr NameValue<int> kSignals[] = {
    {"SIGHUP", SIGHUP},       {"SIGINT", SIGINT},   {"SIGQUIT", SIGQUIT},   {"SIGILL", SIGILL},   {"SIGTRAP", SIGTRAP},
    {"SIGABRT", SIGABRT},     {"SIGBUS", SIGBUS},   {"SIGFPE", SIGFPE},     {"SIGKILL", SIGKILL}, {"SIGUSR1", SIGUSR1},
    {"SIGSEGV", SIGSEGV},     {"SIGUSR2", SIGUSR2}, {"SIGPIPE", SIGPIPE},   {"SIGALRM", SIGALRM}, {"SIGTERM", SIGTERM},
    {"SIGSTKFLT", SIGSTKFLT}, {"SIGCHLD", SIGCHLD}, {"SIGCONT", SIGCONT},   {"SIGSTOP", SIGSTOP}, {"SIGTSTP", SIGTSTP},
    {"SIGTTIN", SIGTTIN},     {"SIGTTOU", SIGTTOU}, {"SIGURG", SIGURG},     {"SIGXCPU", SIGXCPU}, {"SIGXFSZ", SIGXFSZ},
    {"SIGVTALRM", SIGVTALRM}, {"SIGPROF", SIGPROF}, {"SIGWINCH", SIGWINCH}, {"SIGIO", SIGIO},     {"SIGPWR", SIGPWR},
    {"SIGSYS", SIGSYS},
};
constexpr NameValue<int> kSignalAliases[] = {
    {"SIGIOT", SIGABRT},
    {"SIGPOLL", SIGIO},
    {"SIGCLD", SIGCHLD},
    {"SIGUNUSED", SIGSYS},
};

static_assert(std::size(kSignals) == SIGRTMIN - 1, "signal_name() indexes kSignals by sig-1");

// ---- errno ------------------------------------------------------------------------

constexpr NameValue<int> kErrnos[] = {
    {"EPERM", 1},
    {"ENOENT", 2},
    {"ESRCH", 3},
    {"EINTR", 4},
    {"EIO", 5},
    {"ENXIO", 6},
    {"E2BIG", 7},
    {"ENOEXEC", 8},
    {"EBADF", 9},
    {"ECHILD", 10},
    {"EAGAIN", 11},
    {"ENOMEM", 12},
    {"EACCES", 13},
    {"EFAULT", 14},
    {"ENOTBLK", 15},
    {"EBUSY", 16},
    {"EEXIST", 17},
    {"EXDEV", 18},
    {"ENODEV", 19},
    {"ENOTDIR", 20},
    {"EISDIR", 21},
    {"EINVAL", 22},
    {"ENFILE", 23},
    {"EMFILE", 24},
    {"ENOTTY", 25},
    {"ETXTBSY", 26},
    {"EFBIG", 27},
    {"ENOSPC", 28},
    {"ESPIPE", 29},
    {"EROFS", 30},
    {"EMLINK", 31},
    {"EPIPE", 32},
    {"EDOM", 33},
    {"ERANGE", 34},
    {"EDEADLK", 35},
    {"ENAMETOOLONG", 36},
    {"ENOLCK", 37},
    {"ENOSYS", 38},
    {"ENOTEMPTY", 39},
    {"ELOOP", 40},
    {"ENOMSG", 42},
    {"EIDRM", 43},
    {"ECHRNG", 44},
    {"EL2NSYNC", 45},
    {"EL3HLT", 46},
    {"EL3RST", 47},
    {"ELNRNG", 48},
    {"EUNATCH", 49},
    {"ENOCSI", 50},
    {"EL2HLT", 51},
    {"EBADE", 52},
    {"EBADR", 53},
    {"EXFULL", 54},
    {"ENOANO", 55},
    {"EBADRQC", 56},
    {"EBADSLT", 57},
    {"EBFONT", 59},
    {"ENOSTR", 60},
    {"ENODATA", 61},
    {"ETIME", 62},
    {"ENOSR", 63},
    {"ENONET", 64},
    {"ENOPKG", 65},
    {"EREMOTE", 66},
    {"ENOLINK", 67},
    {"EADV", 68},
    {"ESRMNT", 69},
    {"ECOMM", 70},
    {"EPROTO", 71},
    {"EMULTIHOP", 72},
    {"EDOTDOT", 73},
    {"EBADMSG", 74},
    {"EOVERFLOW", 75},
    {"ENOTUNIQ", 76},
    {"EBADFD", 77},
    {"EREMCHG", 78},
    {"ELIBACC", 79},
    {"ELIBBAD", 80},
    {"ELIBSCN", 81},
    {"ELIBMAX", 82},
    {"ELIBEXEC", 83},
    {"EILSEQ", 84},
    {"ERESTART", 85},
    {"ESTRPIPE", 86},
    {"EUSERS", 87},
    {"ENOTSOCK", 88},
    {"EDESTADDRREQ", 89},
    {"EMSGSIZE", 90},
    {"EPROTOTYPE", 91},
    {"ENOPROTOOPT", 92},
    {"EPROTONOSUPPORT", 93},
    {"ESOCKTNOSUPPORT", 94},
    {"EOPNOTSUPP", 95},
    {"EPFNOSUPPORT", 96},
    {"EAFNOSUPPORT", 97},
    {"EADDRINUSE", 98},
    {"EADDRNOTAVAIL", 99},
    {"ENETDOWN", 100},
    {"ENETUNREACH", 101},
    {"ENETRESET", 102},
    {"ECONNABORTED", 103},
    {"ECONNRESET", 104},
    {"ENOBUFS", 105},
    {"EISCONN", 106},
    {"ENOTCONN", 107},
    {"ESHUTDOWN", 108},
    {"ETOOMANYREFS", 109},
    {"ETIMEDOUT", 110},
    {"ECONNREFUSED", 111},
    {"EHOSTDOWN", 112},
    {"EHOSTUNREACH", 113},
    {"EALREADY", 114},
    {"EINPROGRESS", 115},
    {"ESTALE", 116},
    {"EUCLEAN", 117},
    {"ENOTNAM", 118},
    {"ENAVAIL", 119},
    {"EISNAM", 120},
    {"EREMOTEIO", 121},
    {"EDQUOT", 122},
    {"ENOMEDIUM", 123},
    {"EMEDIUMTYPE", 124},
    {"ECANCELED", 125},
    {"ENOKEY", 126},
    {"EKEYEXPIRED", 127},
    {"EKEYREVOKED", 128},
    {"EKEYREJECTED", 129},
    {"EOWNERDEAD", 130},
    {"ENOTRECOVERABLE", 131},
    {"ERFKILL", 132},
    {"EHWPOISON", 133},
    // include/linux/errno.h: never seen by user space, but seen by a simulator
    {"ERESTARTSYS", ERESTARTSYS},
    {"ERESTARTNOINTR", ERESTARTNOINTR},
    {"ERESTARTNOHAND", ERESTARTNOHAND},
    {"ENOIOCTLCMD", ENOIOCTLCMD},
    {"ERESTART_RESTARTBLOCK", ERESTART_RESTARTBLOCK},
    {"EBADHANDLE", 521},
    {"ENOTSYNC", 522},
    {"EBADCOOKIE", 523},
    {"ENOTSUPP", 524},
    {"ETOOSMALL", 525},
    {"ESERVERFAULT", 526},
    {"EBADTYPE", 527},
    {"EJUKEBOX", 528},
    {"EIOCBQUEUED", 529},
    {"EIOCBRETRY", 530},
    // aliases (after the canonical names, so errno_name() finds those first)
    {"EWOULDBLOCK", EAGAIN},
    {"EDEADLOCK", 35},
    {"ENOTSUP", EOPNOTSUPP},
};

// ---- clone, wait, ptrace ---------------------------------------------------------------

constexpr NameValue<std::uint64_t> kCloneFlags[] = {
    {"CLONE_VM", CLONE_VM},
    {"CLONE_FS", CLONE_FS},
    {"CLONE_FILES", CLONE_FILES},
    {"CLONE_SIGHAND", CLONE_SIGHAND},
    {"CLONE_PTRACE", CLONE_PTRACE},
    {"CLONE_VFORK", CLONE_VFORK},
    {"CLONE_PARENT", CLONE_PARENT},
    {"CLONE_THREAD", CLONE_THREAD},
    {"CLONE_SYSVSEM", CLONE_SYSVSEM},
    {"CLONE_SETTLS", CLONE_SETTLS},
    {"CLONE_PARENT_SETTID", CLONE_PARENT_SETTID},
    {"CLONE_CHILD_CLEARTID", CLONE_CHILD_CLEARTID},
    {"CLONE_UNTRACED", CLONE_UNTRACED},
    {"CLONE_CHILD_SETTID", CLONE_CHILD_SETTID},
};

constexpr NameValue<std::uint32_t> kWaitOptions[] = {
    {"WNOHANG", WNOHANG},         {"WUNTRACED", WUNTRACED},   {"WSTOPPED", WSTOPPED},
    {"WEXITED", WEXITED},         {"WCONTINUED", WCONTINUED}, {"WNOWAIT", WNOWAIT},
    {"__WNOTHREAD", __WNOTHREAD}, {"__WALL", __WALL},         {"__WCLONE", __WCLONE},
};

constexpr NameValue<int> kPtraceRequests[] = {
    {"PTRACE_TRACEME", PTRACE_TRACEME},
    {"PTRACE_PEEKTEXT", PTRACE_PEEKTEXT},
    {"PTRACE_PEEKDATA", PTRACE_PEEKDATA},
    {"PTRACE_PEEKUSR", PTRACE_PEEKUSR},
    {"PTRACE_POKETEXT", PTRACE_POKETEXT},
    {"PTRACE_POKEDATA", PTRACE_POKEDATA},
    {"PTRACE_POKEUSR", PTRACE_POKEUSR},
    {"PTRACE_CONT", PTRACE_CONT},
    {"PTRACE_KILL", PTRACE_KILL},
    {"PTRACE_SINGLESTEP", PTRACE_SINGLESTEP},
    {"PTRACE_GETREGS", PTRACE_GETREGS},
    {"PTRACE_SETREGS", PTRACE_SETREGS},
    {"PTRACE_GETFPREGS", 14},
    {"PTRACE_SETFPREGS", 15},
    {"PTRACE_ATTACH", PTRACE_ATTACH},
    {"PTRACE_DETACH", PTRACE_DETACH},
    {"PTRACE_SYSCALL", PTRACE_SYSCALL},
    {"PTRACE_SYSEMU", 31},
    {"PTRACE_SYSEMU_SINGLESTEP", 32},
    {"PTRACE_SINGLEBLOCK", 33},
    {"PTRACE_SETOPTIONS", PTRACE_SETOPTIONS},
    {"PTRACE_GETEVENTMSG", PTRACE_GETEVENTMSG},
    {"PTRACE_GETSIGINFO", PTRACE_GETSIGINFO},
    {"PTRACE_SETSIGINFO", PTRACE_SETSIGINFO},
    // Linux 3.4 (3.1 behind PTRACE_SEIZE_DEVEL): names only.  2.6.32 does
    // not know these numbers, so the model answers them as any unknown
    // request (-EIO at a stopped tracee, -ESRCH elsewhere); they are here so
    // that a scenario can show that era difference (expect_modern).
    {"PTRACE_SEIZE", PTRACE_SEIZE},
    {"PTRACE_INTERRUPT", PTRACE_INTERRUPT},
    {"PTRACE_LISTEN", PTRACE_LISTEN},
};
constexpr NameValue<int> kPtraceRequestAliases[] = {
    {"PTRACE_PEEKUSER", PTRACE_PEEKUSR},
    {"PTRACE_POKEUSER", PTRACE_POKEUSR},
};

constexpr NameValue<std::uint32_t> kPtraceOptions[] = {
    {"PTRACE_O_TRACESYSGOOD", PTRACE_O_TRACESYSGOOD}, {"PTRACE_O_TRACEFORK", PTRACE_O_TRACEFORK},
    {"PTRACE_O_TRACEVFORK", PTRACE_O_TRACEVFORK},     {"PTRACE_O_TRACECLONE", PTRACE_O_TRACECLONE},
    {"PTRACE_O_TRACEEXEC", PTRACE_O_TRACEEXEC},       {"PTRACE_O_TRACEVFORKDONE", PTRACE_O_TRACEVFORKDONE},
    {"PTRACE_O_TRACEEXIT", PTRACE_O_TRACEEXIT},
};

constexpr NameValue<int> kPtraceEvents[] = {
    {"PTRACE_EVENT_FORK", PTRACE_EVENT_FORK},
    {"PTRACE_EVENT_VFORK", PTRACE_EVENT_VFORK},
    {"PTRACE_EVENT_CLONE", PTRACE_EVENT_CLONE},
    {"PTRACE_EVENT_EXEC", PTRACE_EVENT_EXEC},
    {"PTRACE_EVENT_VFORK_DONE", PTRACE_EVENT_VFORK_DONE},
    {"PTRACE_EVENT_EXIT", PTRACE_EVENT_EXIT},
    {"PTRACE_EVENT_STOP", PTRACE_EVENT_STOP},  // 3.4: never made by the model (expect_modern)
};

// ---- utrace ----------------------------------------------------------------------------

// Indexed by _UTRACE_EVENT_x.
constexpr std::string_view kEventNames[] = {
    "QUIESCE",      "REAP",   "CLONE",      "EXEC",        "EXIT",        "DEATH",       "SYSCALL_ENTRY",
    "SYSCALL_EXIT", "SIGNAL", "SIGNAL_IGN", "SIGNAL_STOP", "SIGNAL_TERM", "SIGNAL_CORE", "JCTL",
};

constexpr std::string_view kResumeNames[] = {
    "UTRACE_STOP",      "UTRACE_INTERRUPT", "UTRACE_REPORT", "UTRACE_SINGLESTEP",
    "UTRACE_BLOCKSTEP", "UTRACE_RESUME",    "UTRACE_DETACH", "UTRACE_RESUME_MAX",
};

static_assert(std::size(kEventNames) == _UTRACE_NEVENTS);

// Indexed by (action & UTRACE_SIGNAL_MASK) >> 4.
constexpr std::string_view kSignalActionNames[] = {
    "UTRACE_SIGNAL_DELIVER", "UTRACE_SIGNAL_IGN",  "UTRACE_SIGNAL_TERM",   "UTRACE_SIGNAL_CORE",
    "UTRACE_SIGNAL_STOP",    "UTRACE_SIGNAL_TSTP", "UTRACE_SIGNAL_REPORT", "UTRACE_SIGNAL_HANDLER",
};

constexpr NameValue<std::uint32_t> kAttachFlags[] = {
    {"UTRACE_ATTACH_CREATE", UTRACE_ATTACH_CREATE},
    {"UTRACE_ATTACH_EXCLUSIVE", UTRACE_ATTACH_EXCLUSIVE},
    {"UTRACE_ATTACH_MATCH_OPS", UTRACE_ATTACH_MATCH_OPS},
    {"UTRACE_ATTACH_MATCH_DATA", UTRACE_ATTACH_MATCH_DATA},
};

}  // namespace

// ---- signals ----------------------------------------------------------------------

std::optional<int> signal_from_name(std::string_view name) {
  if (auto v = lookup(kSignals, name)) return v;
  if (auto v = lookup(kSignalAliases, name)) return v;
  // SIGRTMIN, SIGRTMIN+n, SIGRTMAX, SIGRTMAX-n as a C program sees them:
  // glibc's SIGRTMIN is 34 (NPTL keeps 32 and 33).  32 and 33 are SIG32, SIG33.
  if (name == "SIG32") return 32;
  if (name == "SIG33") return 33;
  for (auto [prefix, base, sign] : {std::tuple{std::string_view{"SIGRTMIN"}, SIGRTMIN_USER, '+'},
                                    std::tuple{std::string_view{"SIGRTMAX"}, SIGRTMAX, '-'}}) {
    if (name.substr(0, prefix.size()) != prefix) continue;
    std::string_view rest = name.substr(prefix.size());
    if (rest.empty()) return base;
    if (rest.front() != sign) return std::nullopt;
    auto n = small_decimal(rest.substr(1));
    if (!n) return std::nullopt;
    int sig = sign == '+' ? base + *n : base - *n;
    if (sig < SIGRTMIN_USER || sig > SIGRTMAX) return std::nullopt;
    return sig;
  }
  return std::nullopt;
}

std::string signal_name(int sig) {
  if (sig >= 1 && sig < SIGRTMIN) return std::string(kSignals[static_cast<std::size_t>(sig - 1)].name);
  if (sig == 32 || sig == 33) return "SIG" + std::to_string(sig);
  if (sig == SIGRTMIN_USER) return "SIGRTMIN";
  if (sig > SIGRTMIN_USER && sig <= SIGRTMAX) return "SIGRTMIN+" + std::to_string(sig - SIGRTMIN_USER);
  return std::to_string(sig);
}

// ---- errno ------------------------------------------------------------------------

std::optional<int> errno_from_name(std::string_view name) {
  if (!name.empty() && name.front() == '-') name.remove_prefix(1);
  return lookup(kErrnos, name);
}

std::string errno_name(int err) {
  if (err < 0) err = -err;
  auto n = reverse_lookup(kErrnos, err);
  if (!n.empty()) return std::string(n);
  return "E" + std::to_string(err);
}

// ---- clone, wait -------------------------------------------------------------------

std::optional<std::uint64_t> clone_flag_from_name(std::string_view name) { return lookup(kCloneFlags, name); }

std::optional<std::uint32_t> wait_option_from_name(std::string_view name) { return lookup(kWaitOptions, name); }

std::string describe_wait_status(int status) {
  if (WIFCONTINUED(status)) return "continued";
  if (WIFEXITED(status) && (status & ~0xff00) == 0) return "exited " + std::to_string(WEXITSTATUS(status));
  if (WIFSTOPPED(status) && (status & ~0xffff7f) == 0) {
    int word = (status >> 8) & 0xffff;
    int sig = word & 0x7f;
    std::string s = "stopped by " + signal_name(sig);
    if (word & 0x80) s += "|0x80";
    if (int ev = word >> 8) s += " (" + ptrace_event_name(ev) + ")";
    return s;
  }
  if (WIFSIGNALED(status) && (status & ~0xff) == 0) {
    std::string s = "killed by " + signal_name(WTERMSIG(status));
    if (WCOREDUMP(status)) s += " (core dumped)";
    return s;
  }
  return "status " + hex(static_cast<unsigned>(status));
}

// ---- ptrace -------------------------------------------------------------------------

std::optional<int> ptrace_request_from_name(std::string_view name) {
  if (auto v = lookup(kPtraceRequests, name)) return v;
  return lookup(kPtraceRequestAliases, name);
}

std::string ptrace_request_name(int req) {
  auto n = reverse_lookup(kPtraceRequests, req);
  if (!n.empty()) return std::string(n);
  return "PTRACE_" + hex(static_cast<unsigned>(req));
}

std::optional<std::uint32_t> ptrace_option_from_name(std::string_view name) { return lookup(kPtraceOptions, name); }

std::optional<int> ptrace_event_from_name(std::string_view name) { return lookup(kPtraceEvents, name); }

std::string ptrace_event_name(int ev) {
  auto n = reverse_lookup(kPtraceEvents, ev);
  if (!n.empty()) return std::string(n);
  return "PTRACE_EVENT_" + std::to_string(ev);
}

// ---- utrace -------------------------------------------------------------------------

std::optional<unsigned long> utrace_event_from_name(std::string_view name) {
  name = trim(name);
  constexpr std::string_view kWrap = "UTRACE_EVENT(";
  bool wrapped = false;
  if (name.substr(0, kWrap.size()) == kWrap && !name.empty() && name.back() == ')') {
    name = trim(name.substr(kWrap.size(), name.size() - kWrap.size() - 1));
    wrapped = true;
  }
  for (std::size_t i = 0; i < std::size(kEventNames); ++i)
    if (kEventNames[i] == name) return 1UL << i;
  if (!wrapped) {
    // The two masks of include/linux/utrace.h, bare or by their macro name.
    if (name == "SIGNAL_ALL" || name == "UTRACE_EVENT_SIGNAL_ALL") return UTRACE_EVENT_SIGNAL_ALL;
    if (name == "SYSCALL" || name == "UTRACE_EVENT_SYSCALL") return UTRACE_EVENT_SYSCALL;
  }
  return std::nullopt;
}

std::string utrace_events_string(unsigned long mask) {
  if (mask == 0) return "0";
  std::string out;
  auto add = [&out](std::string_view s) {
    if (!out.empty()) out += '|';
    out += s;
  };
  for (std::size_t i = 0; i < std::size(kEventNames); ++i)
    if (mask & (1UL << i)) add(kEventNames[i]);
  if (mask & ENGINE_STOP) add("ENGINE_STOP");
  unsigned long rest = mask & ~((1UL << _UTRACE_NEVENTS) - 1) & ~ENGINE_STOP;
  if (rest) add(hex(rest));
  return out;
}

std::string utrace_resume_action_name(std::uint32_t a) {
  if (a < std::size(kResumeNames)) return std::string(kResumeNames[a]);
  return "UTRACE_\?\?\?(" + std::to_string(a) + ")";  // \? : no trigraph
}

std::optional<ActionName> utrace_action_from_name(std::string_view name) {
  name = trim(name);
  for (std::size_t i = 0; i < std::size(kResumeNames); ++i)
    if (kResumeNames[i] == name) return ActionName{static_cast<std::uint32_t>(i), ActionFamily::Resume};
  for (std::size_t i = 0; i < std::size(kSignalActionNames); ++i)
    if (kSignalActionNames[i] == name) return ActionName{static_cast<std::uint32_t>(i << 4), ActionFamily::Signal};
  if (name == "UTRACE_SIGNAL_HOLD") return ActionName{UTRACE_SIGNAL_HOLD, ActionFamily::Signal};
  if (name == "UTRACE_SYSCALL_RUN") return ActionName{UTRACE_SYSCALL_RUN, ActionFamily::Syscall};
  if (name == "UTRACE_SYSCALL_ABORT") return ActionName{UTRACE_SYSCALL_ABORT, ActionFamily::Syscall};
  return std::nullopt;
}

std::string utrace_action_string(std::uint32_t v, ActionFamily extra) {
  std::string out;
  auto add = [&out](std::string_view s) {
    if (!out.empty()) out += " | ";
    out += s;
  };
  std::uint32_t known = UTRACE_RESUME_MASK;
  if (extra == ActionFamily::Signal) {
    // The mask has room for 16 signal actions; the kernel names 8.  Any other
    // value (a callback can return anything) is shown as its bits.
    if (std::uint32_t s = (v & UTRACE_SIGNAL_MASK) >> 4; s < std::size(kSignalActionNames))
      add(kSignalActionNames[s]);
    else
      add(hex(v & UTRACE_SIGNAL_MASK));
    if (v & UTRACE_SIGNAL_HOLD) add("UTRACE_SIGNAL_HOLD");
    known |= UTRACE_SIGNAL_MASK | UTRACE_SIGNAL_HOLD;
  } else if (extra == ActionFamily::Syscall) {
    std::uint32_t s = v & UTRACE_SYSCALL_MASK;
    if (s == UTRACE_SYSCALL_RUN)
      add("UTRACE_SYSCALL_RUN");
    else if (s == UTRACE_SYSCALL_ABORT)
      add("UTRACE_SYSCALL_ABORT");
    else
      add(hex(s));
    if (v & UTRACE_SYSCALL_RESUMED) add("UTRACE_SYSCALL_RESUMED");
    known |= UTRACE_SYSCALL_MASK | UTRACE_SYSCALL_RESUMED;
  }
  add(utrace_resume_action_name(v & UTRACE_RESUME_MASK));  // the low bits: always a name
  if (std::uint32_t rest = v & ~known) add(hex(rest));
  return out;
}

std::optional<std::uint32_t> utrace_attach_flag_from_name(std::string_view name) { return lookup(kAttachFlags, name); }

const std::vector<PlainSyscall>& plain_syscalls() {
  // x86_64 numbers (arch/x86/include/asm/unistd_64.h).  read and write are
  // plain "returns 0" calls in the model: there are no files.
  static const std::vector<PlainSyscall> table{
      {"read", 0},      {"write", 1},     {"sched_yield", 24},  {"getpid", 39},   {"uname", 63},
      {"getcwd", 79},   {"umask", 95},    {"gettimeofday", 96}, {"getuid", 102},  {"getgid", 104},
      {"geteuid", 107}, {"getegid", 108}, {"getppid", 110},     {"getpgrp", 111}, {"getsid", 124},
      {"sync", 162},    {"gettid", 186},  {"time", 201},        {"getpgid", 121}, {"sched_getscheduler", 145},
  };
  return table;
}

const PlainSyscall* find_plain_syscall(std::string_view name) {
  for (const auto& s : plain_syscalls())
    if (name == s.name) return &s;
  return nullptr;
}

const PlainSyscall* find_plain_syscall_nr(long nr) {
  for (const auto& s : plain_syscalls())
    if (nr == s.nr) return &s;
  return nullptr;
}

}  // namespace model
