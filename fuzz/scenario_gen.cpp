// fuzz/scenario_gen.cpp: the generator of fuzz/scenario_gen.h.
//
// It writes JSON, not model::Scenario: the fuzz target then loads it, so the
// loader's acceptance of every valid scenario is checked on the way, and a
// finding prints a scenario file that `utsim replay` takes as it is.
// Validity is by construction: each op is drawn from the ops allowed where
// it runs (a user program, a kthread, a callback: scenario/load/ops.cpp),
// "$child" only in report_clone, "$engine" only in callbacks, engine
// handles only once an attach binds them, `options` only with
// PTRACE_SETOPTIONS, returns of the family each callback takes.
#include "scenario_gen.h"

#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace fuzzgen {

namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kSignals[] = {"SIGUSR1", "SIGUSR2", "SIGTERM", "SIGKILL",  "SIGSTOP",   "SIGCONT",
                                    "SIGCHLD", "SIGTSTP", "SIGTTIN", "SIGINT",   "SIGHUP",    "SIGTRAP",
                                    "SIGSEGV", "SIGALRM", "SIGQUIT", "SIGRTMIN", "SIGRTMIN+1"};
constexpr const char* kSyscalls[] = {"getpid", "gettid", "getppid", "sched_yield", "getpgrp", "read"};
constexpr const char* kEvents[] = {"QUIESCE",     "REAP",          "CLONE",        "EXEC",   "EXIT",
                                   "DEATH",       "SYSCALL_ENTRY", "SYSCALL_EXIT", "SIGNAL", "SIGNAL_IGN",
                                   "SIGNAL_STOP", "SIGNAL_TERM",   "SIGNAL_CORE",  "JCTL",   "SIGNAL_ALL"};
constexpr const char* kResume[] = {"UTRACE_RESUME",    "UTRACE_STOP",       "UTRACE_DETACH",   "UTRACE_REPORT",
                                   "UTRACE_INTERRUPT", "UTRACE_SINGLESTEP", "UTRACE_BLOCKSTEP"};
constexpr const char* kSignalActions[] = {"UTRACE_SIGNAL_DELIVER", "UTRACE_SIGNAL_IGN",     "UTRACE_SIGNAL_TERM",
                                          "UTRACE_SIGNAL_CORE",    "UTRACE_SIGNAL_STOP",    "UTRACE_SIGNAL_TSTP",
                                          "UTRACE_SIGNAL_REPORT",  "UTRACE_SIGNAL_HANDLER", "UTRACE_SIGNAL_HOLD"};
constexpr const char* kSyscallActions[] = {"UTRACE_SYSCALL_RUN", "UTRACE_SYSCALL_ABORT"};
constexpr const char* kAttachFlags[] = {"UTRACE_ATTACH_CREATE", "UTRACE_ATTACH_EXCLUSIVE", "UTRACE_ATTACH_MATCH_OPS",
                                        "UTRACE_ATTACH_MATCH_DATA"};
constexpr const char* kWaitOptions[] = {"__WALL", "WNOHANG", "WUNTRACED", "WCONTINUED", "__WCLONE", "__WNOTHREAD"};
constexpr const char* kPtraceRequests[] = {
    "PTRACE_CONT",    "PTRACE_ATTACH",     "PTRACE_DETACH",      "PTRACE_SYSCALL",    "PTRACE_SINGLESTEP",
    "PTRACE_KILL",    "PTRACE_SETOPTIONS", "PTRACE_GETEVENTMSG", "PTRACE_GETSIGINFO", "PTRACE_SETSIGINFO",
    "PTRACE_PEEKUSR", "PTRACE_TRACEME",    "PTRACE_SINGLEBLOCK", "PTRACE_SYSEMU"};
constexpr const char* kPtraceOptions[] = {"PTRACE_O_TRACESYSGOOD", "PTRACE_O_TRACEFORK", "PTRACE_O_TRACEVFORK",
                                          "PTRACE_O_TRACECLONE",   "PTRACE_O_TRACEEXEC", "PTRACE_O_TRACEVFORKDONE",
                                          "PTRACE_O_TRACEEXIT"};
constexpr const char* kStates[] = {"zombie", "dead", "running", "sleeping", "stopped", "traced"};
constexpr const char* kCallbacks[] = {
    "report_quiesce",       "report_reap",         "report_clone",  "report_exec", "report_exit", "report_death",
    "report_syscall_entry", "report_syscall_exit", "report_signal", "report_jctl", "release"};
constexpr const char* kBugs[] = {"R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8", "R9", "R11"};
constexpr const char* kKernels[] = {"2010-rhel6", "2009-rfc", "2011-3x"};
// Clone flag sets: the usual ones first, then invalid mixes (-EINVAL).
const std::vector<std::vector<const char*>> kCloneFlags = {
    {"SIGCHLD"},
    {"CLONE_VM", "CLONE_SIGHAND", "CLONE_THREAD"},
    {"CLONE_VM", "CLONE_VFORK", "SIGCHLD"},
    {"CLONE_PTRACE", "SIGCHLD"},
    {"CLONE_UNTRACED", "SIGCHLD"},
    {"CLONE_PARENT", "SIGCHLD"},
    {"CLONE_VM", "CLONE_SIGHAND"},
    {},
    {"CLONE_THREAD"},
    {"CLONE_SIGHAND"},
    {"CLONE_VM", "CLONE_SIGHAND", "CLONE_THREAD", "CLONE_PTRACE", "SIGUSR1"},
};

enum class Where { User, Kthread, Callback };

enum class Kind {
  // anywhere
  compute,
  nanosleep,
  loop,
  raise,
  kill,
  tkill,
  settle,
  await,
  assert_state,
  complete,
  wait_for_completion,
  attach,
  set_events,
  control,
  barrier,
  examine,
  engine_put,
  retry,
  // user programs
  syscall,
  pause,
  sigaction,
  sigprocmask,
  fork,
  vfork,
  clone,
  exec,
  exit,
  exit_group,
  waitpid,
  ptrace,
};

struct Weighted {
  Kind kind;
  int weight;
};

// The first entry is what an exhausted input gets: harmless and finite.
constexpr Weighted kUserOps[] = {
    {Kind::compute, 4},
    {Kind::syscall, 5},
    {Kind::sigaction, 4},
    {Kind::raise, 4},
    {Kind::kill, 5},
    {Kind::fork, 5},
    {Kind::waitpid, 5},
    {Kind::exit, 2},
    {Kind::exit_group, 1},
    {Kind::vfork, 2},
    {Kind::clone, 3},
    {Kind::exec, 2},
    {Kind::ptrace, 6},
    {Kind::sigprocmask, 2},
    {Kind::loop, 3},
    {Kind::nanosleep, 2},
    {Kind::pause, 1},
    {Kind::tkill, 2},
    {Kind::settle, 1},
    {Kind::await, 1},
    {Kind::assert_state, 1},
    {Kind::complete, 2},
    {Kind::wait_for_completion, 1},
    {Kind::attach, 2},
    {Kind::set_events, 1},
    {Kind::control, 1},
    {Kind::retry, 1},
};
constexpr Weighted kKthreadOps[] = {
    {Kind::compute, 2},      {Kind::attach, 8},   {Kind::set_events, 8},          {Kind::control, 6},
    {Kind::barrier, 2},      {Kind::examine, 2},  {Kind::engine_put, 1},          {Kind::kill, 3},
    {Kind::tkill, 1},        {Kind::complete, 2}, {Kind::wait_for_completion, 2}, {Kind::await, 2},
    {Kind::assert_state, 1}, {Kind::settle, 1},   {Kind::nanosleep, 1},           {Kind::loop, 2},
    {Kind::retry, 1},        {Kind::exit, 1},
};
constexpr Weighted kCallbackOps[] = {
    {Kind::compute, 2},    {Kind::control, 4},
    {Kind::set_events, 4}, {Kind::attach, 3},
    {Kind::complete, 4},   {Kind::kill, 3},
    {Kind::raise, 1},      {Kind::barrier, 1},
    {Kind::examine, 1},    {Kind::wait_for_completion, 1},
    {Kind::engine_put, 1}, {Kind::loop, 1},
    {Kind::retry, 1},      {Kind::nanosleep, 1},
};

template <std::size_t N>
const char* pick(FuzzedDataProvider& in, const char* const (&names)[N]) {
  return names[in.ConsumeIntegralInRange<std::size_t>(0, N - 1)];
}

class Gen {
 public:
  Gen(FuzzedDataProvider& in, const Options& opt) : in_(in), opt_(opt), ops_left_(opt.max_ops) {}

  Json scenario() {
    Json s = Json::object();
    s["utsim"] = 1;
    s["name"] = "fuzz";
    s["summary"] = "generated by fuzz/scenario_gen.cpp";
    const char* kernel = pick(in_, kKernels);
    ptrace_ok_ = std::string(kernel) != "2011-3x";  // 3.x ptrace is not on utrace: not modelled
    Json model = {{"kernel", kernel}};
    if (opt_.bugs && in_.ConsumeIntegralInRange(0, 7) == 7) {
      Json bugs = Json::array();
      for (int i = in_.ConsumeIntegralInRange(1, 2); i > 0; --i) {
        const char* b = pick(in_, kBugs);
        if (std::find(bugs.begin(), bugs.end(), b) == bugs.end()) bugs.push_back(b);
      }
      model["bugs"] = bugs;
    }
    s["model"] = model;
    engines_ = in_.ConsumeIntegralInRange(1, 3);

    const int ntasks = in_.ConsumeIntegralInRange(1, 4);
    std::vector<bool> kthread(static_cast<std::size_t>(ntasks));
    for (int i = 0; i < ntasks; ++i) {
      tasks_.push_back("T" + std::to_string(i));
      kthread[static_cast<std::size_t>(i)] = i > 0 && in_.ConsumeIntegralInRange(0, 2) == 0;
    }
    Json tasks = Json::array();
    for (int i = 0; i < ntasks; ++i) {
      Json t = {{"name", tasks_[static_cast<std::size_t>(i)]}};
      const bool k = kthread[static_cast<std::size_t>(i)];
      if (k) t["kind"] = "kthread";
      t["program"] = program(k ? Where::Kthread : Where::User, 8);
      tasks.push_back(std::move(t));
    }
    // Engine tables last: their `do` lists may use the handles bound above.
    Json engines = Json::object();
    for (int e = 0; e < engines_; ++e) engines["E" + std::to_string(e)] = engine_table();
    s["engines"] = std::move(engines);
    s["tasks"] = std::move(tasks);
    return s;
  }

 private:
  int range(int lo, int hi) { return in_.ConsumeIntegralInRange(lo, hi); }
  bool one_in(int n) { return range(0, n - 1) == n - 1; }

  Json program(Where w, int max_len, const char* cb = nullptr) {
    Json p = Json::array();
    if (depth_ >= 3) return p;
    ++depth_;
    for (int n = range(0, max_len); n > 0 && ops_left_ > 0; --n) p.push_back(op(w, cb));
    --depth_;
    return p;
  }

  Kind choose(std::span<const Weighted> table) {
    int total = 0;
    for (const Weighted& x : table) total += x.weight;
    int r = range(0, total - 1);
    for (const Weighted& x : table) {
      if (r < x.weight) return x.kind;
      r -= x.weight;
    }
    return table.front().kind;
  }

  std::string signal(bool allow_zero) {
    if (allow_zero && one_in(16)) return "0";
    return pick(in_, kSignals);
  }
  Json signal_json(bool allow_zero) {
    std::string s = signal(allow_zero);
    if (s == "0") return 0;
    return s;
  }
  Json task(Where w, const char* cb) {
    const bool in_clone = cb && std::string(cb) == "report_clone";
    const int n = static_cast<int>(tasks_.size());
    const int r = range(0, n + 1);
    if (r < n) return tasks_[static_cast<std::size_t>(r)];
    if (in_clone && r == n + 1) return "$child";
    return "$task";
  }
  Json flags(std::span<const char* const> names, int max) {
    Json f = Json::array();
    for (int n = range(0, max); n > 0; --n) {
      const char* x = names[in_.ConsumeIntegralInRange<std::size_t>(0, names.size() - 1)];
      if (std::find(f.begin(), f.end(), x) == f.end()) f.push_back(x);
    }
    return f;
  }
  // An engine handle bound somewhere before, or "$engine" in a callback;
  // null when there is none (the caller attaches instead).
  Json handle(Where w) {
    if (w == Where::Callback && (handles_.empty() || one_in(2))) return "$engine";
    if (handles_.empty()) return nullptr;
    return handles_[in_.ConsumeIntegralInRange<std::size_t>(0, handles_.size() - 1)];
  }
  std::string child_name() { return "C" + std::to_string(children_++); }

  Json op(Where w, const char* cb) {
    --ops_left_;
    Kind k = w == Where::User ? choose(kUserOps) : w == Where::Kthread ? choose(kKthreadOps) : choose(kCallbackOps);
    if ((k == Kind::ptrace && !ptrace_ok_)) k = Kind::syscall;
    Json o = body(k, w, cb);
    return o;
  }

  Json utrace_target_op(const char* key, Where w, const char* cb, Json extra = Json::object()) {
    Json h = handle(w);
    if (h.is_null()) return attach(w, cb);
    Json a = {{"target", task(w, cb)}, {"engine", h}};
    for (auto& [k, v] : extra.items()) a[k] = v;
    return {{key, a}};
  }

  Json attach(Where w, const char* cb) {
    Json a = {{"target", task(w, cb)}};
    const int which = range(0, engines_ + 1);
    if (which < engines_)
      a["ops"] = "E" + std::to_string(which);
    else if (which == engines_)
      a["ops"] = "E0";
    else
      a["ops"] = one_in(2) ? Json(nullptr) : Json("utrace_detached_ops");
    if (one_in(4)) a["data"] = one_in(2) ? "d0" : "d1";
    Json f = flags(kAttachFlags, 2);
    if (!one_in(4) && std::find(f.begin(), f.end(), "UTRACE_ATTACH_CREATE") == f.end())
      f.push_back("UTRACE_ATTACH_CREATE");
    a["flags"] = f;
    std::string h = "h" + std::to_string(range(0, 3));
    if (std::find(handles_.begin(), handles_.end(), h) == handles_.end()) handles_.push_back(h);
    return {{"utrace_attach_task", a}, {"as", h}};
  }

  Json body(Kind k, Where w, const char* cb) {
    switch (k) {
      case Kind::compute: return {{"compute", range(1, 4)}};
      case Kind::nanosleep: return {{"nanosleep", range(1, 5)}};
      case Kind::loop: {
        Json l = Json::object();
        if (one_in(12))
          l["forever"] = true;
        else
          l["times"] = range(0, 3);
        l["do"] = program(w, 3, cb);
        return {{"loop", l}};
      }
      case Kind::raise: return {{"raise", signal(false)}};
      case Kind::kill:
      case Kind::tkill:
        return {{k == Kind::kill ? "kill" : "tkill", {{"pid", task(w, cb)}, {"sig", signal_json(true)}}}};
      case Kind::settle: return {{"settle", Json::object()}};
      case Kind::await:
      case Kind::assert_state:
        return {{k == Kind::await ? "await" : "assert_state", {{"task", task(w, cb)}, {"state", pick(in_, kStates)}}}};
      case Kind::complete:
      case Kind::wait_for_completion:
        return {{k == Kind::complete ? "complete" : "wait_for_completion", "c" + std::to_string(range(0, 2))}};
      case Kind::attach: return attach(w, cb);
      case Kind::set_events: return utrace_target_op("utrace_set_events", w, cb, {{"events", flags(kEvents, 4)}});
      case Kind::control: {
        Json action = one_in(16) ? Json(range(0, 255)) : Json(pick(in_, kResume));
        return utrace_target_op("utrace_control", w, cb, {{"action", action}});
      }
      case Kind::barrier: return utrace_target_op("utrace_barrier", w, cb);
      case Kind::examine:
        return utrace_target_op(one_in(2) ? "utrace_prepare_examine" : "utrace_finish_examine", w, cb);
      case Kind::engine_put: {
        Json h = handle(w);
        if (h.is_null()) return attach(w, cb);
        return {{"utrace_engine_put", h}};
      }
      case Kind::retry: {
        Json inner = Json{{"compute", 1}};
        if (depth_ < 3) {
          ++depth_;
          inner = op(w, cb);
          --depth_;
        }
        Json until = Json::array({0});
        if (one_in(2)) until.push_back("-ESRCH");
        return {{"retry", {{"do", inner}, {"until", until}, {"max", range(1, 4)}}}};
      }
      case Kind::syscall: return {{"syscall", pick(in_, kSyscalls)}};
      case Kind::pause: return {{"pause", Json::object()}};
      case Kind::sigaction: {
        Json h;
        switch (range(0, 5)) {
          case 0: h = "noop"; break;
          case 1: h = "SIG_DFL"; break;
          case 2: h = "SIG_IGN"; break;
          case 3: h = {{"exit", range(0, 255)}}; break;
          case 4: h = {{"raise", signal(false)}}; break;
          default: h = {{"do", program(Where::User, 3)}}; break;
        }
        Json a = {{"sig", signal(false)}, {"handler", h}};
        static constexpr const char* kSaFlags[] = {"SA_RESTART", "SA_RESETHAND", "SA_NODEFER"};
        Json f = flags(kSaFlags, 2);
        if (!f.empty()) a["flags"] = f;
        return {{"sigaction", a}};
      }
      case Kind::sigprocmask: {
        static constexpr const char* kHow[] = {"block", "unblock", "set"};
        Json set = Json::array();
        for (int n = range(0, 3); n > 0; --n) set.push_back(signal(false));
        return {{"sigprocmask", {{pick(in_, kHow), set}}}};
      }
      case Kind::fork:
      case Kind::vfork: {
        const std::string c = child_name();
        tasks_.push_back(c);
        return {{k == Kind::fork ? "fork" : "vfork", {{"child", c}, {"program", program(Where::User, 5)}}}};
      }
      case Kind::clone: {
        const std::string c = child_name();
        tasks_.push_back(c);
        Json f = Json::array();
        for (const char* x : kCloneFlags[in_.ConsumeIntegralInRange<std::size_t>(0, kCloneFlags.size() - 1)])
          f.push_back(x);
        return {{"clone", {{"flags", f}, {"child", c}, {"program", program(Where::User, 5)}}}};
      }
      case Kind::exec: return {{"exec", {{"program", program(Where::User, 4)}}}};
      case Kind::exit: return {{"exit", range(0, 3)}};
      case Kind::exit_group: return {{"exit_group", range(0, 3)}};
      case Kind::waitpid: {
        Json a = {{"pid", one_in(3) ? Json(-1) : task(w, cb)}};
        a["options"] = flags(kWaitOptions, 2);
        return {{"waitpid", a}};
      }
      case Kind::ptrace: {
        Json a = {{"request", one_in(32) ? Json(range(0, 0x4300)) : Json(pick(in_, kPtraceRequests))}};
        if (a["request"] != "PTRACE_TRACEME" || one_in(8)) a["pid"] = task(w, cb);
        if (one_in(2)) a["sig"] = signal_json(true);
        if (a["request"] == "PTRACE_SETOPTIONS") a["options"] = flags(kPtraceOptions, 3);
        return {{"ptrace", a}};
      }
    }
    return {{"compute", 1}};
  }

  Json engine_table() {
    Json t = Json::object();
    for (const char* cb : kCallbacks) {
      if (!one_in(2)) continue;
      const std::string name = cb;
      const bool is_void = name == "report_reap" || name == "release";
      Json spec = Json::object();
      if (!is_void) {
        Json returns = Json::array();
        for (int n = range(1, 3); n > 0; --n) returns.push_back(callback_return(name));
        spec["return"] = returns.size() == 1 ? returns[0] : returns;
      }
      if (one_in(3)) spec["do"] = program(Where::Callback, 2, cb);
      t[name] = std::move(spec);
    }
    return t;
  }

  Json callback_return(const std::string& cb) {
    if (one_in(32)) return static_cast<std::uint32_t>(in_.ConsumeIntegral<std::uint32_t>());
    std::string r = pick(in_, kResume);
    if (cb == "report_signal" && !one_in(4)) r = std::string(pick(in_, kSignalActions)) + " | " + r;
    if (cb == "report_syscall_entry" && one_in(3)) r = std::string(pick(in_, kSyscallActions)) + " | " + r;
    return r;
  }

  FuzzedDataProvider& in_;
  const Options opt_;
  int ops_left_;
  int depth_ = 0;
  int children_ = 0;
  int engines_ = 1;
  bool ptrace_ok_ = true;
  std::vector<std::string> tasks_;    // every task name so far (declared, then children)
  std::vector<std::string> handles_;  // engine handles bound by an attach so far
};

}  // namespace

nlohmann::ordered_json generate_scenario(FuzzedDataProvider& in, const Options& opt) { return Gen(in, opt).scenario(); }

}  // namespace fuzzgen
