// scenario/load/ops_utrace.cpp: the arguments of the utrace API ops
// (SCENARIOS.md "utrace API ops"; utrace-semantics.md §3).
#include <algorithm>

#include "scenario/load/impl.h"

namespace model::loader {
namespace {

// The ops table of the detached-ops sentinel (utrace-semantics.md §1.4), an
// extension for attach tests.
constexpr std::string_view kDetachedOps = "utrace_detached_ops";

}  // namespace

// utrace_engine_put.
void Loader::read_engine_put(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "engine", {"engine"});
  if (!a) return;
  EnginePutOp op;
  if (const Json* e = need(*a, key, "engine"))
    if (auto h = handle_ref(*e, a->at("engine"), ctx)) op.engine = *h;
  out.body = op;
}

// utrace_attach_task.  Main field: target.  {"utrace_attach_task": "X"} is
// utrace_attach_task(X, 0, NULL, NULL): a lookup of X's first engine.
void Loader::read_attach(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  auto a = args(key, v, ptr, "target", {"target", "ops", "data", "flags"});
  if (!a) return;
  AttachOp op;
  if (const Json* t = need(*a, key, "target"))
    if (auto r = task_ref(*t, a->at("target"), ctx)) op.target = *r;
  if (const Json* f = a->get("flags"))
    if (auto fl = flags<std::uint32_t>(*f, a->at("flags"), "scenario.E039", "attach flag", utrace_attach_flag_from_name,
                                       "UTRACE_ATTACH_CREATE, UTRACE_ATTACH_EXCLUSIVE, "
                                       "UTRACE_ATTACH_MATCH_OPS or UTRACE_ATTACH_MATCH_DATA"))
      op.flags = *fl;
  // The kernel reads `ops` only to create an engine or to match on it
  // (kernel/utrace.c utrace_attach_task(), find_matching_engine()): a plain
  // lookup may leave it out (NULL), as the kernel's own callers do.
  const Json* o = a->get("ops");
  if (!o && (op.flags & (UTRACE_ATTACH_CREATE | UTRACE_ATTACH_MATCH_OPS))) {
    error("scenario.E011", a->ptr(),
          std::string("missing key 'ops' in the arguments of 'utrace_attach_task': UTRACE_ATTACH_CREATE and "
                      "UTRACE_ATTACH_MATCH_OPS need an engine table") +
              (a->shorthand() ? " (a scalar argument is shorthand for the main field 'target' only)" : ""));
  } else if (!o) {
    op.ops_kind = AttachOp::Ops::Null;
  }
  if (o) {
    if (o->is_null()) {
      op.ops_kind = AttachOp::Ops::Null;  // extension: NULL ops, for -EINVAL
    } else if (auto s = string(*o, a->at("ops"), "an engine table")) {
      if (auto it = engine_index_.find(*s); it != engine_index_.end()) {
        op.ops_kind = AttachOp::Ops::Table;
        op.ops = it->second;
      } else if (*s == kDetachedOps) {
        op.ops_kind = AttachOp::Ops::DetachedSentinel;
      } else {
        std::vector<std::string_view> names;
        for (const auto& [n, i] : engine_index_) names.push_back(n);
        std::sort(names.begin(), names.end());
        std::string listed;
        for (auto n : names) listed += (listed.empty() ? "" : ", ") + std::string(n);
        std::string c = closest(*s, names);
        error("scenario.E024", a->at("ops"),
              "unknown engine table '" + *s + "' (expected a key of \"engines\"" +
                  (listed.empty() ? std::string(", which defines none") : ": " + listed) +
                  "; or null, or \"utrace_detached_ops\"" + (c.empty() ? "" : "; did you mean '" + c + "'?") + ")");
      }
    }
  }
  if (const Json* d = a->get("data"); d && !d->is_null())
    if (auto s = name(*d, a->at("data"), "engine data")) op.data = intern(sc_.data_names, data_index_, *s);
  out.body = op;
}

// utrace_set_events, utrace_control, utrace_barrier, utrace_prepare_examine,
// utrace_finish_examine: a target and an engine handle.  Main field: engine.
void Loader::read_engine_op(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  const bool set_events = key == "utrace_set_events", control = key == "utrace_control";
  auto a = set_events ? args(key, v, ptr, "engine", {"target", "engine", "events"})
           : control  ? args(key, v, ptr, "engine", {"target", "engine", "action"})
                      : args(key, v, ptr, "engine", {"target", "engine"});
  if (!a) return;
  // Extension: without "target", the task the engine was attached to.
  TaskRef target{TaskRef::Kind::Engine, -1};
  HandleRef engine;
  if (const Json* t = a->get("target"))
    if (auto r = task_ref(*t, a->at("target"), ctx)) target = *r;
  if (const Json* e = need(*a, key, "engine"))
    if (auto h = handle_ref(*e, a->at("engine"), ctx)) engine = *h;

  if (set_events) {
    SetEventsOp op{target, engine, 0};
    if (const Json* ev = need(*a, key, "events"))
      if (auto m = flags<unsigned long>(*ev, a->at("events"), "scenario.E037", "utrace event", utrace_event_from_name,
                                        "QUIESCE, REAP, CLONE, EXEC, EXIT, DEATH, SYSCALL_ENTRY, "
                                        "SYSCALL_EXIT, SIGNAL, SIGNAL_IGN, SIGNAL_STOP, "
                                        "SIGNAL_TERM, SIGNAL_CORE, JCTL, SIGNAL_ALL or SYSCALL, "
                                        "bare or as UTRACE_EVENT(X)"))
        op.events = *m;
    out.body = op;
  } else if (control) {
    ControlOp op{target, engine, UTRACE_RESUME};
    if (const Json* act = need(*a, key, "action")) {
      std::string p = a->at("action");
      if (act->is_number()) {  // extension: a raw action value, for -EINVAL tests
        if (auto x = integer(*act, p, 0, UINT32_MAX, "a utrace_control action"))
          op.action = static_cast<std::uint32_t>(*x);
      } else if (auto s = string(*act, p, "a utrace_control action")) {
        auto an = utrace_action_from_name(*s);
        if (!an) {
          error("scenario.E038", p,
                "unknown utrace action '" + *s +
                    "' (expected UTRACE_STOP, UTRACE_INTERRUPT, UTRACE_REPORT, "
                    "UTRACE_SINGLESTEP, UTRACE_BLOCKSTEP, UTRACE_RESUME, UTRACE_DETACH or "
                    "UTRACE_RESUME_MAX)");
        } else if (an->family != ActionFamily::Resume) {
          error("scenario.E064", p,
                "utrace_control takes a resume action (UTRACE_STOP ... UTRACE_DETACH), not '" + *s + "'");
        } else {
          op.action = an->value;
        }
      }
    }
    out.body = op;
  } else if (key == "utrace_barrier") {
    out.body = BarrierOp{target, engine};
  } else {
    out.body = ExamineOp{target, engine, key == "utrace_finish_examine"};
  }
}

}  // namespace model::loader
