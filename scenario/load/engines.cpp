// scenario/load/engines.cpp: the engine tables of a scenario (SCENARIOS.md
// "Engines"): each callback's returns, its `do` list, and the extensions
// `expect_args` (what it was passed), `set` (what it writes through its
// out-parameters) and returns that read its `action` argument,
// docs/scenarios.md.
#include <algorithm>
#include <bit>

#include "scenario/load/impl.h"

namespace model::loader {
namespace {

// "123", "0x1f" -> value (callback returns written as numbers: an extension).
std::optional<std::uint64_t> parse_number(std::string_view s) {
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty() || s.size() > 10) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s) {
    int d = (c >= '0' && c <= '9')               ? c - '0'
            : base == 16 && c >= 'a' && c <= 'f' ? c - 'a' + 10
            : base == 16 && c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
    if (d < 0) return std::nullopt;
    v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  return v;
}

const std::vector<std::string_view>& action_names() {
  static const std::vector<std::string_view> names{
      "UTRACE_STOP",           "UTRACE_INTERRUPT",   "UTRACE_REPORT",        "UTRACE_SINGLESTEP",
      "UTRACE_BLOCKSTEP",      "UTRACE_RESUME",      "UTRACE_DETACH",        "UTRACE_RESUME_MAX",
      "UTRACE_SIGNAL_DELIVER", "UTRACE_SIGNAL_IGN",  "UTRACE_SIGNAL_TERM",   "UTRACE_SIGNAL_CORE",
      "UTRACE_SIGNAL_STOP",    "UTRACE_SIGNAL_TSTP", "UTRACE_SIGNAL_REPORT", "UTRACE_SIGNAL_HANDLER",
      "UTRACE_SIGNAL_HOLD",    "UTRACE_SYSCALL_RUN", "UTRACE_SYSCALL_ABORT",
  };
  return names;
}

// A return token that reads the callback's `action` argument: `action`
// (all of it), or one of the kernel's accessors applied to it
// (include/linux/utrace.h utrace_resume_action(), utrace_signal_action(),
// utrace_syscall_action()); spaces inside are ignored.  `only`: the one
// callback told such an action (a signal action only report_signal is).
struct ActionReader {
  std::uint32_t mask = 0;
  std::optional<Callback> only;
};
std::optional<ActionReader> action_reader(std::string_view tok) {
  std::string t;
  for (char c : tok)
    if (c != ' ' && c != '\t') t += c;
  if (t == "action") return ActionReader{UINT32_MAX, std::nullopt};
  if (t == "utrace_resume_action(action)") return ActionReader{UTRACE_RESUME_MASK, std::nullopt};
  if (t == "utrace_signal_action(action)") return ActionReader{UTRACE_SIGNAL_MASK, Callback::report_signal};
  if (t == "utrace_syscall_action(action)") return ActionReader{UTRACE_SYSCALL_MASK, Callback::report_syscall_entry};
  return std::nullopt;
}

bool is_void_callback(Callback cb) { return cb == Callback::report_reap || cb == Callback::release; }

}  // namespace

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

void Loader::load_engines(const Json& v, const std::string& ptr) {
  if (!v.is_object()) {
    error("scenario.E010", ptr,
          std::string("expected an object of engine tables {\"E\": {callback: spec}}, got ") + type_name(v));
    return;
  }
  std::vector<std::string_view> cb_names;
  for (std::size_t i = 0; i < kCallbackCount; ++i) cb_names.push_back(callback_name(static_cast<Callback>(i)));
  for (const auto& [name, table] : v.items()) {
    if (is_extension_key(name)) continue;
    EngineTable et;
    et.name = name;
    et.ptr = ptr_append(ptr, name);
    if (name == "utrace_detached_ops")
      error("scenario.E028", et.ptr,
            "'utrace_detached_ops' names the detached-ops sentinel; choose another table name");
    if (!table.is_object()) {
      error("scenario.E010", et.ptr, std::string("expected an engine table {callback: spec}, got ") + type_name(table));
    } else {
      for (const auto& [cb_name, spec] : table.items()) {
        if (is_extension_key(cb_name)) continue;
        std::string p = ptr_append(et.ptr, cb_name);
        if (auto cb = callback_from_name(cb_name)) {
          load_callback(spec, p, *cb, et.cb[static_cast<std::size_t>(*cb)]);
        } else {
          std::string c = closest(cb_name, cb_names);
          error("scenario.E046", p,
                "unknown callback '" + cb_name +
                    "' (expected report_quiesce, report_reap, report_clone, report_exec, "
                    "report_exit, report_death, report_syscall_entry, report_syscall_exit, "
                    "report_signal, report_jctl or release" +
                    (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
        }
      }
    }
    sc_.engines.push_back(std::move(et));  // keeps engine_index_ aligned, even after errors
  }
}

void Loader::load_callback(const Json& v, const std::string& ptr, Callback cb, CallbackSpec& out) {
  out.present = true;
  out.ptr = ptr;
  const Ctx ctx{Ctx::Where::Callback, cb};
  auto returns = [&](const Json& r, const std::string& p) {
    if (is_void_callback(cb)) {
      error("scenario.E063", p,
            std::string(callback_name(cb)) + " is a void callback and returns nothing (write {} or {\"do\": [ops]})");
      return;
    }
    auto one = [&](const Json& x, const std::string& xp) {
      std::uint32_t reads = 0;
      if (auto value = callback_return(x, xp, cb, /*argument=*/false, &reads)) {
        out.returns.push_back(*value);
        out.return_action_masks.push_back(reads);
      }
    };
    if (r.is_array()) {
      for (std::size_t i = 0; i < r.size(); ++i) one(r[i], ptr_append(p, i));
    } else {
      one(r, p);
    }
    // Constant returns only: no masks (the interpreter's fast path).
    if (std::all_of(out.return_action_masks.begin(), out.return_action_masks.end(),
                    [](std::uint32_t m) { return m == 0; }))
      out.return_action_masks.clear();
  };
  if (v.is_string() || v.is_number() || v.is_array()) {
    returns(v, ptr);
  } else if (v.is_object()) {
    if (!object(v, ptr, std::string("a ") + callback_name(cb) + " callback", {"return", "do", "expect_args", "set"}))
      return;
    if (const Json* r = member(v, "return")) returns(*r, ptr_append(ptr, "return"));
    if (const Json* x = member(v, "expect_args"))
      load_expect_args(*x, ptr_append(ptr, "expect_args"), cb, out.expect_args);
    if (const Json* x = member(v, "set")) load_callback_sets(*x, ptr_append(ptr, "set"), cb, out.sets);
    if (const Json* d = member(v, "do")) out.body = program(*d, ptr_append(ptr, "do"), ctx);
  } else {
    error("scenario.E010", ptr,
          std::string("expected a callback: a return like \"UTRACE_RESUME\", a list of returns, "
                      "{\"return\": ..., \"do\": [ops]} or {}; got ") +
              type_name(v));
  }
}

std::optional<std::uint32_t> Loader::callback_return(const Json& v, const std::string& ptr, Callback cb, bool argument,
                                                     std::uint32_t* reads_action) {
  if (v.is_number()) {  // extension: a raw value
    auto x = integer(v, ptr, 0, UINT32_MAX, "a callback return");
    if (!x) return std::nullopt;
    return static_cast<std::uint32_t>(*x);
  }
  if (!v.is_string()) {
    error("scenario.E010", ptr,
          std::string("expected a callback return like \"UTRACE_RESUME\" or "
                      "\"UTRACE_SIGNAL_IGN | UTRACE_STOP\", got ") +
              type_name(v));
    return std::nullopt;
  }
  // The names are ORed as the C expression would OR them, whatever their
  // kind: a callback may return any bits, and the core reads the fields it
  // knows out of them (kernel/utrace.c finish_callback(): report->result =
  // ret & ~UTRACE_RESUME_MASK, then utrace_resume_action(ret) = ret &
  // UTRACE_RESUME_MASK; utrace_signal_action() and utrace_syscall_action()
  // mask 0xf0; utrace-semantics.md §2.2-§2.4).  So "UTRACE_STOP |
  // UTRACE_REPORT" is UTRACE_REPORT (0 | 2), exactly as in C.
  const std::string text = v.get<std::string>();
  std::uint32_t value = 0;
  bool ok = true;
  std::size_t start = 0;
  while (true) {
    std::size_t bar = text.find('|', start);
    std::string tok = trim(std::string_view(text).substr(start, bar - start));
    if (tok.empty()) {
      error("scenario.E038", ptr, "empty action name in '" + text + "' (names are joined with |)");
      return std::nullopt;
    }
    if (const std::optional<ActionReader> reader = action_reader(tok)) {
      // The callback's own `action` argument, read as the kernel's engines
      // read it: "utrace_signal_action(action) | UTRACE_RESUME" passes the
      // previous engine's signal action on.
      if (!reads_action) {
        error("scenario.E038", ptr, "'" + tok + "' reads the callback's action argument: only a return can");
        ok = false;
      } else if (!callback_returns_action(cb) || cb == Callback::report_death) {
        error("scenario.E017", ptr,
              std::string(callback_name(cb)) + " receives no 'action' argument, so its return cannot read one");
        ok = false;
      } else if (reader->only && *reader->only != cb) {
        error("scenario.E064", ptr,
              "'" + tok + "' reads an action only " + callback_name(*reader->only) + " is told, not " +
                  callback_name(cb));
        ok = false;
      } else {
        *reads_action |= reader->mask;
      }
    } else if (auto n = parse_number(tok)) {
      if (*n > UINT32_MAX) {
        error("scenario.E052", ptr, "out of range: " + tok + " in '" + text + "' (a u32)");
        ok = false;
      }
      value |= static_cast<std::uint32_t>(*n);
    } else if (argument && tok == "UTRACE_SYSCALL_RESUMED") {
      if (cb != Callback::report_syscall_entry) {
        error(
            "scenario.E064", ptr,
            "UTRACE_SYSCALL_RESUMED is passed only to report_syscall_entry, not to " + std::string(callback_name(cb)));
        ok = false;
      }
      value |= UTRACE_SYSCALL_RESUMED;
    } else if (auto a = utrace_action_from_name(tok)) {
      value |= a->value;
      if (a->family == ActionFamily::Signal && cb != Callback::report_signal) {
        error("scenario.E064", ptr,
              "'" + tok + "' is a report_signal action; " + callback_name(cb) +
                  " returns a resume action (UTRACE_STOP ... UTRACE_DETACH)");
        ok = false;
      } else if (a->family == ActionFamily::Syscall && cb != Callback::report_syscall_entry) {
        error("scenario.E064", ptr,
              "'" + tok + "' is a report_syscall_entry action; " + callback_name(cb) +
                  " returns a resume action (UTRACE_STOP ... UTRACE_DETACH)");
        ok = false;
      }
    } else {
      std::string c = closest(tok, action_names());
      error("scenario.E038", ptr,
            "unknown utrace action '" + tok + "' in '" + text +
                "' (expected UTRACE_STOP, UTRACE_INTERRUPT, UTRACE_REPORT, UTRACE_SINGLESTEP, "
                "UTRACE_BLOCKSTEP, UTRACE_RESUME, UTRACE_DETACH, and in report_signal "
                "UTRACE_SIGNAL_*, in report_syscall_entry UTRACE_SYSCALL_RUN/ABORT" +
                (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
      ok = false;
    }
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  if (!ok) return std::nullopt;
  return value;
}

// A callback's list used call by call, the last entry repeating (like its
// returns), or one object for every call: `one` loads each entry.
template <class T>
void Loader::per_call(const Json& v, const std::string& ptr, const char* what, Callback cb, std::vector<T>& out,
                      void (Loader::*one)(const Json&, const std::string&, Callback, T&)) {
  if (!v.is_array()) {
    (this->*one)(v, ptr, cb, out.emplace_back());
    return;
  }
  if (v.empty()) error("scenario.E016", ptr, std::string("empty list of ") + what + " (expected one object per call)");
  for (std::size_t i = 0; i < v.size(); ++i) (this->*one)(v[i], ptr_append(ptr, i), cb, out.emplace_back());
}

// expect_args: {"action": a, "event": e, "signal": s, "group_dead": b,
// "orig_code": n, "clone_flags": [names]}, each (but group_dead) one value or
// a list of alternatives (clone_flags: a list of names is one value, their OR;
// a list of such lists, alternatives).  Which callback
// receives which argument: include/linux/utrace.h struct utrace_engine_ops
// (utrace-semantics.md §2.6).
// A list is used call by call, the last entry repeating (like a return list).
void Loader::load_expect_args(const Json& v, const std::string& ptr, Callback cb,
                              std::vector<CallbackArgsExpect>& out) {
  per_call(v, ptr, "expect_args", cb, out, &Loader::load_args_expect);
}

void Loader::load_args_expect(const Json& v, const std::string& ptr, Callback cb, CallbackArgsExpect& out) {
  if (!object(v, ptr, std::string("the expect_args of ") + callback_name(cb),
              {"action", "event", "signal", "group_dead", "orig_code", "clone_flags"}))
    return;
  out.ptr = ptr;
  auto each = [&](const Json& x, const std::string& p, auto&& one) {
    if (x.is_array()) {
      if (x.empty()) error("scenario.E016", p, "empty list of alternatives (expected at least one value)");
      for (std::size_t i = 0; i < x.size(); ++i) one(x[i], ptr_append(p, i));
    } else {
      one(x, p);
    }
  };
  auto not_here = [&](const std::string& key, const char* who) {
    error("scenario.E017", ptr_append(ptr, key),
          std::string(callback_name(cb)) + " receives no '" + key + "' argument (" + who + ")");
  };
  if (const Json* a = member(v, "action")) {
    if (!callback_returns_action(cb) || cb == Callback::report_death)
      not_here("action", "report_death, report_reap and release have no action argument");
    else
      each(*a, ptr_append(ptr, "action"), [&](const Json& x, const std::string& p) {
        if (auto n = callback_return(x, p, cb, /*argument=*/true)) out.action.push_back(*n);
      });
  }
  if (const Json* e = member(v, "event")) {
    if (cb != Callback::report_quiesce)
      not_here("event", "only report_quiesce is told the event");
    else
      each(*e, ptr_append(ptr, "event"), [&](const Json& x, const std::string& p) {
        if (x.is_number()) {
          if (auto n = integer(x, p, 0, 0, "no event")) out.event.push_back(0);
        } else if (auto s = string(x, p, "a utrace event")) {
          if (auto m = utrace_event_from_name(*s); m && std::popcount(*m) == 1)
            out.event.push_back(*m);
          else
            error("scenario.E037", p,
                  "unknown utrace event '" + *s +
                      "' for report_quiesce's event (expected one event: QUIESCE, REAP, CLONE, EXEC, EXIT, DEATH, "
                      "SYSCALL_ENTRY, SYSCALL_EXIT, SIGNAL, SIGNAL_IGN, SIGNAL_STOP, SIGNAL_TERM, SIGNAL_CORE, JCTL, "
                      "bare or as UTRACE_EVENT(X); or 0 for none)");
        }
      });
  }
  if (const Json* s = member(v, "signal")) {
    if (cb != Callback::report_death)
      not_here("signal", "only report_death is told the exit signal");
    else
      each(*s, ptr_append(ptr, "signal"), [&](const Json& x, const std::string& p) {
        // tracehook_notify_death(): the signal sent to the parent, or
        // DEATH_REAP (-1) / DEATH_DELAYED_GROUP_LEADER (-2).
        if (x.is_number()) {
          if (auto n = integer(x, p, -2, kNSig, "report_death's signal")) out.signal.push_back(static_cast<int>(*n));
        } else if (auto sig = signal(x, p, 1, "report_death's signal")) {
          out.signal.push_back(*sig);
        }
      });
  }
  if (const Json* g = member(v, "group_dead")) {
    if (cb != Callback::report_death)
      not_here("group_dead", "only report_death is told whether the group is dead");
    else if (auto b = boolean(*g, ptr_append(ptr, "group_dead"), "\"group_dead\""))
      out.group_dead = *b;
  }
  if (const Json* c = member(v, "orig_code")) {
    if (cb != Callback::report_exit)
      not_here("orig_code", "only report_exit is told the exit code");
    else
      each(*c, ptr_append(ptr, "orig_code"), [&](const Json& x, const std::string& p) {
        if (auto n = integer(x, p, INT32_MIN, INT32_MAX, "report_exit's orig_code")) out.orig_code.push_back(*n);
      });
  }
  if (const Json* f = member(v, "clone_flags")) {
    const std::string fp = ptr_append(ptr, "clone_flags");
    if (cb != Callback::report_clone) {
      not_here("clone_flags", "only report_clone is told the clone flags");
    } else {
      // One value is a number or a list of names ORed; a list of lists is alternatives.
      auto one = [&](const Json& x, const std::string& p) {
        if (x.is_number()) {
          if (auto n = integer(x, p, 0, INT64_MAX, "report_clone's clone_flags")) out.clone_flags.push_back(*n);
          return;
        }
        if (!array(x, p, "clone flags (a list of names, or a number)")) return;
        const CloneFlags fl = clone_flags(x, p);
        out.clone_flags.push_back(fl.flags | static_cast<std::uint64_t>(fl.exit_signal));
      };
      if (f->is_array() && !f->empty() && f->front().is_array()) {
        for (std::size_t i = 0; i < f->size(); ++i) one((*f)[i], ptr_append(fp, i));
      } else {
        one(*f, fp);
      }
    }
  }
}

// ---- tasks -----------------------------------------------------------------------------------------

// set: {"code": n} for report_exit, {"signal": sig, "return_ka": how} for
// report_signal, {"syscall": name or -1} for report_syscall_entry,
// {"return": n} for report_syscall_exit: what the callback writes through
// its out-parameters (include/linux/utrace.h: report_exit's `long *code`,
// report_signal's `siginfo_t *info` and `struct k_sigaction *return_ka`;
// the syscall reports' `struct pt_regs *regs`, orig_ax and ax on x86_64;
// utrace-semantics.md §2.6).  A list is used call by call, the last entry
// repeating.
void Loader::load_callback_sets(const Json& v, const std::string& ptr, Callback cb, std::vector<CallbackSets>& out) {
  per_call(v, ptr, "sets", cb, out, &Loader::load_callback_set);
}

void Loader::load_callback_set(const Json& v, const std::string& ptr, Callback cb, CallbackSets& out) {
  if (!object(v, ptr, std::string("the set of ") + callback_name(cb),
              {"code", "signal", "return_ka", "syscall", "return"}))
    return;
  out.ptr = ptr;
  auto not_here = [&](const std::string& key, const char* owner, const char* what) {
    error("scenario.E017", ptr_append(ptr, key),
          std::string(callback_name(cb)) + " has no '" + key + "' out-parameter (" + owner + " has: " + what + ")");
  };
  if (const Json* c = member(v, "code")) {
    if (cb != Callback::report_exit)
      not_here("code", "report_exit", "the exit code, long *code");
    else if (auto n = integer(*c, ptr_append(ptr, "code"), INT32_MIN, INT32_MAX, "report_exit's *code"))
      out.code = static_cast<int>(*n);
  }
  if (const Json* g = member(v, "signal")) {
    if (cb != Callback::report_signal)
      not_here("signal", "report_signal", "the signal in siginfo_t *info");
    else if (auto n = signal(*g, ptr_append(ptr, "signal"), 1, "report_signal's info->si_signo"))
      out.signal = *n;
  }
  if (const Json* k = member(v, "return_ka")) {
    const std::string kp = ptr_append(ptr, "return_ka");
    if (cb != Callback::report_signal) {
      not_here("return_ka", "report_signal", "struct k_sigaction *return_ka");
    } else if (auto w = string(*k, kp, "report_signal's *return_ka")) {
      if (*w == "SIG_DFL")
        out.return_ka = CallbackSets::Ka::Default;
      else if (*w == "SIG_IGN")
        out.return_ka = CallbackSets::Ka::Ignore;
      else if (*w == "task")
        out.return_ka = CallbackSets::Ka::Task;
      else
        error("scenario.E055", kp,
              "unknown return_ka '" + *w +
                  "' (expected \"SIG_DFL\", \"SIG_IGN\", or \"task\": the task's own sigaction for the signal)");
    }
  }
  if (const Json* y = member(v, "syscall")) {
    const std::string yp = ptr_append(ptr, "syscall");
    if (cb != Callback::report_syscall_entry) {
      not_here("syscall", "report_syscall_entry", "the syscall number in regs->orig_ax");
    } else if (y->is_number_integer()) {
      if (y->get<long long>() == -1)
        out.syscall = -1;
      else
        error("scenario.E055", yp,
              "regs->orig_ax can be set to -1 (no syscall: it returns -ENOSYS) or to a plain syscall by name, not to " +
                  y->dump());
    } else if (auto name = string(*y, yp, "report_syscall_entry's regs->orig_ax: a plain syscall's name, or -1")) {
      if (const PlainSyscall* sc = plain_syscall(*name, yp)) out.syscall = sc->nr;
    }
  }
  if (const Json* r = member(v, "return")) {
    if (cb != Callback::report_syscall_exit)
      not_here("return", "report_syscall_exit", "the return value in regs->ax");
    else if (auto n = integer(*r, ptr_append(ptr, "return"), INT64_MIN, INT64_MAX, "report_syscall_exit's regs->ax"))
      out.syscall_return = *n;
  }
}

}  // namespace model::loader
