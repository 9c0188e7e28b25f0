// scenario/load/top.cpp: the scenario object (SCENARIOS.md "Top
// level"): model, engines and their callbacks, tasks, expect, explore.
#include <algorithm>
#include <bit>

#include "model/versions.h"
#include "scenario/load/impl.h"

namespace model::loader {
namespace {

// `[a-z0-9][a-z0-9-]*`
bool valid_scenario_name(std::string_view s) {
  if (s.empty() || s.front() == '-') return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

std::string trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

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

bool is_void_callback(Callback cb) { return cb == Callback::report_reap || cb == Callback::release; }

}  // namespace

std::optional<Scenario> Loader::load(const Json& root) {
  if (!root.is_object()) {
    error("scenario.E010", "", std::string("expected a scenario object {\"utsim\": 1, ...}, got ") + type_name(root));
    return std::nullopt;
  }
  if (const Json* ver = member(root, "utsim"); !ver) {
    error("scenario.E011", "", "missing key 'utsim' (the format version: \"utsim\": 1)");
  } else if (!ver->is_number()) {
    error("scenario.E010", "/utsim", std::string("expected the format version 1 for 'utsim', got ") + type_name(*ver));
  } else if (!(ver->is_number_unsigned() && ver->get<std::uint64_t>() == 1)) {
    // Another version's keys mean other things: say only this.
    error("scenario.E013", "/utsim", "unsupported format version " + ver->dump() + " (this utsim reads version 1)");
    return std::nullopt;
  }
  object(root, "", "the scenario",
         {"utsim", "name", "summary", "explain", "origin", "model", "engines", "tasks", "expect", "explore"});
  if (const Json* n = required(root, "", "name", "the scenario")) {
    if (auto s = string(*n, "/name", "the scenario name")) {
      if (!valid_scenario_name(*s))
        error("scenario.E020", "/name",
              "invalid scenario name '" + *s + "' (expected [a-z0-9][a-z0-9-]*: lower-case letters, digits and '-')");
      sc_.name = *s;
    }
  }
  if (const Json* s = required(root, "", "summary", "the scenario")) {
    if (auto t = string(*s, "/summary", "the summary")) {
      if (t->find_first_of("\r\n") != std::string::npos || trim(*t).empty())
        error("scenario.E053", "/summary", "the summary must be one non-empty line (put longer text in \"explain\")");
      sc_.summary = *t;
    }
  }
  if (const Json* e = member(root, "explain"))
    if (auto t = string(*e, "/explain", "explain")) sc_.explain = *t;
  if (const Json* o = member(root, "origin"))
    if (auto t = string(*o, "/origin", "origin")) sc_.origin = *t;
  if (const Json* m = member(root, "model")) load_model(*m, "/model");

  if (!scan(root)) return std::nullopt;

  if (const Json* e = member(root, "engines")) load_engines(*e, "/engines");
  if (const Json* t = required(root, "", "tasks", "the scenario")) load_tasks(*t, "/tasks");
  if (const Json* e = member(root, "expect")) load_expect(*e, "/expect");
  if (const Json* e = member(root, "explore")) load_explore(*e, "/explore");
  if (!d_.errors.empty()) return std::nullopt;
  return std::move(sc_);
}

void Loader::load_model(const Json& v, const std::string& ptr) {
  if (!object(v, ptr, "model", {"kernel", "bugs"})) return;
  if (const Json* k = member(v, "kernel")) {
    std::string p = ptr_append(ptr, "kernel");
    if (auto s = string(*k, p, "the kernel version")) {
      if (auto kv = kernel_version_from_name(*s))
        sc_.kernel = *kv;
      else
        error(
            "scenario.E044", p, "unknown kernel version '" + *s + "' (expected 2009-rfc, 2010-rhel6 or 2011-3x" + [&] {
              std::string c = closest(*s, {"2009-rfc", "2010-rhel6", "2011-3x"});
              return c.empty() ? std::string() : "; did you mean '" + c + "'?";
            }() + ")");
    }
  }
  if (const Json* b = member(v, "bugs")) {
    std::string p = ptr_append(ptr, "bugs");
    if (!array(*b, p, "bugs")) return;
    for (std::size_t i = 0; i < b->size(); ++i) {
      std::string bp = ptr_append(p, i);
      auto s = string((*b)[i], bp, "a bug id");
      if (!s) continue;
      if (auto r = bug_from_name(*s)) {
        const BugInfo* info = find_bug(*r);
        if (info && !info->switchable)
          error("scenario.E045", bp,
                "bug '" + *s + "' cannot be switched on (" + info->status +
                    "); the switchable ones are listed by `utsim list --bugs`");
        else
          sc_.bugs.set(static_cast<std::size_t>(*r - 1));
      } else {
        error("scenario.E045", bp, "unknown bug '" + *s + "' (expected a race id of utrace-semantics.md §7, R1..R17)");
      }
    }
  }
}

// ---- engines ------------------------------------------------------------------------------------

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
    if (r.is_array()) {
      for (std::size_t i = 0; i < r.size(); ++i)
        if (auto x = callback_return(r[i], ptr_append(p, i), cb)) out.returns.push_back(*x);
    } else if (auto x = callback_return(r, p, cb)) {
      out.returns.push_back(*x);
    }
  };
  if (v.is_string() || v.is_number() || v.is_array()) {
    returns(v, ptr);
  } else if (v.is_object()) {
    if (!object(v, ptr, std::string("a ") + callback_name(cb) + " callback", {"return", "do", "expect_args"})) return;
    if (const Json* r = member(v, "return")) returns(*r, ptr_append(ptr, "return"));
    if (const Json* x = member(v, "expect_args"))
      load_expect_args(*x, ptr_append(ptr, "expect_args"), cb, out.expect_args);
    if (const Json* d = member(v, "do")) out.body = program(*d, ptr_append(ptr, "do"), ctx);
  } else {
    error("scenario.E010", ptr,
          std::string("expected a callback: a return like \"UTRACE_RESUME\", a list of returns, "
                      "{\"return\": ..., \"do\": [ops]} or {}; got ") +
              type_name(v));
  }
}

std::optional<std::uint32_t> Loader::callback_return(const Json& v, const std::string& ptr, Callback cb,
                                                     bool argument) {
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
    if (auto n = parse_number(tok)) {
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

// expect_args: {"action": a, "event": e, "signal": s, "group_dead": b}, each
// (but group_dead) one value or a list of alternatives.  Which callback
// receives which argument: include/linux/utrace.h struct utrace_engine_ops
// (utrace-semantics.md §2.6).
// A list is used call by call, the last entry repeating (like a return list).
void Loader::load_expect_args(const Json& v, const std::string& ptr, Callback cb,
                              std::vector<CallbackArgsExpect>& out) {
  if (!v.is_array()) {
    load_args_expect(v, ptr, cb, out.emplace_back());
    return;
  }
  if (v.empty()) error("scenario.E016", ptr, "empty list of expect_args (expected one object per call)");
  for (std::size_t i = 0; i < v.size(); ++i) load_args_expect(v[i], ptr_append(ptr, i), cb, out.emplace_back());
}

void Loader::load_args_expect(const Json& v, const std::string& ptr, Callback cb, CallbackArgsExpect& out) {
  if (!object(v, ptr, std::string("the expect_args of ") + callback_name(cb),
              {"action", "event", "signal", "group_dead"}))
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
}

// ---- tasks -----------------------------------------------------------------------------------------

void Loader::load_tasks(const Json& v, const std::string& ptr) {
  if (!array(v, ptr, "tasks")) return;
  if (v.empty()) {
    error("scenario.E016", ptr, "no tasks (expected at least one task)");
    return;
  }
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string tp = ptr_append(ptr, i);
    TaskDecl t;
    t.slot = static_cast<int>(i);  // Loader::scan gave declared tasks the first slots
    t.ptr = tp;
    const Json& tv = v[i];
    if (object(tv, tp, "a task", {"name", "kind", "program"})) {
      if (const Json* n = required(tv, tp, "name", "a task")) string(*n, ptr_append(tp, "name"), "a task name");
      if (const Json* k = member(tv, "kind")) {
        std::string kp = ptr_append(tp, "kind");
        if (auto s = string(*k, kp, "a task kind")) {
          if (*s == "kthread")
            t.kthread = true;
          else if (*s != "user")
            error("scenario.E049", kp,
                  "unknown task kind '" + *s + "' (expected \"user\" (the default) or \"kthread\")");
        }
      }
      if (const Json* p = member(tv, "program"))
        t.program = program(*p, ptr_append(tp, "program"), Ctx{t.kthread ? Ctx::Where::Kthread : Ctx::Where::User});
    }
    sc_.tasks.push_back(std::move(t));
  }
}

// ---- expect, explore -------------------------------------------------------------------------------

void Loader::load_expect(const Json& v, const std::string& ptr) {
  if (!object(v, ptr, "expect", {"violations", "allowed", "outcomes", "reachable"})) return;
  if (const Json* p = member(v, "violations"))
    sc_.expect.violations = load_properties(*p, ptr_append(ptr, "violations"));
  if (const Json* p = member(v, "allowed")) sc_.expect.allowed = load_properties(*p, ptr_append(ptr, "allowed"));
  if (const Json* o = member(v, "outcomes")) {
    sc_.expect.has_outcomes = true;
    load_outcomes(*o, ptr_append(ptr, "outcomes"), sc_.expect.outcomes);
  }
  if (const Json* r = member(v, "reachable")) load_outcomes(*r, ptr_append(ptr, "reachable"), sc_.expect.reachable);
}

PropertySet Loader::load_properties(const Json& v, const std::string& ptr) {
  PropertySet out;
  if (!array(v, ptr, "a list of properties")) return out;
  std::vector<std::string_view> names;
  for (std::size_t i = 0; i < kPropertyCount; ++i) names.push_back(property_name(static_cast<Property>(i)));
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = ptr_append(ptr, i);
    auto s = string(v[i], p, "a property id");
    if (!s) continue;
    if (auto prop = property_from_name(*s)) {
      out.set(static_cast<std::size_t>(*prop));
    } else {
      std::string c = closest(*s, names);
      error("scenario.E043", p,
            "unknown property '" + *s +
                "' (expected an id of SCENARIOS.md \"Properties\", like "
                "stop-without-engine, callback-after-detach, hang" +
                (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
    }
  }
  return out;
}

void Loader::load_outcomes(const Json& v, const std::string& ptr, std::vector<Outcome>& out) {
  if (!array(v, ptr, "a list of outcomes")) return;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (auto o = load_outcome(v[i], ptr_append(ptr, i))) out.push_back(std::move(*o));
}

std::optional<Outcome> Loader::load_outcome(const Json& v, const std::string& ptr) {
  if (!object(v, ptr, "an outcome", {"tasks", "callbacks", "results"})) return std::nullopt;
  Outcome out;
  out.ptr = ptr;
  const Ctx top{Ctx::Where::Top};
  // tasks, callbacks, results: objects keyed by a task, a handle, a label.
  auto keyed = [&](std::string_view key, std::string_view what) -> const Json* {
    const Json* m = member(v, key);
    if (m && !m->is_object()) {
      error("scenario.E010", ptr_append(ptr, key),
            "expected an object " + std::string(what) + ", got " + type_name(*m));
      return nullptr;
    }
    return m;
  };
  if (const Json* tasks = keyed("tasks", "{task: {\"exited\": n}}")) {
    std::string tp = ptr_append(ptr, "tasks");
    for (const auto& [name, spec] : tasks->items()) {
      if (is_extension_key(name)) continue;
      std::string p = ptr_append(tp, name);
      TaskOutcome to;
      if (auto t = task_ref(Json(name), p, top)) to.task = t->slot;
      if (!object(spec, p, "a task outcome", {"exited", "signaled", "state"})) continue;
      std::vector<std::string_view> given;
      for (std::string_view k : {"exited", "signaled", "state"})
        if (member(spec, k)) given.push_back(k);
      if (given.size() != 1) {
        error(given.empty() ? "scenario.E011" : "scenario.E017", p,
              "a task outcome has exactly one of \"exited\", \"signaled\", \"state\"");
        continue;
      }
      std::string kp = ptr_append(p, given[0]);
      const Json& kv = spec[std::string(given[0])];
      if (given[0] == "exited") {
        if (auto c = integer(kv, kp, 0, 255, "an exit code")) to.exited = static_cast<int>(*c);
      } else if (given[0] == "signaled") {
        if (auto s = signal(kv, kp, 1, "\"signaled\"")) to.signaled = *s;
      } else if (auto st = task_state(kv, kp)) {
        to.state = *st;
      }
      out.tasks.push_back(to);
    }
  }
  if (const Json* cbs = keyed("callbacks", "{handle: [callback names]}")) {
    std::string cp = ptr_append(ptr, "callbacks");
    for (const auto& [handle, list] : cbs->items()) {
      if (is_extension_key(handle)) continue;
      std::string p = ptr_append(cp, handle);
      CallbackOutcome co;
      if (auto h = handle_ref(Json(handle), p, top)) co.handle = h->slot;
      if (!array(list, p, "a list of callback names")) continue;
      for (std::size_t i = 0; i < list.size(); ++i) {
        std::string ip = ptr_append(p, i);
        auto s = string(list[i], ip, "a callback name");
        if (!s) continue;
        if (auto cb = callback_from_name(*s))
          co.calls.push_back(*cb);
        else
          error("scenario.E046", ip,
                "unknown callback '" + *s + "' (expected report_quiesce ... report_jctl, release)");
      }
      out.callbacks.push_back(std::move(co));
    }
  }
  if (const Json* res = keyed("results", "{label: result}")) {
    std::string rp = ptr_append(ptr, "results");
    for (const auto& [label, val] : res->items()) {
      if (is_extension_key(label)) continue;
      std::string p = ptr_append(rp, label);
      ResultOutcome ro;
      if (auto it = label_index_.find(label); it != label_index_.end()) {
        ro.label = it->second;
      } else {
        std::vector<std::string_view> names(sc_.labels.begin(), sc_.labels.end());
        std::string c = closest(label, names);
        error("scenario.E027", p,
              "unknown label '" + label +
                  "' (results are keyed by an op's \"label\", or \"as\" "
                  "on an op other than utrace_attach_task" +
                  (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
      }
      if (auto alt = alternatives(val, p, top)) ro.any_of = std::move(*alt);
      out.results.push_back(std::move(ro));
    }
  }
  return out;
}

void Loader::load_explore(const Json& v, const std::string& ptr) {
  if (!object(v, ptr, "explore", {"strategy", "preemption_bound", "max_schedules", "seed", "depth", "max_steps"}))
    return;
  ExploreConfig& e = sc_.explore;
  if (const Json* s = member(v, "strategy")) {
    std::string p = ptr_append(ptr, "strategy");
    if (auto n = string(*s, p, "a strategy")) {
      if (auto st = strategy_from_name(*n))
        e.strategy = *st;
      else
        error("scenario.E047", p, "unknown strategy '" + *n + "' (expected random, pct, dfs, dpor or portfolio)");
    }
  }
  constexpr std::uint64_t kSmall = 1000, kHuge = 1'000'000'000'000'000;  // 10^3, 10^15
  if (const Json* x = member(v, "preemption_bound"))
    if (auto n = unsigned_integer(*x, ptr_append(ptr, "preemption_bound"), kSmall, "preemption_bound"))
      e.preemption_bound = static_cast<std::uint32_t>(*n);
  if (const Json* x = member(v, "depth"))
    if (auto n = unsigned_integer(*x, ptr_append(ptr, "depth"), kSmall, "PCT depth"))
      e.depth = static_cast<std::uint32_t>(*n);
  if (const Json* x = member(v, "max_schedules"))
    if (auto n = unsigned_integer(*x, ptr_append(ptr, "max_schedules"), kHuge, "max_schedules")) e.max_schedules = *n;
  if (const Json* x = member(v, "max_steps"))
    if (auto n = unsigned_integer(*x, ptr_append(ptr, "max_steps"), kHuge, "max_steps")) e.max_steps = *n;
  if (const Json* x = member(v, "seed"))
    if (auto n = unsigned_integer(*x, ptr_append(ptr, "seed"), UINT64_MAX, "seed")) e.seed = *n;
}

}  // namespace model::loader
