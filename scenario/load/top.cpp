// scenario/load/top.cpp: the scenario object (SCENARIOS.md "Top
// level"): model, tasks, expect, explore; the engines and their
// callbacks are in engines.cpp.

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
         {"utsim", "name", "summary", "explain", "origin", "model", "vars", "engines", "tasks", "expect",
          "expect_memory", "explore"});
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
  if (const Json* v = member(root, "vars")) load_vars(*v, "/vars");

  if (!scan(root)) return std::nullopt;

  if (const Json* e = member(root, "engines")) load_engines(*e, "/engines");
  if (const Json* t = required(root, "", "tasks", "the scenario")) load_tasks(*t, "/tasks");
  if (const Json* e = member(root, "expect")) load_expect(*e, "/expect", sc_.expect);
  if (const Json* e = member(root, "expect_memory")) load_expect_memory(*e, "/expect_memory");
  if (const Json* e = member(root, "explore")) load_explore(*e, "/explore");
  check_litmus();
  if (!d_.errors.empty()) return std::nullopt;
  // The expectation for the file's own memory model, where it has one.
  if (const auto& e = sc_.expect_memory[static_cast<std::size_t>(sc_.memory)]) sc_.expect = *e;
  return std::move(sc_);
}

void Loader::load_model(const Json& v, const std::string& ptr) {
  if (!object(v, ptr, "model", {"kernel", "bugs", "memory"})) return;
  if (const Json* m = member(v, "memory")) {
    std::string p = ptr_append(ptr, "memory");
    if (auto s = string(*m, p, "the memory model")) {
      if (auto mm = memory_model_from_name(*s)) {
        sc_.memory = sc_.file_memory = *mm;
      } else {
        std::string c = closest(*s, {"sc", "tso", "lkmm"});
        error("scenario.E070", p,
              "unknown memory model '" + *s + "' (expected sc, tso or lkmm" +
                  (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
      }
    }
  }
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
        error("scenario.E045", bp,
              "unknown bug '" + *s +
                  "' (expected a race id of utrace-semantics.md §7, R1..R17, or a named "
                  "switch: `utsim list --bugs`)");
      }
    }
  }
}

// ---- engines ------------------------------------------------------------------------------------

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

void Loader::load_expect(const Json& v, const std::string& ptr, ScenarioExpect& out) {
  if (!object(v, ptr, "expect", {"violations", "allowed", "outcomes", "reachable", "unreachable"})) return;
  if (const Json* p = member(v, "violations")) out.violations = load_properties(*p, ptr_append(ptr, "violations"));
  if (const Json* p = member(v, "allowed")) out.allowed = load_properties(*p, ptr_append(ptr, "allowed"));
  if (const Json* o = member(v, "outcomes")) {
    out.has_outcomes = true;
    load_outcomes(*o, ptr_append(ptr, "outcomes"), out.outcomes);
  }
  if (const Json* r = member(v, "reachable")) load_outcomes(*r, ptr_append(ptr, "reachable"), out.reachable);
  if (const Json* r = member(v, "unreachable")) load_outcomes(*r, ptr_append(ptr, "unreachable"), out.unreachable);
}

// expect_memory (extension, issue 12): {"sc": expect, "tso": expect, "lkmm": expect}.
void Loader::load_expect_memory(const Json& v, const std::string& ptr) {
  if (!object(v, ptr, "expect_memory", {"sc", "tso", "lkmm"})) return;
  for (const auto& [name, e] : v.items()) {
    if (is_extension_key(name)) continue;
    const auto mm = memory_model_from_name(name);
    if (!mm) continue;  // object() reported it
    ScenarioExpect x;
    load_expect(e, ptr_append(ptr, name), x);
    sc_.expect_memory[static_cast<std::size_t>(*mm)] = std::move(x);
  }
}

// vars (extension, issue 12): {"x": 0, "y": 0}, the shared variables of
// litmus ops and their initial values.
void Loader::load_vars(const Json& v, const std::string& ptr) {
  if (!v.is_object()) {
    error("scenario.E010", ptr, std::string("expected an object {\"x\": 0, ...} for 'vars', got ") + type_name(v));
    return;
  }
  for (const auto& [n, init] : v.items()) {
    if (is_extension_key(n)) continue;
    const std::string p = ptr_append(ptr, n);
    if (!name(Json(n), p, "a shared variable")) continue;
    if (sc_.var_names.size() >= kMaxVars) {
      error("scenario.E068", p, "more than " + std::to_string(kMaxVars) + " shared variables");
      return;
    }
    const auto x = integer(init, p, INT64_MIN, INT64_MAX, "a variable's initial value");
    intern(sc_.var_names, var_index_, n);
    sc_.var_init.push_back(x.value_or(0));
  }
}

// A litmus program (Scenario::litmus): shared variables, and every task a
// kthread running litmus ops only.  Its tasks do not exit (nothing can
// observe it), so no outcome may name them.
void Loader::check_litmus() {
  if (sc_.var_names.empty() || sc_.tasks.empty()) return;
  for (const TaskDecl& t : sc_.tasks) {
    if (!t.kthread) return;
    for (const Op& op : t.program)
      if (!op.as_if<MemOp>()) return;
  }
  sc_.litmus = true;
  // A litmus test's verdict is about every execution: by default, DPOR to
  // the end of the space (a "Never" needs a complete exploration).  The
  // explore block and the command line still say otherwise.
  if (!sc_.explore.strategy) sc_.explore.strategy = Strategy::Dpor;
  if (!sc_.explore.max_schedules) sc_.explore.max_schedules = kLitmusMaxSchedules;
  auto refuse = [&](const std::vector<Outcome>& list) {
    for (const Outcome& o : list)
      if (!o.tasks.empty() || !o.callbacks.empty())
        error("scenario.E069", ptr_append(o.ptr, o.tasks.empty() ? "callbacks" : "tasks"),
              "a litmus program (every task a kthread running only litmus ops) runs each task as one CPU and "
              "does not simulate its exit: an outcome names results and vars only");
  };
  auto refuse_all = [&](const ScenarioExpect& e) {
    refuse(e.outcomes);
    refuse(e.reachable);
    refuse(e.unreachable);
  };
  refuse_all(sc_.expect);
  for (const auto& e : sc_.expect_memory)
    if (e) refuse_all(*e);
  if (sc_.tasks.size() > kMaxCpus)
    error("scenario.E068", "/tasks", "more than " + std::to_string(kMaxCpus) + " CPUs in a litmus program");
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
  if (!object(v, ptr, "an outcome", {"tasks", "callbacks", "results", "vars"})) return std::nullopt;
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
  if (const Json* vars = keyed("vars", "{variable: value}")) {
    std::string vp = ptr_append(ptr, "vars");
    for (const auto& [n, val] : vars->items()) {
      if (is_extension_key(n)) continue;
      std::string p = ptr_append(vp, n);
      VarOutcome vo;
      vo.var = var_slot(n, p);
      if (auto x = integer(val, p, INT64_MIN, INT64_MAX, "a variable's final value")) vo.value = *x;
      if (vo.var >= 0) out.vars.push_back(vo);
    }
  }
  return out;
}

int Loader::var_slot(const std::string& n, const std::string& ptr) {
  if (auto it = var_index_.find(n); it != var_index_.end()) return it->second;
  std::vector<std::string_view> names(sc_.var_names.begin(), sc_.var_names.end());
  std::string c = closest(n, names);
  std::string declared;
  for (const std::string& v : sc_.var_names) declared += (declared.empty() ? "" : ", ") + v;
  error("scenario.E067", ptr,
        "unknown shared variable '" + n + "' (" +
            (declared.empty() ? std::string("the scenario declares none: add \"vars\": {\"") + n + "\": 0}"
                              : "declared in \"vars\": " + declared) +
            (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
  return -1;
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
