// scenario/scenario.cpp: the name tables of scenario.h (kernel versions, bugs,
// properties, task states, callbacks, strategies, plain syscalls).  The
// spellings are those of SCENARIOS.md; they are part of the file format.
#include "scenario/scenario.h"

#include <iterator>

namespace model {
namespace {

// Linear lookup in a table indexed by the enum's value.
template <class E, std::size_t N>
std::optional<E> index_of(const std::string_view (&names)[N], std::string_view s) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<E>(i);
  return std::nullopt;
}

template <std::size_t N, class E>
const char* name_at(const std::string_view (&names)[N], E e) {
  auto i = static_cast<std::size_t>(e);
  return i < N ? names[i].data() : "?";
}

constexpr std::string_view kKernelNames[] = {"2009-rfc", "2010-rhel6", "2011-3x"};

// SCENARIOS.md "Properties", in the order of enum Property.
constexpr std::string_view kPropertyNames[] = {
    "unexpected-result",   "callback-after-detach", "disabled-callback",
    "stop-without-engine", "missing-death-report",  "reap-before-death",
    "callback-with-lock",  "callback-order",        "event-before-attach",
    "null-callback",       "engine-lifetime",       "run-while-stopped",
    "sigkill-primacy",     "hang",                  "model-invariant",
};
static_assert(std::size(kPropertyNames) == kPropertyCount);

constexpr std::string_view kTaskStateNames[] = {"running", "sleeping", "stopped",
                                                "traced",  "zombie",   "dead"};

constexpr std::string_view kCallbackNames[] = {
    "report_quiesce",       "report_reap",         "report_clone",  "report_exec",
    "report_exit",          "report_death",        "report_syscall_entry",
    "report_syscall_exit",  "report_signal",       "report_jctl",   "release",
};
static_assert(std::size(kCallbackNames) == kCallbackCount);

constexpr std::string_view kStrategyNames[] = {"random", "pct", "dfs", "dpor", "portfolio"};

}  // namespace

const char* kernel_version_name(KernelVersion v) { return name_at(kKernelNames, v); }
std::optional<KernelVersion> kernel_version_from_name(std::string_view s) {
  return index_of<KernelVersion>(kKernelNames, s);
}

std::optional<int> bug_from_name(std::string_view s) {
  // "R1".."R17": no sign, no leading zero, no spaces.
  if (s.size() < 2 || s.size() > 3 || s[0] != 'R' || s[1] < '1' || s[1] > '9') return std::nullopt;
  int n = s[1] - '0';
  if (s.size() == 3) {
    if (s[2] < '0' || s[2] > '9') return std::nullopt;
    n = n * 10 + (s[2] - '0');
  }
  if (n > kMaxBug) return std::nullopt;
  return n;
}

const char* property_name(Property p) { return name_at(kPropertyNames, p); }
std::optional<Property> property_from_name(std::string_view s) {
  return index_of<Property>(kPropertyNames, s);
}

const char* task_state_name(TaskState s) { return name_at(kTaskStateNames, s); }
std::optional<TaskState> task_state_from_name(std::string_view s) {
  return index_of<TaskState>(kTaskStateNames, s);
}

const char* callback_name(Callback c) { return name_at(kCallbackNames, c); }
std::optional<Callback> callback_from_name(std::string_view s) {
  return index_of<Callback>(kCallbackNames, s);
}

const char* strategy_name(Strategy s) { return name_at(kStrategyNames, s); }
std::optional<Strategy> strategy_from_name(std::string_view s) {
  return index_of<Strategy>(kStrategyNames, s);
}

const std::vector<PlainSyscall>& plain_syscalls() {
  // x86_64 numbers (arch/x86/include/asm/unistd_64.h).  read and write are
  // plain "returns 0" calls in the model: there are no files.
  static const std::vector<PlainSyscall> table{
      {"read", 0},          {"write", 1},         {"sched_yield", 24}, {"getpid", 39},
      {"uname", 63},        {"getcwd", 79},       {"umask", 95},       {"gettimeofday", 96},
      {"getuid", 102},      {"getgid", 104},      {"geteuid", 107},    {"getegid", 108},
      {"getppid", 110},     {"getpgrp", 111},     {"getsid", 124},     {"sync", 162},
      {"gettid", 186},      {"time", 201},
  };
  return table;
}

const PlainSyscall* find_plain_syscall(std::string_view name) {
  for (const auto& s : plain_syscalls())
    if (name == s.name) return &s;
  return nullptr;
}

}  // namespace model
