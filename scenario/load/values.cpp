// scenario/load/values.cpp: scalar values of a scenario — types,
// keys, integers, names of the ABI, task and handle references, results and
// wait statuses — each checked with a message that says what was expected.
#include <algorithm>
#include <cmath>
#include <cstdint>

#include <fmt/format.h>

#include "scenario/load/impl.h"

namespace model::loader {

std::string Ctx::describe() const {
  switch (where) {
    case Where::User: return "a user program";
    case Where::Kthread: return "a kthread's program";
    case Where::Callback: return std::string("a ") + callback_name(cb) + " callback";
    case Where::Top: return "the top-level expect";
  }
  return "?";
}

namespace {

std::string join(const std::vector<std::string_view>& names, std::size_t max = 12) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < max; ++i) {
    if (i) out += ", ";
    out += names[i];
  }
  if (names.size() > max) out += ", ...";
  return out;
}

std::string hint(const std::string& suggestion) {
  return suggestion.empty() ? "" : "; did you mean '" + suggestion + "'?";
}

std::string number_text(const Json& v) {
  if (v.is_number_unsigned()) return std::to_string(v.get<std::uint64_t>());
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  return fmt::format("{}", v.get<double>());
}

// Names of a map's keys, sorted for stable messages.
std::vector<std::string_view> sorted_keys(const std::unordered_map<std::string, int>& m) {
  std::vector<std::string_view> out;
  out.reserve(m.size());
  for (const auto& [k, v] : m) out.push_back(k);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

// ---- types and keys ------------------------------------------------------------------

bool Loader::object(const Json& v, const std::string& ptr, std::string_view what,
                    std::initializer_list<std::string_view> keys) {
  if (!v.is_object()) {
    error("scenario.E010", ptr, "expected an object for " + std::string(what) + ", got " + type_name(v));
    return false;
  }
  for (const auto& [k, val] : v.items()) {
    if (d_.capped) break;  // nothing more will be shown
    if (is_extension_key(k)) continue;
    bool known = false;
    for (auto allowed : keys) known = known || allowed == k;
    if (known) continue;
    std::string expected;
    for (auto allowed : keys) expected += (expected.empty() ? "" : ", ") + std::string(allowed);
    error("scenario.E012", ptr_append(ptr, k),
          "unknown key '" + k + "' in " + std::string(what) + " (expected " +
              (expected.empty() ? std::string("no keys") : "one of: " + expected) + ", or an x- key" +
              hint(closest(k, keys)) + ")");
  }
  return true;
}

bool Loader::array(const Json& v, const std::string& ptr, std::string_view what) {
  if (v.is_array()) return true;
  error("scenario.E010", ptr, "expected an array for " + std::string(what) + ", got " + type_name(v));
  return false;
}

const Json* Loader::member(const Json& obj, std::string_view key) const {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(std::string(key));
  return it == obj.end() ? nullptr : &*it;
}

const Json* Loader::required(const Json& obj, const std::string& ptr, std::string_view key, std::string_view what) {
  const Json* m = member(obj, key);
  if (!m && obj.is_object())
    error("scenario.E011", ptr, "missing key '" + std::string(key) + "' in " + std::string(what));
  return m;
}

std::optional<std::string> Loader::string(const Json& v, const std::string& ptr, std::string_view what) {
  if (v.is_string()) return v.get<std::string>();
  error("scenario.E010", ptr, "expected a string for " + std::string(what) + ", got " + type_name(v));
  return std::nullopt;
}

std::optional<bool> Loader::boolean(const Json& v, const std::string& ptr, std::string_view what) {
  if (v.is_boolean()) return v.get<bool>();
  error("scenario.E010", ptr, "expected true or false for " + std::string(what) + ", got " + type_name(v));
  return std::nullopt;
}

std::optional<std::int64_t> Loader::integer(const Json& v, const std::string& ptr, std::int64_t lo, std::int64_t hi,
                                            std::string_view what) {
  auto out_of_range = [&] {
    error("scenario.E052", ptr,
          "out of range: " + number_text(v) + " (expected an integer in " + std::to_string(lo) + ".." +
              std::to_string(hi) + " for " + std::string(what) + ")");
    return std::nullopt;
  };
  if (v.is_number_unsigned()) {
    std::uint64_t x = v.get<std::uint64_t>();
    if (hi < 0 || x > static_cast<std::uint64_t>(hi)) return out_of_range();
    if (static_cast<std::int64_t>(x) < lo) return out_of_range();
    return static_cast<std::int64_t>(x);
  }
  if (v.is_number_integer()) {
    std::int64_t x = v.get<std::int64_t>();
    if (x < lo || x > hi) return out_of_range();
    return x;
  }
  if (v.is_number_float()) {
    double x = v.get<double>();
    if (!std::isfinite(x) || std::floor(x) != x) {
      error("scenario.E051", ptr, "expected an integer for " + std::string(what) + ", got " + number_text(v));
      return std::nullopt;
    }
    // Integral, possibly huge (2^70, 1e30 are parsed as floating point).
    if (!(x >= -9.0e18 && x <= 9.0e18)) return out_of_range();
    auto i = static_cast<std::int64_t>(x);
    if (i < lo || i > hi) return out_of_range();
    return i;
  }
  error("scenario.E010", ptr, "expected an integer for " + std::string(what) + ", got " + type_name(v));
  return std::nullopt;
}

std::optional<std::uint64_t> Loader::unsigned_integer(const Json& v, const std::string& ptr, std::uint64_t hi,
                                                      std::string_view what) {
  if (v.is_number_unsigned()) {
    std::uint64_t x = v.get<std::uint64_t>();
    if (x <= hi) return x;
    error("scenario.E052", ptr,
          "out of range: " + number_text(v) + " (expected an integer in 0.." + std::to_string(hi) + " for " +
              std::string(what) + ")");
    return std::nullopt;
  }
  if (v.is_number_float() && std::isfinite(v.get<double>()) && std::floor(v.get<double>()) == v.get<double>() &&
      v.get<double>() >= 0 && v.get<double>() < 1.8e19) {
    auto x = static_cast<std::uint64_t>(v.get<double>());
    if (x <= hi) return x;
  }
  if (hi <= static_cast<std::uint64_t>(INT64_MAX)) {
    auto x = integer(v, ptr, 0, static_cast<std::int64_t>(hi), what);
    if (x) return static_cast<std::uint64_t>(*x);
    return std::nullopt;
  }
  // Full 64-bit range (seeds): anything else is negative, fractional or not a number.
  if (v.is_number_float() && (!std::isfinite(v.get<double>()) || std::floor(v.get<double>()) != v.get<double>())) {
    error("scenario.E051", ptr, "expected an integer for " + std::string(what) + ", got " + number_text(v));
  } else if (v.is_number()) {
    error("scenario.E052", ptr,
          "out of range: " + number_text(v) + " (expected an integer in 0.." + std::to_string(hi) + " for " +
              std::string(what) + ")");
  } else {
    error("scenario.E010", ptr, "expected an integer for " + std::string(what) + ", got " + type_name(v));
  }
  return std::nullopt;
}

std::optional<std::string> Loader::name(const Json& v, const std::string& ptr, std::string_view what) {
  auto s = string(v, ptr, what);
  if (!s) return std::nullopt;
  if (s->empty() || s->front() == '$') {
    error("scenario.E028", ptr,
          "'" + *s + "' is not a valid name for " + std::string(what) +
              " (expected a non-empty string not starting with '$')");
    return std::nullopt;
  }
  return s;
}

int Loader::intern(std::vector<std::string>& table, std::unordered_map<std::string, int>& index, const std::string& n) {
  auto [it, fresh] = index.emplace(n, static_cast<int>(table.size()));
  if (fresh) table.push_back(n);
  return it->second;
}

// ---- ABI names ------------------------------------------------------------------------

std::optional<int> Loader::signal(const Json& v, const std::string& ptr, int lo, std::string_view what) {
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (auto sig = signal_from_name(s)) return *sig;
    error("scenario.E030", ptr,
          "unknown signal '" + s + "' for " + std::string(what) +
              " (expected a name like SIGSTOP, SIGRTMIN+2, or a number " + std::to_string(lo) + "..64)");
    return std::nullopt;
  }
  if (v.is_number()) {
    auto n = integer(v, ptr, lo, kNSig, what);
    if (n) return static_cast<int>(*n);
    return std::nullopt;
  }
  error("scenario.E010", ptr,
        "expected a signal for " + std::string(what) + " (a name like \"SIGSTOP\" or a number), got " + type_name(v));
  return std::nullopt;
}

std::optional<SigSet> Loader::signal_set(const Json& v, const std::string& ptr) {
  if (!array(v, ptr, "a signal set")) return std::nullopt;
  SigSet set;
  bool ok = true;
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto sig = signal(v[i], ptr_append(ptr, i), 1, "a signal set");
    if (sig)
      set.add(*sig);
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return set;
}

std::optional<SigSet> Loader::single_signal_set(const Json& v, const std::string& ptr) {
  auto sig = signal(v, ptr, 1, "a signal set");
  if (!sig) return std::nullopt;
  SigSet set;
  set.add(*sig);
  return set;
}

template <class T>
std::optional<T> Loader::flags(const Json& v, const std::string& ptr, std::string_view id, std::string_view what,
                               std::optional<T> (*lookup)(std::string_view), std::string_view expected) {
  if (!array(v, ptr, std::string("a list of ") + std::string(what) + "s")) return std::nullopt;
  T out{};
  bool ok = true;
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::string p = ptr_append(ptr, i);
    auto s = string(v[i], p, what);
    if (!s) {
      ok = false;
      continue;
    }
    if (auto f = lookup(*s)) {
      out |= *f;
    } else {
      error(id, p, "unknown " + std::string(what) + " '" + *s + "' (expected " + std::string(expected) + ")");
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return out;
}
template std::optional<std::uint32_t> Loader::flags<std::uint32_t>(const Json&, const std::string&, std::string_view,
                                                                   std::string_view,
                                                                   std::optional<std::uint32_t> (*)(std::string_view),
                                                                   std::string_view);
template std::optional<unsigned long> Loader::flags<unsigned long>(const Json&, const std::string&, std::string_view,
                                                                   std::string_view,
                                                                   std::optional<unsigned long> (*)(std::string_view),
                                                                   std::string_view);

// ---- references --------------------------------------------------------------------------

std::optional<TaskRef> Loader::task_ref(const Json& v, const std::string& ptr, const Ctx& ctx, bool allow_any) {
  if (v.is_number()) {
    if (v.is_number_integer() && !v.is_number_unsigned() && v.get<std::int64_t>() == -1) {
      if (allow_any) return TaskRef{TaskRef::Kind::Any, -1};
      error("scenario.E065", ptr, "-1 (any child) is only valid as the pid of waitpid");
      return std::nullopt;
    }
    error("scenario.E010", ptr,
          "expected a task name, got " + number_text(v) + " (pids are never written by hand" +
              std::string(allow_any ? "; -1 means any child" : "") + ")");
    return std::nullopt;
  }
  if (!v.is_string()) {
    error("scenario.E010", ptr, std::string("expected a task name, got ") + type_name(v));
    return std::nullopt;
  }
  std::string s = v.get<std::string>();
  if (s == "$child") {
    if (ctx.in_report_clone()) return TaskRef{TaskRef::Kind::Child, -1};
    error("scenario.E061", ptr,
          "'$child' names the new child of report_clone; it is only valid inside a report_clone "
          "callback, not in " +
              ctx.describe());
    return std::nullopt;
  }
  if (s == "$task") {
    if (ctx.where != Ctx::Where::Top) return TaskRef{TaskRef::Kind::Self, -1};
    error("scenario.E065", ptr, "'$task' (the running or reporting task) has no meaning in the top-level expect");
    return std::nullopt;
  }
  auto it = task_index_.find(s);
  if (it != task_index_.end()) return TaskRef{TaskRef::Kind::Named, it->second};
  std::vector<std::string_view> names(sc_.task_names.begin(), sc_.task_names.end());
  error("scenario.E023", ptr,
        "unknown task '" + s + "' (expected a declared task or a fork/vfork/clone child: " + join(names) +
            (allow_any ? "; or -1" : "") + hint(closest(s, names)) + ")");
  return std::nullopt;
}

std::optional<HandleRef> Loader::handle_ref(const Json& v, const std::string& ptr, const Ctx& ctx) {
  auto s = string(v, ptr, "an engine handle");
  if (!s) return std::nullopt;
  if (*s == "$engine") {
    if (ctx.where == Ctx::Where::Callback) return HandleRef{HandleRef::Kind::Current, -1};
    error("scenario.E062", ptr,
          "'$engine' (the engine being called) is only valid inside a callback, not in " + ctx.describe());
    return std::nullopt;
  }
  auto it = handle_index_.find(*s);
  if (it != handle_index_.end()) return HandleRef{HandleRef::Kind::Named, it->second};
  auto names = sorted_keys(handle_index_);
  error("scenario.E025", ptr,
        "unknown engine handle '" + *s + "' (a handle is a name bound by \"as\" on a utrace_attach_task" +
            (names.empty() ? std::string("; none is bound") : "; bound: " + join(names)) + hint(closest(*s, names)) +
            ")");
  return std::nullopt;
}

std::optional<TaskState> Loader::task_state(const Json& v, const std::string& ptr) {
  auto s = string(v, ptr, "a task state");
  if (!s) return std::nullopt;
  if (auto st = task_state_from_name(*s)) return st;
  error("scenario.E042", ptr,
        "unknown task state '" + *s + "' (expected running, sleeping, stopped, traced, zombie or dead" +
            hint(closest(*s, {"running", "sleeping", "stopped", "traced", "zombie", "dead"})) + ")");
  return std::nullopt;
}

// ---- results ---------------------------------------------------------------------------------

std::optional<Expectation> Loader::expectation(const Json& v, const std::string& ptr, const Ctx& ctx, bool states) {
  auto any = alternatives(v, ptr, ctx, states);
  if (!any) return std::nullopt;
  return Expectation{std::move(*any), ptr};
}

std::optional<std::vector<ResultPattern>> Loader::alternatives(const Json& v, const std::string& ptr, const Ctx& ctx,
                                                               bool states) {
  auto result = [&](const Json& x, const std::string& p) -> std::optional<ResultPattern> {
    if (states && x.is_string()) {
      const std::string s = x.get<std::string>();
      if (auto st = task_state_from_name(s)) {
        ResultPattern r;
        r.kind = ResultPattern::Kind::State;
        r.value = static_cast<std::int64_t>(*st);
        return r;
      }
      // await and assert_state return nothing: besides a state, only
      // "blocks" and an errno make sense.
      if (s != "blocks" && (s.empty() || s.front() != '-')) {
        error("scenario.E042", p,
              "unknown task state '" + s +
                  "' (expected running, sleeping, stopped, traced, zombie, dead or \"blocks\"" +
                  hint(closest(s, {"running", "sleeping", "stopped", "traced", "zombie", "dead", "blocks"})) + ")");
        return std::nullopt;
      }
    }
    return this->result(x, p, ctx);
  };
  std::vector<ResultPattern> out;
  if (!v.is_array()) {
    auto r = result(v, ptr);
    if (!r) return std::nullopt;
    out.push_back(std::move(*r));
    return out;
  }
  if (v.empty()) {
    error("scenario.E016", ptr, "empty list of alternatives (expected at least one result)");
    return std::nullopt;
  }
  bool ok = true;
  for (std::size_t i = 0; i < v.size(); ++i) {
    auto r = result(v[i], ptr_append(ptr, i));
    if (r)
      out.push_back(std::move(*r));
    else
      ok = false;
  }
  if (!ok) return std::nullopt;
  return out;
}

namespace {
// "0x137f" -> 0x137f (1..16 hex digits, at most INT64_MAX).
std::optional<std::int64_t> parse_hex(std::string_view s) {
  if (s.size() < 3 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || s.size() > 18) return std::nullopt;
  std::uint64_t v = 0;
  for (char c : s.substr(2)) {
    int d;
    if (c >= '0' && c <= '9')
      d = c - '0';
    else if (c >= 'a' && c <= 'f')
      d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      d = c - 'A' + 10;
    else
      return std::nullopt;
    v = v * 16 + static_cast<std::uint64_t>(d);
  }
  if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
  return static_cast<std::int64_t>(v);
}
constexpr const char* kResultForms =
    "an integer, \"ok\", \"blocks\", an errno like \"-ESRCH\", a raw status like \"0x137f\", "
    "a task name, or a status like {\"exited\": 0}";
}  // namespace

std::optional<ResultPattern> Loader::result(const Json& v, const std::string& ptr, const Ctx& ctx) {
  ResultPattern r;
  if (v.is_number()) {
    auto n = integer(v, ptr, INT64_MIN, INT64_MAX, "a result");
    if (!n) return std::nullopt;
    r.kind = ResultPattern::Kind::Int;
    r.value = *n;
    return r;
  }
  if (v.is_object()) return status(v, ptr, ctx);
  if (!v.is_string()) {
    error("scenario.E010", ptr, std::string("expected a result (") + kResultForms + "), got " + type_name(v));
    return std::nullopt;
  }
  std::string s = v.get<std::string>();
  if (s == "ok") {
    r.kind = ResultPattern::Kind::Ok;
    return r;
  }
  if (s == "blocks") {
    r.kind = ResultPattern::Kind::Blocks;
    return r;
  }
  if (!s.empty() && s.front() == '-') {
    if (auto e = errno_from_name(s.substr(1)); e && s.size() > 1 && s[1] == 'E') {
      r.kind = ResultPattern::Kind::Errno;
      r.value = *e;
      return r;
    }
    if (s.size() > 1 && s[1] == 'E') {
      error("scenario.E031", ptr,
            "unknown errno '" + s +
                "' (expected a name like \"-ESRCH\", \"-EINPROGRESS\", "
                "\"-ERESTARTSYS\")");
      return std::nullopt;
    }
    error("scenario.E050", ptr, "unrecognised result '" + s + "' (expected " + kResultForms + ")");
    return std::nullopt;
  }
  if (auto h = parse_hex(s)) {
    r.kind = ResultPattern::Kind::Int;
    r.value = *h;
    r.raw = true;  // a raw wait status: "0x0" is an exit 0, not WNOHANG's 0
    return r;
  }
  if ((!s.empty() && s.front() == '$') || task_index_.count(s)) {
    auto t = task_ref(v, ptr, ctx);
    if (!t) return std::nullopt;
    r.kind = ResultPattern::Kind::TaskPid;
    r.task = *t;
    return r;
  }
  std::string extra;
  if (errno_from_name(s))
    extra = "; errno results take a minus sign: \"-" + s + "\"";
  else if (s.size() > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
    extra = "; a raw status is 1 to 16 hex digits";
  else if (auto c = closest(s, {"ok", "blocks"}); !c.empty())
    extra = hint(c);
  error("scenario.E050", ptr, "unrecognised result '" + s + "' (expected " + kResultForms + extra + ")");
  return std::nullopt;
}

std::optional<int> Loader::stop_signal(const Json& v, const std::string& ptr) {
  if (!v.is_string()) return signal(v, ptr, 1, "\"stopped\"");
  std::string s = v.get<std::string>();
  auto bar = s.find('|');
  if (bar == std::string::npos) return signal(v, ptr, 1, "\"stopped\"");
  auto trim = [](std::string t) {
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.erase(t.begin());
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.pop_back();
    return t;
  };
  std::string name = trim(s.substr(0, bar)), flag = trim(s.substr(bar + 1));
  if (flag != "0x80") {
    error("scenario.E055", ptr,
          "bad stop status '" + s +
              "' (expected a signal, or a signal with |0x80 as "
              "PTRACE_O_TRACESYSGOOD reports it: \"SIGTRAP|0x80\")");
    return std::nullopt;
  }
  auto sig = signal(Json(name), ptr, 1, "\"stopped\"");
  if (!sig) return std::nullopt;
  return *sig | 0x80;
}

std::optional<ResultPattern> Loader::status(const Json& v, const std::string& ptr, const Ctx& ctx) {
  if (!object(v, ptr, "a wait status", {"pid", "exited", "signaled", "core", "stopped", "event", "continued"}))
    return std::nullopt;
  ResultPattern r;
  r.kind = ResultPattern::Kind::Status;
  std::vector<std::string_view> kinds;
  for (std::string_view k : {"exited", "signaled", "stopped", "continued"})
    if (member(v, k)) kinds.push_back(k);
  if (kinds.empty()) {
    error("scenario.E011", ptr, "a wait status needs one of \"exited\", \"signaled\", \"stopped\", \"continued\"");
    return std::nullopt;
  }
  if (kinds.size() > 1) {
    error("scenario.E017", ptr,
          "a wait status has exactly one of exited, signaled, stopped, continued; got " + join(kinds));
    return std::nullopt;
  }
  bool ok = true;
  if (member(v, "core") && kinds[0] != "signaled") {
    error("scenario.E017", ptr_append(ptr, "core"), "\"core\" goes only with \"signaled\"");
    ok = false;
  }
  if (member(v, "event") && kinds[0] != "stopped") {
    error("scenario.E017", ptr_append(ptr, "event"), "\"event\" goes only with \"stopped\"");
    ok = false;
  }
  if (const Json* p = member(v, "pid")) {
    auto t = task_ref(*p, ptr_append(ptr, "pid"), ctx);
    if (t) {
      r.task = *t;
      r.has_pid = true;
    } else {
      ok = false;
    }
  }
  std::string kp = ptr_append(ptr, kinds[0]);
  const Json& kv = v[std::string(kinds[0])];
  if (kinds[0] == "exited") {
    r.status = ResultPattern::StatusKind::Exited;
    auto code = integer(kv, kp, 0, 255, "an exit code");
    if (code)
      r.code = static_cast<int>(*code);
    else
      ok = false;
  } else if (kinds[0] == "signaled") {
    r.status = ResultPattern::StatusKind::Signaled;
    auto sig = signal(kv, kp, 1, "\"signaled\"");
    if (sig)
      r.code = *sig;
    else
      ok = false;
    if (const Json* c = member(v, "core")) {
      auto b = boolean(*c, ptr_append(ptr, "core"), "\"core\"");
      if (b)
        r.core = *b;
      else
        ok = false;
    }
  } else if (kinds[0] == "stopped") {
    r.status = ResultPattern::StatusKind::Stopped;
    auto sig = stop_signal(kv, kp);
    if (sig)
      r.code = *sig;
    else
      ok = false;
    if (const Json* e = member(v, "event")) {
      std::string ep = ptr_append(ptr, "event");
      if (auto s = string(*e, ep, "\"event\"")) {
        if (auto ev = ptrace_event_from_name(*s)) {
          r.event = *ev;
        } else {
          error("scenario.E036", ep,
                "unknown ptrace event '" + *s +
                    "' (expected PTRACE_EVENT_FORK, _VFORK, _CLONE, _EXEC, _VFORK_DONE, _EXIT or _STOP)");
          ok = false;
        }
      } else {
        ok = false;
      }
    }
  } else {
    r.status = ResultPattern::StatusKind::Continued;
    auto b = boolean(kv, kp, "\"continued\"");
    if (b && !*b) {
      error("scenario.E055", kp, "\"continued\" can only be true");
      ok = false;
    } else if (!b) {
      ok = false;
    }
  }
  if (!ok) return std::nullopt;
  return r;
}

}  // namespace model::loader
