// tests/support/scenario_gen.h: RapidCheck generators of small, valid
// scenarios (SCENARIOS.md, version 1), built as JSON and meant to be loaded
// through model::load_scenario_text (so the loader checks the generator).
//
// general(): a traced task X, a kthread T owning 1-2 utrace engines with
// random event masks and callback return sequences, and optionally a
// signaller U and a ptrace tracer R.  The shapes are chosen so that a
// scenario never hangs by construction: X waits until T's engines are
// attached (a handle used before it is bound would be an unexpected-result),
// T detaches every engine at the end (an engine's UTRACE_STOP is always
// released), a SIGSTOP is always followed by a SIGCONT from the same sender,
// and the tracer follows attach / wait / (resume / wait)* / detach.
//
// biased(bug): the shape of scenarios/races/rN-*-bug.json for race RN, with
// random variation around it (extra engines and events, other callback
// returns, more syscalls, other orders), and "model.bugs": ["RN"].
#pragma once

#include <rapidcheck.h>

#include <nlohmann/json.hpp>

#include <string>
#include <utility>
#include <vector>

namespace scengen {

using json = nlohmann::ordered_json;

// ---- small helpers (only inside a generator or a property) ----------------------------

inline int pick(int lo, int hi) { return *rc::gen::inRange(lo, hi + 1); }
inline bool chance(int percent) { return *rc::gen::inRange(0, 100) < percent; }
template <class T>
T one_of(const std::vector<T>& v) {
  return *rc::gen::elementOf(v);
}
// A value drawn with weights.
inline std::string weighted(const std::vector<std::pair<int, std::string>>& w) {
  int total = 0;
  for (const auto& [n, s] : w) total += n;
  int r = pick(0, total - 1);
  for (const auto& [n, s] : w) {
    if (r < n) return s;
    r -= n;
  }
  return w.back().second;
}

// ---- engines ------------------------------------------------------------------------------

// Each event and the callback that reports it (§2.1).
struct EventCb {
  const char* event;
  const char* callback;
};
inline const std::vector<EventCb>& events() {
  static const std::vector<EventCb> v{
      {"QUIESCE", "report_quiesce"},
      {"REAP", "report_reap"},
      {"CLONE", "report_clone"},
      {"EXEC", "report_exec"},
      {"EXIT", "report_exit"},
      {"DEATH", "report_death"},
      {"SYSCALL_ENTRY", "report_syscall_entry"},
      {"SYSCALL_EXIT", "report_syscall_exit"},
      {"SIGNAL", "report_signal"},
      {"SIGNAL_IGN", "report_signal"},
      {"SIGNAL_STOP", "report_signal"},
      {"SIGNAL_TERM", "report_signal"},
      {"SIGNAL_CORE", "report_signal"},
      {"JCTL", "report_jctl"},
  };
  return v;
}
inline const char* callback_of(const std::string& event) {
  for (const EventCb& e : events())
    if (event == e.event) return e.callback;
  return "";
}

inline std::string resume_action(bool allow_stop = true) {
  std::vector<std::pair<int, std::string>> w{{40, "UTRACE_RESUME"},    {10, "UTRACE_DETACH"},
                                             {10, "UTRACE_REPORT"},    {10, "UTRACE_INTERRUPT"},
                                             {4, "UTRACE_SINGLESTEP"}, {4, "UTRACE_BLOCKSTEP"}};
  if (allow_stop) w.push_back({22, "UTRACE_STOP"});
  return weighted(w);
}

// One return value of callback `cb`.
inline std::string callback_return(const std::string& cb, bool allow_stop) {
  std::string a = resume_action(allow_stop);
  if (cb == "report_signal")
    return weighted({{4, "UTRACE_SIGNAL_REPORT"}, {3, "UTRACE_SIGNAL_IGN"}, {3, "UTRACE_SIGNAL_DELIVER"}}) + " | " + a;
  if (cb == "report_syscall_entry" && chance(10)) return "UTRACE_SYSCALL_ABORT | " + a;
  return a;
}

// A callback table entry: one return or a list used call by call.
inline json callback_spec(const std::string& cb, bool allow_stop) {
  if (cb == "report_reap" || cb == "release") return json::object();
  // The last return repeats: it is never UTRACE_INTERRUPT, which at every
  // syscall entry restarts an interrupted syscall forever (a livelock the
  // engine asks for, not one of the model).
  auto last = [&] {
    std::string r = callback_return(cb, allow_stop);
    while (r.find("UTRACE_INTERRUPT") != std::string::npos) r = callback_return(cb, allow_stop);
    return r;
  };
  const int n = pick(1, 3);
  if (n == 1) return last();
  json list = json::array();
  for (int i = 0; i + 1 < n; ++i) list.push_back(callback_return(cb, allow_stop));
  list.push_back(last());
  return list;
}

// A random non-empty set of event names (no duplicates, catalogue order).
inline std::vector<std::string> event_set(int max_events) {
  std::vector<std::string> out;
  const int n = pick(1, max_events);
  for (int i = 0; i < n; ++i) {
    const std::string e = one_of(std::vector<std::string>{
        "QUIESCE", "QUIESCE", "SYSCALL_ENTRY", "SYSCALL_EXIT", "SYSCALL_EXIT", "SIGNAL", "SIGNAL_IGN", "SIGNAL_TERM",
        "SIGNAL_STOP", "JCTL", "EXIT", "DEATH", "REAP", "CLONE", "EXEC"});
    bool dup = false;
    for (const auto& x : out) dup = dup || x == e;
    if (!dup) out.push_back(e);
  }
  return out;
}
inline std::vector<std::string> subset(const std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (const auto& x : v)
    if (chance(50)) out.push_back(x);
  return out;
}

// The callback table for an engine that may enable `evs`: a callback for each
// (an enabled event without its callback is an engine bug: null-callback).
inline json engine_table(const std::vector<std::string>& evs, bool allow_stop) {
  json t = json::object();
  for (const auto& e : evs) {
    const std::string cb = callback_of(e);
    if (!t.contains(cb)) t[cb] = callback_spec(cb, allow_stop);
  }
  if (chance(30) && !t.contains("report_quiesce")) t["report_quiesce"] = callback_spec("report_quiesce", allow_stop);
  if (chance(20)) t["release"] = json::object();
  return t;
}

inline json attach(const std::string& target, const std::string& ops, const std::string& as,
                   std::vector<std::string> flags = {"UTRACE_ATTACH_CREATE"}) {
  return json{{"utrace_attach_task", {{"target", target}, {"ops", ops}, {"flags", flags}}}, {"as", as}};
}
inline json set_events(const std::string& target, const std::string& h, const std::vector<std::string>& evs) {
  return json{{"utrace_set_events", {{"target", target}, {"engine", h}, {"events", evs}}}};
}
inline json control(const std::string& target, const std::string& h, const std::string& action) {
  return json{{"utrace_control", {{"target", target}, {"engine", h}, {"action", action}}}};
}
inline json barrier(const std::string& target, const std::string& h) {
  return json{{"utrace_barrier", {{"target", target}, {"engine", h}}}};
}
inline json complete(const std::string& c) { return json{{"complete", c}}; }
inline json wait_for(const std::string& c) { return json{{"wait_for_completion", c}}; }
inline json syscall(const std::string& name = "getpid") { return json{{"syscall", name}}; }
inline json kill(const std::string& op, const std::string& pid, const std::string& sig) {
  return json{{op, {{"pid", pid}, {"sig", sig}}}};
}

inline json scenario(const std::string& name, const std::string& kernel, const std::vector<std::string>& bugs,
                     json engines, json tasks) {
  json s{{"utsim", 1}, {"name", name}, {"summary", "generated"}, {"model", {{"kernel", kernel}}}};
  if (!bugs.empty()) s["model"]["bugs"] = bugs;
  if (!engines.empty()) s["engines"] = std::move(engines);
  s["tasks"] = std::move(tasks);
  return s;
}

// ---- user programs ------------------------------------------------------------------------

// A few ops of X's own program (no op blocks for good: waits are for children
// that end on their own).  `child` numbers fork children.
inline json user_ops(int n, int& child, bool signals = true) {
  json prog = json::array();
  for (int i = 0; i < n; ++i) {
    const int s = signals ? 1 : 0;
    const std::string k = weighted({{30, "syscall"},
                                    {10, "compute"},
                                    {10 * s, "raise"},
                                    {10, "sigaction"},
                                    {6, "sigprocmask"},
                                    {10 * s, "fork"},
                                    {4 * s, "thread"}});
    if (k == "syscall") {
      prog.push_back(syscall(one_of(std::vector<std::string>{"getpid", "sched_yield", "gettid"})));
    } else if (k == "compute") {
      prog.push_back(json{{"compute", pick(1, 3)}});
    } else if (k == "raise") {
      prog.push_back(json{{"raise", one_of(std::vector<std::string>{"SIGUSR1", "SIGCHLD", "SIGURG"})}});
    } else if (k == "sigaction") {
      json sa = json::object();
      sa["sig"] = "SIGUSR1";
      sa["handler"] = one_of(std::vector<std::string>{"noop", "SIG_IGN", "SIG_DFL"});
      prog.push_back(json{{"sigaction", sa}});
    } else if (k == "sigprocmask") {
      json m = json::object();
      m[chance(50) ? "block" : "unblock"] = json::array({"SIGUSR1"});
      prog.push_back(json{{"sigprocmask", m}});
    } else if (k == "fork") {
      const std::string c = "C" + std::to_string(child++);
      json cp = json::array({syscall(), json{{"exit", pick(0, 3)}}});
      prog.push_back(json{{"fork", {{"child", c}, {"program", cp}}}});
      prog.push_back(json{{"waitpid", {{"pid", c}, {"options", json::array({"__WALL"})}}}});
    } else {
      const std::string c = "C" + std::to_string(child++);
      json cp = json::array({syscall(), json{{"exit", 0}}});
      prog.push_back(
          json{{"clone", {{"flags", {"CLONE_VM", "CLONE_SIGHAND", "CLONE_THREAD"}}, {"child", c}, {"program", cp}}}});
    }
  }
  return prog;
}

// A report_signal spec whose signal action is always UTRACE_SIGNAL_REPORT
// (the resume action is kept).
inline json signal_report_only(const json& spec) {
  auto one = [](const std::string& r) {
    const auto bar = r.find(" | ");
    return "UTRACE_SIGNAL_REPORT" + (bar == std::string::npos ? std::string(" | UTRACE_RESUME") : r.substr(bar));
  };
  if (spec.is_string()) return one(spec.get<std::string>());
  json out = json::array();
  for (const auto& r : spec) out.push_back(one(r.get<std::string>()));
  return out;
}

// ---- the general generator (no bug switch) -------------------------------------------------

// The generators give the scenario as JSON text (RapidCheck shows a string
// well; it would take a json object apart as a container).
inline rc::Gen<std::string> general(std::string kernel = "2010-rhel6") {
  return rc::gen::exec([kernel]() -> std::string {
    json engines = json::object();
    json tasks = json::array();
    int child = 0;
    const std::string X = "X";

    // A ptrace tracer R (below) may attach at any time, also while X takes
    // signals (raise, exec's SIGTRAP, a child's SIGCHLD, U's signals): a
    // signal stop between ptrace_attach_task() and the link is
    // scenarios/ptrace/race-attach-link-vs-signal-stop.
    const bool tracer = chance(25);
    // X: wait until the engines are attached, then a short program.
    json xprog = json::array({wait_for("ready")});
    for (auto& op : user_ops(pick(1, 4), child)) xprog.push_back(op);
    if (chance(15))
      xprog.push_back(json{{"exec", {{"program", json::array({syscall()})}}}});
    else if (chance(30))
      xprog.push_back(json{{chance(50) ? "exit" : "exit_group", pick(0, 3)}});
    tasks.push_back(json{{"name", X}, {"program", xprog}});

    // T: attach 1-2 engines, set their events, let X go, poke at them, detach them.
    json tprog = json::array();
    const int ne = pick(1, 2);
    std::vector<std::vector<std::string>> evs;
    for (int i = 0; i < ne; ++i) {
      const std::string e = "E" + std::to_string(i), h = "e" + std::to_string(i);
      evs.push_back(event_set(4));
      engines[e] = engine_table(evs.back(), true);
      // An engine with QUIESCE gets report_signal for UTRACE_SIGNAL_REPORT
      // passes too, which carry no signal.  Answering one with a signal
      // action (IGN, DELIVER) hands the next engine a signal that does not
      // exist (kerneldoc: "the previous engine's return value sets the signal
      // action seen by the following engine"); a ptrace engine linked after
      // it then captures "signal 0", stops with exit_code 0 and its tracer's
      // wait never returns (do_ptrace_notify_stop's WARN_ON(!exit_code)).  A
      // scenario engine cannot look at its action argument, so with a tracer
      // such an engine passes UTRACE_SIGNAL_REPORT on (triage of untriaged-3,
      // -6, -7: a meaningless engine, not a kernel race).
      if (tracer && engines[e].contains("report_signal"))
        for (const auto& ev : evs.back())
          if (ev == "QUIESCE") engines[e]["report_signal"] = signal_report_only(engines[e]["report_signal"]);
      tprog.push_back(attach(X, e, h));
      tprog.push_back(set_events(X, h, subset(evs.back()).empty() ? evs.back() : subset(evs.back())));
    }
    tprog.push_back(complete("ready"));
    const int pokes = pick(0, 3);
    for (int p = 0; p < pokes; ++p) {
      const int i = pick(0, ne - 1);
      const std::string h = "e" + std::to_string(i);
      const std::string k = weighted({{5, "control"}, {3, "set_events"}, {2, "barrier"}});
      if (k == "control")
        tprog.push_back(control(X, h, resume_action(true)));
      else if (k == "set_events")
        tprog.push_back(set_events(X, h, subset(evs[static_cast<std::size_t>(i)])));
      else
        tprog.push_back(barrier(X, h));
    }
    for (int i = 0; i < ne; ++i) tprog.push_back(control(X, "e" + std::to_string(i), "UTRACE_DETACH"));
    // A late engine racing X's exit and reap (R6 shape, fixed; with a
    // set_events during the reap teardown, the V3 leak allowed in
    // scenario_gen_check.h).
    if (chance(15)) {
      engines["L"] = json{{"report_reap", json::object()}};
      tprog.push_back(attach(X, "L", "late"));
    }
    tasks.push_back(json{{"name", "T"}, {"kind", "kthread"}, {"program", tprog}});

    // U: signals to X.
    if (chance(40)) {
      // after T's attaches: an early SIGKILL would leave the handles unbound
      json uprog = json::array({wait_for("ready2")});
      const int n = pick(1, 2);
      for (int i = 0; i < n; ++i) {
        const std::string how = chance(70) ? "kill" : "tkill";
        const std::string sig =
            weighted({{4, "SIGUSR1"}, {2, "SIGTERM"}, {2, "SIGKILL"}, {2, "SIGSTOP"}, {2, "SIGCHLD"}, {1, "SIGCONT"}});
        uprog.push_back(kill(how, X, sig));
        if (sig == "SIGSTOP") uprog.push_back(kill(how, X, "SIGCONT"));
      }
      tasks.push_back(json{{"name", "U"}, {"program", uprog}});
      tasks[1]["program"].insert(tasks[1]["program"].begin() + ne * 2 + 1, complete("ready2"));
    }

    // R: a ptrace tracer of X.  Half the time it attaches after T's engines,
    // otherwise at once, racing T's attaches (the ptrace engine may then be
    // linked before, between or after them:
    // scenarios/utrace/g02-order-concurrent-attach).
    if (tracer) {
      auto wait = [&] { return json{{"waitpid", {{"pid", X}, {"options", json::array({"__WALL"})}}}}; };
      json rprog = json::array();
      if (chance(50)) {
        auto& tp = tasks[1]["program"];
        tp.insert(tp.begin() + ne * 2 + 1, complete("traced"));
        rprog.push_back(wait_for("traced"));
      }
      rprog.push_back(json{{"ptrace", {{"request", "PTRACE_ATTACH"}, {"pid", X}}}});
      rprog.push_back(wait());
      const int k = pick(0, 2);
      for (int i = 0; i < k; ++i) {
        const std::string req = one_of(std::vector<std::string>{"PTRACE_CONT", "PTRACE_SYSCALL"});
        rprog.push_back(json{{"ptrace", {{"request", req}, {"pid", X}, {"sig", 0}}}});
        rprog.push_back(wait());
      }
      rprog.push_back(json{{"ptrace", {{"request", "PTRACE_DETACH"}, {"pid", X}, {"sig", 0}}}});
      // The attach's SIGSTOP may still be pending (the wait saw another stop):
      // a SIGCONT discards it or ends the job-control stop it caused.
      rprog.push_back(kill("kill", X, "SIGCONT"));
      tasks.push_back(json{{"name", "R"}, {"program", rprog}});
    }
    return scenario("gen", kernel, {}, std::move(engines), std::move(tasks)).dump();
  });
}

}  // namespace scengen

namespace scengen {

// ---- generators biased towards one race (scenarios/races/rN-*-bug.json) --------------------

// Noise in X's program that cannot block: syscalls and user-mode work.
inline void noise(json& prog, int max_ops) {
  const int n = pick(0, max_ops);
  for (int i = 0; i < n; ++i)
    prog.push_back(chance(60) ? syscall(one_of(std::vector<std::string>{"getpid", "sched_yield", "gettid"}))
                              : json{{"compute", pick(1, 2)}});
}
// A bystander engine with callbacks that never stop the task (optional).
inline void bystander(json& engines, json& tprog, const std::string& target, int percent) {
  if (!chance(percent)) return;
  std::vector<std::string> evs = event_set(2);
  engines["Z"] = engine_table(evs, false);
  tprog.push_back(attach(target, "Z", "z"));
  tprog.push_back(set_events(target, "z", evs));
}
inline json callback_with(const json& ret, bool sync, const std::string& c) {
  if (!sync) return ret;
  return json{{"return", ret}, {"do", json::array({complete(c)})}};
}
inline std::string syscall_event() { return chance(50) ? "SYSCALL_ENTRY" : "SYSCALL_EXIT"; }
inline std::string event_callback(const std::string& ev) { return callback_of(ev); }

inline json r1() {  // an engine attached during a report pass is called for that event
  // Syscall exit: engines are called in attach order, so one linked onto the
  // walked list during the pass is reached (entry walks in reverse).
  const std::string ev = "SYSCALL_EXIT", cb = event_callback(ev);
  const bool sync = chance(80);
  json engines{{"A", json::object()}, {"B", json::object()}};
  engines["A"][cb] =
      sync ? json{{"return", "UTRACE_RESUME"}, {"do", json::array({complete("in-pass"), wait_for("b-attached")})}}
           : json("UTRACE_RESUME");
  engines["B"][cb] = callback_return(cb, false);
  json x = json::array({wait_for("go")});
  noise(x, 1);
  x.push_back(syscall());
  if (!sync && chance(50)) x.push_back(syscall());
  json t = json::array({attach("X", "A", "a"), set_events("X", "a", {ev})});
  bystander(engines, t, "X", 30);
  t.push_back(complete("go"));
  if (sync) t.push_back(wait_for("in-pass"));
  t.push_back(attach("X", "B", "b"));
  t.push_back(set_events("X", "b", {ev}));
  if (sync) t.push_back(complete("b-attached"));
  return scenario(
      "gen-r1", "2010-rhel6", {"R1"}, engines,
      json::array({json{{"name", "X"}, {"program", x}}, json{{"name", "T"}, {"kind", "kthread"}, {"program", t}}}));
}

// R2 and R3 share a shape: X inside E's callback; T acts on E meanwhile.
inline json r2_r3(int bug) {
  const std::string ev = chance(80) ? syscall_event() : "QUIESCE", cb = event_callback(ev);
  const bool sync = chance(80);
  json engines{{"E", json::object()}};
  engines["E"][cb] = callback_with(bug == 2 ? "UTRACE_STOP" : "UTRACE_DETACH", sync, "in-callback");
  json x = json::array({wait_for("engine-ready")});
  noise(x, 1);
  x.push_back(syscall());
  json t = json::array({attach("X", "E", "e"), set_events("X", "e", {ev})});
  bystander(engines, t, "X", 30);
  t.push_back(complete("engine-ready"));
  if (sync) t.push_back(wait_for("in-callback"));
  if (bug == 2) {
    t.push_back(control("X", "e", "UTRACE_DETACH"));
  } else {
    t.push_back(barrier("X", "e"));
    t.push_back(control("X", "e", one_of(std::vector<std::string>{"UTRACE_RESUME", "UTRACE_REPORT", "UTRACE_STOP"})));
    // a STOP that lands must be released again
    t.push_back(control("X", "e", "UTRACE_DETACH"));
  }
  return scenario(
      bug == 2 ? "gen-r2" : "gen-r3", "2010-rhel6", {bug == 2 ? "R2" : "R3"}, engines,
      json::array({json{{"name", "X"}, {"program", x}}, json{{"name", "T"}, {"kind", "kthread"}, {"program", t}}}));
}

inline json r4() {  // set_events removing an event while X reports it
  const std::string ev = syscall_event(), cb = event_callback(ev);
  json engines{{"E", json::object()}};
  engines["E"][cb] = "UTRACE_RESUME";
  std::vector<std::string> evs{ev};
  if (chance(30)) {
    evs.push_back("QUIESCE");
    engines["E"]["report_quiesce"] = "UTRACE_RESUME";
  }
  json x = json::array(
      {wait_for("engine-ready"), json{{"loop", {{"times", pick(2, 4)}, {"do", json::array({syscall()})}}}}});
  json t = json::array({attach("X", "E", "e"), set_events("X", "e", evs)});
  bystander(engines, t, "X", 20);
  t.push_back(complete("engine-ready"));
  if (chance(30)) t.push_back(json{{"compute", pick(1, 3)}});
  std::vector<std::string> left;
  if (evs.size() > 1 && chance(50)) left.push_back("QUIESCE");
  t.push_back(set_events("X", "e", left));
  return scenario(
      "gen-r4", "2010-rhel6", {"R4"}, engines,
      json::array({json{{"name", "X"}, {"program", x}}, json{{"name", "T"}, {"kind", "kthread"}, {"program", t}}}));
}

inline json r5() {  // async DETACH vs start_callback (2011-3x with R5 back)
  const std::string ev = syscall_event(), cb = event_callback(ev);
  json engines{{"E", json::object()}};
  engines["E"][cb] = "UTRACE_RESUME";
  json x = json::array(
      {wait_for("engine-ready"), json{{"loop", {{"times", pick(1, 3)}, {"do", json::array({syscall()})}}}}});
  json t = json::array({attach("X", "E", "e"), set_events("X", "e", {ev})});
  bystander(engines, t, "X", 20);
  t.push_back(complete("engine-ready"));
  if (chance(30)) t.push_back(json{{"compute", pick(1, 2)}});
  t.push_back(control("X", "e", "UTRACE_DETACH"));
  return scenario(
      "gen-r5", "2011-3x", {"R5"}, engines,
      json::array({json{{"name", "X"}, {"program", x}}, json{{"name", "T"}, {"kind", "kthread"}, {"program", t}}}));
}

inline json r6() {  // the first attach vs release_task
  json engines{{"E", {{"report_reap", json::object()}}}};
  if (chance(30)) engines["E"]["release"] = json::object();
  json x = json::array();
  noise(x, 1);
  x.push_back(complete("exiting"));
  noise(x, 1);
  x.push_back(json{{"exit", pick(0, 3)}});
  json t = json::array();
  if (chance(30)) t.push_back(json{{"compute", 1}});
  t.push_back(wait_for("exiting"));
  t.push_back(attach("X", "E", "e"));
  return scenario(
      "gen-r6", "2010-rhel6", {"R6"}, engines,
      json::array({json{{"name", "X"}, {"program", x}}, json{{"name", "T"}, {"kind", "kthread"}, {"program", t}}}));
}

inline json r7() {  // the parent's reap vs X's death report
  json engines{{"E",
                {{"report_death",
                  {{"return", chance(70) ? "UTRACE_RESUME" : "UTRACE_DETACH"},
                   {"do", json::array({json{{"compute", pick(1, 4)}}})}}},
                 {"report_reap", json::object()}}}};
  std::vector<std::string> evs{"DEATH", "REAP"};
  if (chance(30)) {
    evs.push_back("QUIESCE");
    engines["E"]["report_quiesce"] = "UTRACE_RESUME";
  }
  json xp = json::array({complete("forked"), wait_for("engine-ready")});
  noise(xp, 1);
  xp.push_back(json{{"exit", pick(0, 3)}});
  json p = json::array({json{{"fork", {{"child", "X"}, {"program", xp}}}}, json{{"waitpid", {{"pid", "X"}}}}});
  json t = json::array({wait_for("forked"), attach("X", "E", "e"), set_events("X", "e", evs)});
  t.push_back(complete("engine-ready"));
  return scenario(
      "gen-r7", "2010-rhel6", {"R7"}, engines,
      json::array({json{{"name", "P"}, {"program", p}}, json{{"name", "T"}, {"kind", "kthread"}, {"program", t}}}));
}

inline json r8() {  // enabling DEATH vs exit_notify
  json engines{{"E", {{"report_death", json::object()}, {"report_reap", json::object()}}}};
  std::vector<std::string> evs{"DEATH"};
  if (chance(60)) evs.push_back("REAP");
  if (chance(30)) {
    evs.push_back("QUIESCE");
    engines["E"]["report_quiesce"] = "UTRACE_RESUME";
  }
  json x = json::array({wait_for("go")});
  noise(x, 1);
  x.push_back(json{{"exit", pick(0, 3)}});
  json t = json::array({attach("X", "E", "e")});
  bystander(engines, t, "X", 20);
  t.push_back(complete("go"));
  if (chance(30)) t.push_back(json{{"compute", 1}});
  t.push_back(set_events("X", "e", evs));
  return scenario(
      "gen-r8", "2010-rhel6", {"R8"}, engines,
      json::array({json{{"name", "X"}, {"program", x}}, json{{"name", "T"}, {"kind", "kthread"}, {"program", t}}}));
}

inline json r9() {  // SIGKILL wakes X while the tracer holds its utrace->lock
  const std::string ev = syscall_event(), cb = event_callback(ev);
  json engines{{"E", json::object()}};
  engines["E"][cb] = json::array({"UTRACE_STOP", "UTRACE_RESUME"});
  json x = json::array({wait_for("engine-ready")});
  noise(x, 1);
  x.push_back(syscall());
  json t = json::array({attach("X", "E", "e"), set_events("X", "e", {ev}), complete("engine-ready"),
                        json{{"await", {{"task", "X"}, {"state", "traced"}}}}, complete("stopped"),
                        control("X", "e", one_of(std::vector<std::string>{"UTRACE_RESUME", "UTRACE_DETACH"}))});
  json u = json::array({wait_for("stopped"), kill(chance(70) ? "kill" : "tkill", "X", "SIGKILL")});
  return scenario(
      "gen-r9", "2010-rhel6", {"R9"}, engines,
      json::array({json{{"name", "X"}, {"program", x}}, json{{"name", "T"}, {"kind", "kthread"}, {"program", t}},
                   json{{"name", "U"}, {"program", u}}}));
}

inline json r11() {  // UTRACE_INTERRUPT vs recalc_sigpending
  json engines{{"E",
                {{"report_quiesce", "UTRACE_RESUME"},
                 {"report_signal", one_of(std::vector<std::string>{"UTRACE_SIGNAL_REPORT | UTRACE_RESUME",
                                                                   "UTRACE_SIGNAL_IGN | UTRACE_RESUME"})}}}};
  std::vector<std::string> evs{"QUIESCE"};
  if (chance(30)) evs.push_back("SIGNAL");
  const std::string how = chance(70) ? "block" : "unblock";
  json x = json::array(
      {wait_for("engine-ready"),
       json{{"loop", {{"times", pick(2, 5)}, {"do", json::array({json{{"sigprocmask", {{how, {"SIGUSR1"}}}}}})}}}}});
  json t = json::array({attach("X", "E", "e"), set_events("X", "e", evs), complete("engine-ready")});
  if (chance(30)) t.push_back(json{{"compute", 1}});
  t.push_back(control("X", "e", "UTRACE_INTERRUPT"));
  return scenario(
      "gen-r11", "2010-rhel6", {"R11"}, engines,
      json::array({json{{"name", "X"}, {"program", x}}, json{{"name", "T"}, {"kind", "kthread"}, {"program", t}}}));
}

// The switchable bugs with a biased generator, in `utsim list --bugs` order.
inline const std::vector<int>& biased_bugs() {
  static const std::vector<int> v{1, 2, 3, 4, 5, 6, 7, 8, 9, 11};
  return v;
}
inline rc::Gen<std::string> biased(int bug) {
  return rc::gen::exec([bug]() -> std::string {
    switch (bug) {
      case 1: return r1().dump();
      case 2: return r2_r3(2).dump();
      case 3: return r2_r3(3).dump();
      case 4: return r4().dump();
      case 5: return r5().dump();
      case 6: return r6().dump();
      case 7: return r7().dump();
      case 8: return r8().dump();
      case 9: return r9().dump();
      case 11: return r11().dump();
      default: return "{}";
    }
  });
}

}  // namespace scengen
