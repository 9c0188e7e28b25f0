// scenario/load/ops_user.cpp: the arguments of the user-mode,
// process and synchronisation ops (SCENARIOS.md tables "User-mode ops" and
// "Synchronisation ops").
#include "scenario/load/impl.h"

namespace model::loader {
namespace {

constexpr std::int64_t kMaxCount = 1'000'000'000;  // compute steps, nanosleep ticks, loop times
constexpr std::int64_t kMaxRetry = 1'000'000;
const Ctx kChildCtx{Ctx::Where::User};  // new processes and exec'd images run user code

std::optional<std::uint32_t> sa_flag_from_name(std::string_view s) {
  // SA_RESETHAND, SA_RESTART, SA_NODEFER are SCENARIOS.md's; the others are
  // accepted as an extension.
  if (s == "SA_RESETHAND") return SA_RESETHAND;
  if (s == "SA_RESTART") return SA_RESTART;
  if (s == "SA_NODEFER") return SA_NODEFER;
  if (s == "SA_NOCLDSTOP") return SA_NOCLDSTOP;
  if (s == "SA_NOCLDWAIT") return SA_NOCLDWAIT;
  if (s == "SA_SIGINFO") return SA_SIGINFO;
  if (s == "SA_ONSTACK") return SA_ONSTACK;
  return std::nullopt;
}

std::string syscall_list() {
  std::string s;
  for (const auto& sc : plain_syscalls()) s += (s.empty() ? "" : ", ") + std::string(sc.name);
  return s;
}

}  // namespace

// A list of clone flag names and at most one exit signal (the low byte,
// CSIGNAL), as clone(2) takes them: the clone op's flags and expect_args'
// clone_flags.
Loader::CloneFlags Loader::clone_flags(const Json& f, const std::string& ptr) {
  CloneFlags out;
  std::string signal_seen;
  for (std::size_t i = 0; i < f.size(); ++i) {
    std::string p = ptr_append(ptr, i);
    auto s = string(f[i], p, "a clone flag");
    if (!s) continue;
    if (auto fl = clone_flag_from_name(*s)) {
      out.flags |= *fl;
    } else if (auto sig = signal_from_name(*s)) {
      if (!signal_seen.empty())
        error("scenario.E017", p,
              "two exit signals in clone flags ('" + signal_seen + "' and '" + *s + "'): the low byte holds one");
      signal_seen = *s;
      out.exit_signal = *sig;
    } else {
      error("scenario.E032", p,
            "unknown clone flag '" + *s +
                "' (expected CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND, CLONE_PTRACE, "
                "CLONE_VFORK, CLONE_PARENT, CLONE_THREAD, CLONE_SYSVSEM, CLONE_SETTLS, "
                "CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID, CLONE_UNTRACED, "
                "CLONE_CHILD_SETTID, and at most one exit signal like SIGCHLD)");
    }
  }
  return out;
}

const PlainSyscall* Loader::plain_syscall(const std::string& name, const std::string& ptr) {
  if (const PlainSyscall* sc = find_plain_syscall(name)) return sc;
  std::vector<std::string_view> names;
  for (const auto& p : plain_syscalls()) names.push_back(p.name);
  std::string c = closest(name, names);
  error("scenario.E048", ptr,
        "unknown syscall '" + name + "' (expected a plain syscall: " + syscall_list() +
            (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
  return nullptr;
}

std::unique_ptr<Args> Loader::args(std::string_view op, const Json& v, const std::string& ptr, std::string_view main,
                                   std::initializer_list<std::string_view> keys, bool list_shorthand) {
  std::string what = "the arguments of '" + std::string(op) + "'";
  if (v.is_object()) {
    if (!object(v, ptr, what, keys)) return nullptr;
    return std::make_unique<Args>(&v, ptr);
  }
  if (!main.empty() && (list_shorthand || !v.is_array())) return std::make_unique<Args>(main, v, ptr);
  error("scenario.E010", ptr,
        "expected an object for " + what +
            (main.empty() ? std::string() : " (or its \"" + std::string(main) + "\" alone)") + ", got " + type_name(v));
  return nullptr;
}

const Json* Loader::need(const Args& a, std::string_view op, std::string_view key) {
  const Json* m = a.get(key);
  if (!m)
    error("scenario.E011", a.ptr(),
          "missing key '" + std::string(key) + "' in the arguments of '" + std::string(op) + "'" +
              (a.shorthand() ? " (a scalar argument is shorthand for the main field '" + std::string(a.main()) +
                                   "' only; '" + std::string(key) + "' has no default: write {\"" +
                                   std::string(a.main()) + "\": ..., \"" + std::string(key) + "\": ...})"
                             : std::string()));
  return m;
}

// pause, settle.  {} (x- keys allowed), or null/true as shorthand.
void Loader::read_pause(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  if (v.is_object())
    object(v, ptr, "the arguments of '" + std::string(key) + "'", {});
  else if (!(v.is_null() || (v.is_boolean() && v.get<bool>())))
    error("scenario.E055", ptr,
          "expected {} for '" + std::string(key) + "' (null and true are accepted too), got " +
              (v.is_boolean() ? std::string("false") : type_name(v)));
  if (key == "pause")
    out.body = PauseOp{};
  else
    out.body = SettleOp{};
}

// syscall.
void Loader::read_syscall(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "name", {"name"});
  if (!a) return;
  SyscallOp op;
  if (const Json* n = need(*a, key, "name")) {
    if (auto s = string(*n, a->at("name"), "a syscall name")) {
      if (const PlainSyscall* sc = plain_syscall(*s, a->at("name"))) op.name = sc->name;
    }
  }
  out.body = std::move(op);
}

// compute, nanosleep.
void Loader::read_compute(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  const char* field = key == "compute" ? "steps" : "ticks";
  auto a = args(key, v, ptr, field, {field});
  if (!a) return;
  std::uint64_t n = 1;
  if (const Json* f = a->get(field)) {
    auto x = integer(*f, a->at(field), 0, kMaxCount, std::string(key) + " " + field);
    if (x) n = static_cast<std::uint64_t>(*x);
  }
  if (key == "compute")
    out.body = ComputeOp{n};
  else
    out.body = NanosleepOp{n};
}

// alarm.  Extension: alarm(2).  Main field: seconds (ticks of virtual time).
void Loader::read_alarm(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "seconds", {"seconds"});
  if (!a) return;
  AlarmOp op;
  if (const Json* s = need(*a, key, "seconds"))
    if (auto x = integer(*s, a->at("seconds"), 0, UINT32_MAX, "alarm seconds"))
      op.seconds = static_cast<std::uint32_t>(*x);
  out.body = op;
}

// loop.
void Loader::read_loop(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "times", {"times", "forever", "do"});
  if (!a) return;
  LoopOp op;
  const Json* times = a->get("times");
  const Json* forever = a->get("forever");
  if (times && forever) {
    error("scenario.E017", ptr, "a loop has \"times\" or \"forever\", not both");
  } else if (!times && !forever) {
    error("scenario.E011", ptr, "a loop needs \"times\": n or \"forever\": true");
  } else if (times) {
    if (auto x = integer(*times, a->at("times"), 0, kMaxCount, "loop times")) op.times = static_cast<std::uint64_t>(*x);
  } else if (auto b = boolean(*forever, a->at("forever"), "\"forever\"")) {
    if (!*b)
      error("scenario.E055", a->at("forever"), "\"forever\" can only be true (use \"times\" for a bounded loop)");
    op.forever = true;
  }
  if (const Json* body = a->get("do")) op.body = program(*body, a->at("do"), ctx);
  out.body = std::move(op);
}

// sigaction.  Main field: sig.  Without "handler" the call is sigaction(sig, NULL,
// &old): it changes nothing (kernel/signal.c do_sigaction()).
void Loader::read_sigaction(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "sig", {"sig", "handler", "flags"});
  if (!a) return;
  SigactionOp op;
  if (const Json* s = need(*a, key, "sig"))
    if (auto sig = signal(*s, a->at("sig"), 1, "sigaction")) op.sig = *sig;
  if (const Json* h = a->get("handler")) {
    if (auto hd = handler(*h, a->at("handler"))) op.handler = std::move(*hd);
  } else {
    op.has_handler = false;
    if (a->get("flags"))
      error("scenario.E017", a->at("flags"),
            "\"flags\" without \"handler\": the flags belong to the new action (sa_flags); a sigaction "
            "without a handler only reads the old one");
  }
  if (const Json* f = a->get("flags"))
    if (auto fl = flags<std::uint32_t>(*f, a->at("flags"), "scenario.E040", "sigaction flag", sa_flag_from_name,
                                       "SA_RESETHAND, SA_RESTART, SA_NODEFER, SA_NOCLDSTOP, "
                                       "SA_NOCLDWAIT, SA_SIGINFO or SA_ONSTACK"))
      op.flags = *fl;
  out.body = std::move(op);
}

// sigprocmask.  Main field: block (a signal or a list of them).
void Loader::read_sigprocmask(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "block", {"block", "unblock", "set"}, /*list_shorthand=*/true);
  if (!a) return;
  SigprocmaskOp op;
  std::vector<std::string_view> given;
  for (std::string_view k : {"block", "unblock", "set"})
    if (a->get(k)) given.push_back(k);
  if (given.empty()) {
    error("scenario.E011", ptr, "sigprocmask needs one of \"block\", \"unblock\", \"set\"");
  } else if (given.size() > 1) {
    error("scenario.E017", ptr, "sigprocmask takes exactly one of \"block\", \"unblock\", \"set\" (write two ops)");
  } else {
    op.how = given[0] == "block"     ? SigprocmaskOp::How::Block
             : given[0] == "unblock" ? SigprocmaskOp::How::Unblock
                                     : SigprocmaskOp::How::Set;
    // Extension: one signal stands for a set of one.
    const Json& sv = *a->get(given[0]);
    if (auto set = sv.is_array() ? signal_set(sv, a->at(given[0])) : single_signal_set(sv, a->at(given[0])))
      op.set = *set;
  }
  out.body = std::move(op);
}

// raise.
void Loader::read_raise(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "sig", {"sig"});
  if (!a) return;
  RaiseOp op;
  if (const Json* s = need(*a, key, "sig"))
    if (auto sig = signal(*s, a->at("sig"), 0, "raise")) op.sig = *sig;
  out.body = op;
}

// kill, tkill.  Main field: pid; sig has no default (kill(2) has none).
void Loader::read_kill(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "pid", {"pid", "sig"});
  if (!a) return;
  KillOp op;
  op.thread = key == "tkill";
  if (const Json* p = need(*a, key, "pid"))
    if (auto t = task_ref(*p, a->at("pid"), ctx)) op.pid = *t;
  if (const Json* s = need(*a, key, "sig"))
    if (auto sig = signal(*s, a->at("sig"), 0, std::string(key))) op.sig = *sig;
  out.body = op;
}

// exit, exit_group.
void Loader::read_exit(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "code", {"code"});
  if (!a) return;
  ExitOp op;
  op.group = key == "exit_group";
  if (const Json* c = a->get("code"))
    if (auto x = integer(*c, a->at("code"), 0, 255, "an exit code")) op.code = static_cast<int>(*x);
  out.body = op;
}

// await, assert_state.  Main field: task; state has no default.
void Loader::read_await(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "task", {"task", "state"});
  if (!a) return;
  AwaitOp op;
  op.assert_now = key == "assert_state";
  if (const Json* t = need(*a, key, "task"))
    if (auto r = task_ref(*t, a->at("task"), ctx)) op.task = *r;
  if (const Json* s = need(*a, key, "state"))
    if (auto st = task_state(*s, a->at("state"))) op.state = *st;
  out.body = op;
}

// complete, wait_for_completion.
void Loader::read_completion(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "name", {"name"});
  if (!a) return;
  CompletionOp op;
  op.wait = key == "wait_for_completion";
  if (const Json* n = need(*a, key, "name"))
    if (auto s = name(*n, a->at("name"), "a completion"))
      op.completion = intern(sc_.completion_names, completion_index_, *s);
  out.body = op;
}

// retry.
void Loader::read_retry(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "", {"do", "until", "max"});
  if (!a) return;
  RetryOp op;
  if (const Json* body = need(*a, key, "do")) {
    if (auto o = this->op(*body, a->at("do"), ctx)) op.body = std::make_unique<Op>(std::move(*o));
  }
  if (const Json* u = need(*a, key, "until"))
    if (auto alt = alternatives(*u, a->at("until"), ctx)) op.until = std::move(*alt);
  if (const Json* m = a->get("max"))
    if (auto x = integer(*m, a->at("max"), 1, kMaxRetry, "retry max")) op.max = static_cast<std::uint64_t>(*x);
  out.body = std::move(op);
}

std::optional<SignalHandler> Loader::handler(const Json& v, const std::string& ptr) {
  constexpr const char* kForms =
      "\"SIG_DFL\", \"SIG_IGN\", \"noop\", {\"exit\": n}, {\"raise\": sig} or {\"do\": [ops]}";
  SignalHandler h;
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (s == "SIG_DFL")
      h.kind = SignalHandler::Kind::Default;
    else if (s == "SIG_IGN")
      h.kind = SignalHandler::Kind::Ignore;
    else if (s == "noop")
      h.kind = SignalHandler::Kind::Noop;
    else {
      std::string c = closest(s, {"SIG_DFL", "SIG_IGN", "noop"});
      error("scenario.E041", ptr,
            "unknown signal handler '" + s + "' (expected " + kForms +
                (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
      return std::nullopt;
    }
    return h;
  }
  if (!v.is_object()) {
    error("scenario.E010", ptr, std::string("expected a signal handler (") + kForms + "), got " + type_name(v));
    return std::nullopt;
  }
  if (!object(v, ptr, "a signal handler", {"exit", "raise", "do"})) return std::nullopt;
  std::vector<std::string_view> given;
  for (std::string_view k : {"exit", "raise", "do"})
    if (member(v, k)) given.push_back(k);
  if (given.empty()) {
    error("scenario.E011", ptr,
          std::string("a signal handler object needs one of \"exit\", "
                      "\"raise\", \"do\" (expected ") +
              kForms + ")");
    return std::nullopt;
  }
  if (given.size() > 1) {
    error("scenario.E017", ptr, "a signal handler has exactly one of \"exit\", \"raise\", \"do\"");
    return std::nullopt;
  }
  std::string p = ptr_append(ptr, given[0]);
  const Json& val = v[std::string(given[0])];
  if (given[0] == "exit") {
    auto code = integer(val, p, 0, 255, "an exit code");
    if (!code) return std::nullopt;
    h.kind = SignalHandler::Kind::Exit;
    h.value = static_cast<int>(*code);
  } else if (given[0] == "raise") {
    auto sig = signal(val, p, 1, "a handler's raise");
    if (!sig) return std::nullopt;
    h.kind = SignalHandler::Kind::Raise;
    h.value = *sig;
  } else {
    h.kind = SignalHandler::Kind::Do;
    // A handler runs in user mode, whatever installed it.
    h.body = program(val, p, Ctx{Ctx::Where::User});
  }
  return h;
}

// The task slot of a fork/vfork/clone's "child", found by names.cpp's scan
// under the op's own pointer; -1 after an error.
int Loader::child_slot(std::string_view key, const Args& a, const std::string& ptr) {
  const Json* c = need(a, key, "child");
  if (!c) return -1;
  if (!string(*c, a.at("child"), "a child's task name")) return -1;
  auto it = child_slot_.find(ptr.substr(0, ptr.rfind('/')));  // the op object
  return it == child_slot_.end() ? -1 : it->second;
}

// fork, vfork.
void Loader::read_fork(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "child", {"child", "program"});
  if (!a) return;
  ForkOp op;
  op.vfork = key == "vfork";
  op.child = child_slot(key, *a, ptr);
  if (const Json* p = a->get("program")) op.program = program(*p, a->at("program"), kChildCtx);
  out.body = std::move(op);
}

// clone.  Main field: child, as for fork; no flags is clone(0): no exit signal.
void Loader::read_clone(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "child", {"flags", "child", "program"});
  if (!a) return;
  CloneOp op;
  op.child = child_slot(key, *a, ptr);
  if (const Json* f = a->get("flags"); f && array(*f, a->at("flags"), "clone flags")) {
    const CloneFlags fl = clone_flags(*f, a->at("flags"));
    op.flags = fl.flags;
    op.exit_signal = fl.exit_signal;
  }
  if (const Json* p = a->get("program")) op.program = program(*p, a->at("program"), kChildCtx);
  out.body = std::move(op);
}

// exec.
void Loader::read_exec(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  ExecOp op;
  if (v.is_array()) {
    op.program = program(v, ptr, kChildCtx);
  } else {
    auto a = args(key, v, ptr, "program", {"program"});
    if (!a) return;
    if (const Json* p = need(*a, key, "program")) op.program = program(*p, a->at("program"), kChildCtx);
  }
  out.body = std::move(op);
}

// waitpid.
void Loader::read_waitpid(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "pid", {"pid", "options"});
  if (!a) return;
  WaitpidOp op;
  if (const Json* p = need(*a, key, "pid"))
    if (auto t = task_ref(*p, a->at("pid"), ctx, /*allow_any=*/true)) op.pid = *t;
  if (const Json* o = a->get("options"))
    if (auto fl = flags<std::uint32_t>(*o, a->at("options"), "scenario.E033", "wait option", wait_option_from_name,
                                       "WNOHANG, WUNTRACED, WSTOPPED, WEXITED, WCONTINUED, "
                                       "WNOWAIT, __WNOTHREAD, __WALL or __WCLONE"))
      op.options = *fl;
  out.body = op;
}

// ptrace.  Main field: request ({"ptrace": "PTRACE_TRACEME"} is a whole call).
void Loader::read_ptrace(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "request", {"request", "pid", "sig", "options"});
  if (!a) return;
  PtraceOp op;
  bool known_request = false;
  if (const Json* r = need(*a, key, "request")) {
    if (r->is_number()) {  // extension: a raw request number (unknown ones give -EIO)
      if (auto x = integer(*r, a->at("request"), 0, INT32_MAX, "a ptrace request")) {
        op.request = static_cast<int>(*x);
        known_request = true;
      }
    } else if (auto s = string(*r, a->at("request"), "a ptrace request")) {
      if (auto req = ptrace_request_from_name(*s)) {
        op.request = *req;
        known_request = true;
      } else {
        error("scenario.E034", a->at("request"),
              "unknown ptrace request '" + *s +
                  "' (expected a name like PTRACE_ATTACH, PTRACE_CONT, PTRACE_SETOPTIONS, "
                  "PTRACE_TRACEME, PTRACE_DETACH, PTRACE_SYSCALL)");
      }
    }
  }
  if (const Json* p = a->get("pid")) {
    if (auto t = task_ref(*p, a->at("pid"), ctx)) {
      op.pid = *t;
      op.has_pid = true;
    }
  } else if (known_request && op.request != PTRACE_TRACEME) {
    error("scenario.E011", ptr,
          ptrace_request_name(op.request) + " needs a \"pid\" (only PTRACE_TRACEME has none" +
              (a->shorthand() ? "; a scalar argument is shorthand for the main field 'request' only: write "
                                "{\"request\": ..., \"pid\": ...})"
                              : ")"));
  }
  if (const Json* s = a->get("sig")) {
    if (s->is_number()) {
      // Extension: any data value as a number, so that an invalid signal
      // (> _NSIG) can be passed on and get the kernel's -EIO.
      if (auto x = integer(*s, a->at("sig"), 0, INT32_MAX, "ptrace's sig")) op.sig = static_cast<int>(*x);
    } else if (auto sig = signal(*s, a->at("sig"), 0, "ptrace's sig")) {
      op.sig = *sig;
    }
  }
  if (const Json* o = a->get("options")) {
    if (known_request && op.request != PTRACE_SETOPTIONS) {
      error("scenario.E066", a->at("options"),
            "\"options\" goes only with PTRACE_SETOPTIONS, not " + ptrace_request_name(op.request));
    } else if (auto fl =
                   flags<std::uint32_t>(*o, a->at("options"), "scenario.E035", "ptrace option", ptrace_option_from_name,
                                        "PTRACE_O_TRACESYSGOOD, _TRACEFORK, _TRACEVFORK, _TRACECLONE, _TRACEEXEC, "
                                        "_TRACEVFORKDONE or _TRACEEXIT")) {
      op.options = *fl;
    }
  }
  out.body = op;
}

}  // namespace model::loader
