// tools/kernel/fuzzgen.cpp: the scenarios of utsim-kernel fuzz, the shard
// split and the shrinker (tools/kernel/fuzzgen.h).
//
// A scenario is one of five shapes, each with random content: a parent and
// its child's signals and job control (family), a vfork (vfork), a tracee
// that asks for it (traceme), a tracee attached in pause() by its parent or
// by a task that is not its parent (attach), and a vfork parent killed while
// its child runs (vfork-kill).  The shapes are what keeps a scenario bounded
// on the real side: a tracer resumes what it waited for, and ends with a
// detach, PTRACE_KILL, SIGKILL or its tracee's exit; a sleeper is woken by a
// signal it handles or killed; what is left blocked is blocked for good
// (waits for a stopped task), which the replayer ends at once.
#include "tools/kernel/fuzzgen.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <string>
#include <utility>

#include "scenario/load/loader.h"

namespace ukern::fuzz {

namespace {

using Json = nlohmann::ordered_json;

// ---- small op builders ----------------------------------------------------------------------

Json op(const char* key, Json arg) { return Json{{key, std::move(arg)}}; }
Json waitpid(const std::string& pid, Json options) {
  return op("waitpid", Json{{"pid", pid}, {"options", std::move(options)}});
}
Json ptrace(const char* request, const std::string& pid, const std::string& sig = "") {
  Json a{{"request", request}, {"pid", pid}};
  if (!sig.empty()) a["sig"] = sig == "0" ? Json(0) : Json(sig);
  return op("ptrace", a);
}
Json kill(const std::string& pid, const std::string& sig) { return op("kill", Json{{"pid", pid}, {"sig", sig}}); }

const std::vector<std::string> kPlainSyscalls{"getpid", "getppid", "gettid", "sched_yield"};
// Signals a task may handle, ignore or block (never SIGKILL, SIGSTOP).
const std::vector<std::string> kCatchable{"SIGUSR1", "SIGUSR2", "SIGTERM", "SIGINT", "SIGHUP"};
const std::vector<std::string> kStopSignals{"SIGSTOP", "SIGTSTP"};

// The generation of one scenario.
class Gen {
 public:
  explicit Gen(Rng& r) : r_(r) {}

  Json scenario(std::uint64_t seed, std::uint64_t index) {
    Json tasks = Json::array();
    const char* shapes[] = {"family", "vfork", "traceme", "attach", "vfork-kill"};
    const int weights[] = {22, 10, 38, 22, 8};
    int roll = r_.in(0, 99), shape = 0;
    while (roll >= weights[shape]) roll -= weights[shape++];
    switch (shape) {
      case 0: family(tasks); break;
      case 1: vfork(tasks); break;
      case 2: traceme(tasks); break;
      case 3: attach(tasks); break;
      default: vfork_kill(tasks); break;
    }
    Json s;
    s["utsim"] = 1;
    s["name"] = "fuzz-" + std::to_string(seed) + "-" + std::to_string(index);
    s["summary"] = std::string("utsim-kernel fuzz, seed ") + std::to_string(seed) + ", scenario " +
                   std::to_string(index) + " (" + shapes[shape] + ")";
    s["tasks"] = std::move(tasks);
    // A wait for a task that is stopped for good may block on either side:
    // that is the scenario's shape, not a disagreement.
    s["expect"] = Json{{"allowed", Json::array({"hang"})}};
    return s;
  }

 private:
  Rng& r_;
  int names_ = 0;
  std::vector<std::string> handled_;   // signals the child handles (noop)
  std::vector<std::string> children_;  // processes the child created (G1, ...)

  std::string name(const char* stem) { return stem + std::to_string(++names_); }
  std::string exit_code() { return std::to_string(r_.in(0, 9)); }
  Json exit_op() { return r_.chance(70) ? op("exit", r_.in(0, 9)) : op("exit_group", r_.in(0, 9)); }

  Json plain() {
    if (r_.chance(60)) return op("syscall", r_.pick(kPlainSyscalls));
    return op("compute", r_.in(1, 3));
  }

  // A handler for a signal: mostly noop (pause returns), sometimes an exit,
  // a body, or ignored.
  Json sigaction(const std::string& sig) {
    Json h;
    const int k = r_.in(0, 9);
    if (k < 5) {
      h = "noop";
      handled_.push_back(sig);
    } else if (k < 7) {
      h = Json{{"exit", r_.in(0, 9)}};
    } else if (k < 9) {
      h = Json{{"do", Json::array({op("syscall", r_.pick(kPlainSyscalls))})}};
      handled_.push_back(sig);
    } else {
      h = "SIG_IGN";
    }
    Json a{{"sig", sig}, {"handler", h}};
    Json flags = Json::array();
    for (const char* f : {"SA_RESTART", "SA_RESETHAND", "SA_NODEFER"})
      if (r_.chance(20)) flags.push_back(f);
    if (!flags.empty()) a["flags"] = flags;
    return op("sigaction", a);
  }

  // A short program of a grandchild or a thread: plain ops, then an exit.
  Json small_program(bool thread) {
    Json p = Json::array();
    for (int i = r_.in(0, 2); i > 0; --i) p.push_back(plain());
    if (thread && r_.chance(30))
      p.push_back(op("exit_group", r_.in(0, 9)));
    else if (r_.chance(80))
      p.push_back(op("exit", r_.in(0, 9)));
    return p;
  }

  // A child's ops: plain ops, signals, masks, handlers, sleeps, processes
  // and threads of its own; `sleepy` allows ops that sleep (a parent that
  // awaits the child asleep in pause() wants none before it).
  void body(Json& p, int n, bool sleepy, bool may_exec) {
    for (int i = 0; i < n; ++i) {
      const int k = r_.in(0, 99);
      if (k < 25) {
        p.push_back(plain());
      } else if (k < 37) {
        p.push_back(sigaction(r_.pick(kCatchable)));
      } else if (k < 45) {
        const std::string sig = r_.pick(kCatchable);
        p.push_back(op("sigprocmask", Json{{r_.chance(60) ? "block" : "unblock", Json::array({sig})}}));
      } else if (k < 55) {
        // raise a signal the task handles (or dies of, by default)
        p.push_back(op("raise", handled_.empty() || r_.chance(20) ? r_.pick(kCatchable) : r_.pick(handled_)));
      } else if (k < 62 && sleepy) {
        p.push_back(op("nanosleep", r_.in(1, 2)));
      } else if (k < 72 && sleepy) {
        const std::string g = name("G");
        children_.push_back(g);
        p.push_back(op("fork", Json{{"child", g}, {"program", small_program(false)}}));
        if (r_.chance(70)) p.push_back(waitpid(g, r_.chance(50) ? Json::array() : Json::array({"__WALL"})));
      } else if (k < 78 && sleepy) {
        const std::string g = name("V");
        children_.push_back(g);
        Json prog = small_program(false);
        if (r_.chance(30)) prog = Json::array({op("exec", Json{{"program", small_program(false)}})});
        p.push_back(op("vfork", Json{{"child", g}, {"program", prog}}));
        p.push_back(waitpid(g, Json::array()));
      } else if (k < 88) {
        const std::string t = name("T");
        p.push_back(op("clone", Json{{"flags", Json::array({"CLONE_VM", "CLONE_SIGHAND", "CLONE_THREAD"})},
                                     {"child", t},
                                     {"program", small_program(true)}}));
      } else if (k < 93 && sleepy) {
        // a clone child with another exit signal: only __WCLONE or __WALL waits for it
        const std::string t = name("K");
        children_.push_back(t);
        p.push_back(
            op("clone", Json{{"flags", Json::array({"SIGUSR2"})}, {"child", t}, {"program", small_program(false)}}));
        p.push_back(waitpid(t, Json::array({r_.chance(50) ? "__WCLONE" : "__WALL"})));
      } else if (may_exec && k < 97) {
        Json prog = Json::array();
        body(prog, r_.in(0, 2), sleepy, false);
        if (r_.chance(70)) prog.push_back(exit_op());
        p.push_back(op("exec", Json{{"program", prog}}));
        return;  // the rest of the program is replaced
      } else {
        p.push_back(exit_op());
        return;
      }
    }
  }

  // The end of a parent: wait for the child, maybe once more (-ECHILD).
  void reap(Json& p, const std::string& c) {
    p.push_back(waitpid(c, r_.chance(50) ? Json::array() : Json::array({"__WALL"})));
    if (r_.chance(30)) p.push_back(waitpid(c, Json::array({"WNOHANG"})));
  }

  // family: C handles a signal and sleeps in pause(); P sends it signals,
  // job control included, and reaps it.
  void family(Json& tasks) {
    Json c = Json::array();
    const std::string sig = r_.pick(kCatchable);
    c.push_back(sigaction(sig));
    body(c, r_.in(0, 3), false, false);
    const bool pauses = !c.back().contains("exit") && !c.back().contains("exit_group");
    if (pauses) {
      c.push_back(op("pause", Json::object()));
      body(c, r_.in(0, 2), true, true);
    }
    Json p = Json::array({op("fork", Json{{"child", "C"}, {"program", c}})});
    if (r_.chance(70) && pauses) p.push_back(op("await", Json{{"task", "C"}, {"state", "sleeping"}}));
    if (r_.chance(50)) {
      // job control
      p.push_back(kill("C", r_.pick(kStopSignals)));
      p.push_back(waitpid("C", Json::array({"WUNTRACED"})));
      if (r_.chance(40)) p.push_back(waitpid("C", Json::array({"WUNTRACED", "WNOHANG"})));
      if (r_.chance(30)) p.push_back(op("assert_state", Json{{"task", "C"}, {"state", "stopped"}}));
      p.push_back(kill("C", "SIGCONT"));
      if (r_.chance(60)) p.push_back(waitpid("C", Json::array({"WCONTINUED"})));
    }
    const int k = r_.in(0, 9);
    if (k < 5)
      p.push_back(kill("C", handled_.empty() ? sig : r_.pick(handled_)));
    else if (k < 8)
      p.push_back(kill("C", r_.chance(50) ? "SIGKILL" : "SIGTERM"));
    else
      p.push_back(kill("C", r_.pick(kCatchable)));
    if (r_.chance(30)) p.push_back(kill("C", "SIGKILL"));
    reap(p, "C");
    tasks.push_back(Json{{"name", "P"}, {"program", p}});
  }

  // vfork: P is suspended until C exits or execs.
  void vfork(Json& tasks) {
    Json c = Json::array();
    for (int i = r_.in(0, 2); i > 0; --i) c.push_back(plain());
    if (r_.chance(40)) {
      Json prog = Json::array();
      body(prog, r_.in(0, 3), true, false);
      c.push_back(op("exec", Json{{"program", prog}}));
    } else {
      c.push_back(op("exit", r_.in(0, 9)));
    }
    Json p = Json::array();
    if (r_.chance(40)) p.push_back(sigaction("SIGCHLD"));
    p.push_back(op("vfork", Json{{"child", "C"}, {"program", c}}));
    reap(p, "C");
    tasks.push_back(Json{{"name", "P"}, {"program", p}});
  }

  // PTRACE_SETOPTIONS with a random set of options.
  Json setoptions(const std::string& c) {
    Json opts = Json::array();
    for (const char* o : {"PTRACE_O_TRACESYSGOOD", "PTRACE_O_TRACEFORK", "PTRACE_O_TRACEVFORK", "PTRACE_O_TRACECLONE",
                          "PTRACE_O_TRACEEXEC", "PTRACE_O_TRACEVFORKDONE", "PTRACE_O_TRACEEXIT"})
      if (r_.chance(35)) opts.push_back(o);
    return op("ptrace", Json{{"request", "PTRACE_SETOPTIONS"}, {"pid", c}, {"options", opts}});
  }

  // A question to a stopped tracee.
  void query(Json& p, const std::string& c) {
    if (r_.chance(35)) p.push_back(ptrace("PTRACE_GETEVENTMSG", c));
    if (r_.chance(20)) p.push_back(ptrace("PTRACE_GETSIGINFO", c));
  }

  // The tracer's part once its tracee is in its first stop: options, steps,
  // rounds of resume / wait / question, an end; then the tracee's own
  // children, which the options may have made tracees too.
  void trace_loop(Json& p, const std::string& c, bool steps, bool syscalls, const Json& wait_opts) {
    query(p, c);
    if (r_.chance(70)) p.push_back(setoptions(c));
    if (steps)
      for (int i = r_.in(1, 2); i > 0; --i) {
        p.push_back(ptrace("PTRACE_SINGLESTEP", c, "0"));
        p.push_back(waitpid(c, wait_opts));
      }
    // After single steps the real tracee is a few instructions into the
    // replayer's code, the model's a compute step further: a plain CONT
    // lets both reach the same op before anything else happens.
    if (steps) {
      p.push_back(ptrace("PTRACE_CONT", c, "0"));
      p.push_back(waitpid(c, wait_opts));
    }
    for (int i = r_.in(1, 6); i > 0; --i) {
      if (r_.chance(15)) p.push_back(kill(c, r_.chance(50) ? r_.pick(kCatchable) : r_.pick(kStopSignals)));
      std::string sig = "0";
      if (r_.chance(15)) sig = r_.chance(60) ? r_.pick(kCatchable) : r_.pick(kStopSignals);
      p.push_back(ptrace(syscalls && r_.chance(50) ? "PTRACE_SYSCALL" : "PTRACE_CONT", c, sig));
      p.push_back(waitpid(c, wait_opts));
      query(p, c);
    }
    const int end = r_.in(0, 9);
    if (end < 3) {
      p.push_back(ptrace("PTRACE_DETACH", c, "0"));
    } else if (end < 5) {
      p.push_back(ptrace("PTRACE_KILL", c));
    } else if (end < 8) {
      p.push_back(kill(c, "SIGKILL"));
    } else {
      p.push_back(ptrace("PTRACE_CONT", c, "0"));
      p.push_back(waitpid(c, wait_opts));
      p.push_back(kill(c, "SIGKILL"));
    }
  }

  void end_children(Json& p) {
    for (const std::string& g : children_) {
      p.push_back(kill(g, "SIGKILL"));
      p.push_back(waitpid(g, Json::array({"__WALL", "WNOHANG"})));
    }
  }

  // traceme: C asks for it and stops itself; P traces it.
  void traceme(Json& tasks) {
    const bool steps = r_.chance(15);
    Json c = Json::array({op("ptrace", Json{{"request", "PTRACE_TRACEME"}}), op("raise", "SIGSTOP")});
    if (steps) c.push_back(op("compute", 6));
    body(c, r_.in(1, 5), true, true);
    bool exec = false;
    for (const Json& o : c) exec = exec || o.contains("exec");
    const Json wait_opts = r_.chance(60) ? Json::array({"__WALL"}) : Json::array();
    Json p = Json::array({op("fork", Json{{"child", "C"}, {"program", c}}), waitpid("C", wait_opts)});
    // After an exec, PTRACE_SYSCALL would stop at the replayer's own loader's
    // system calls (docs/ptrace.md): only CONT then.
    trace_loop(p, "C", steps, !exec, wait_opts);
    reap(p, "C");
    end_children(p);
    tasks.push_back(Json{{"name", "P"}, {"program", p}});
  }

  // attach: C handles SIGUSR1 and sleeps in pause(); its parent, or a task
  // that is not its parent, attaches to it there.
  void attach(Json& tasks) {
    Json c = Json::array({op("sigaction", Json{{"sig", "SIGUSR1"}, {"handler", "noop"}})});
    handled_.push_back("SIGUSR1");
    c.push_back(op("pause", Json::object()));
    body(c, r_.in(0, 4), true, true);
    Json p = Json::array();
    const bool child = r_.chance(60);
    const Json wait_opts = r_.chance(70)   ? Json::array({"__WALL"})
                           : r_.chance(50) ? Json::array({"__WCLONE"})
                                           : Json::array();
    if (child) p.push_back(op("fork", Json{{"child", "C"}, {"program", c}}));
    p.push_back(op("await", Json{{"task", "C"}, {"state", "sleeping"}}));
    p.push_back(ptrace("PTRACE_ATTACH", "C"));
    p.push_back(waitpid("C", wait_opts));
    if (r_.chance(40)) p.push_back(kill("C", "SIGUSR1"));
    trace_loop(p, "C", false, !std::any_of(c.begin(), c.end(), [](const Json& o) { return o.contains("exec"); }),
               wait_opts);
    if (child) {
      reap(p, "C");
    } else {
      p.push_back(waitpid("C", Json::array({"__WALL"})));
      p.push_back(kill("C", "SIGKILL"));
    }
    end_children(p);
    if (child) {
      tasks.push_back(Json{{"name", "P"}, {"program", p}});
    } else {
      tasks.push_back(Json{{"name", "C"}, {"program", c}});
      tasks.push_back(Json{{"name", "P"}, {"program", p}});
    }
  }

  // vfork-kill: K kills P while P's vfork child V sleeps in pause().
  void vfork_kill(Json& tasks) {
    Json v = Json::array({op("sigaction", Json{{"sig", "SIGUSR1"}, {"handler", "noop"}}), op("pause", Json::object()),
                          op("exit", r_.in(0, 9))});
    Json p = Json::array({op("vfork", Json{{"child", "V"}, {"program", v}}), waitpid("V", Json::array())});
    Json k = Json::array(
        {op("await", Json{{"task", "V"}, {"state", "sleeping"}}), kill("P", r_.chance(60) ? "SIGKILL" : "SIGTERM")});
    if (r_.chance(60)) k.push_back(op("assert_state", Json{{"task", "P"}, {"state", "sleeping"}}));
    k.push_back(kill("V", "SIGUSR1"));
    tasks.push_back(Json{{"name", "P"}, {"program", p}});
    tasks.push_back(Json{{"name", "K"}, {"program", k}});
  }
};

std::uint64_t splitmix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

std::string generate(std::uint64_t seed, std::uint64_t index) {
  Rng r(splitmix(splitmix(seed) ^ index));
  Gen g(r);
  return g.scenario(seed, index).dump(1) + "\n";
}

bool parse_shard(const std::string& text, Shard* out) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) return false;
  auto num = [](const std::string& s, std::uint64_t* v) {
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return false;
    *v = std::stoull(s);
    return true;
  };
  Shard s;
  if (!num(text.substr(0, slash), &s.index) || !num(text.substr(slash + 1), &s.count)) return false;
  if (s.count == 0 || s.index >= s.count) return false;
  *out = s;
  return true;
}

// ---- the shrinker ---------------------------------------------------------------------------------

namespace {

// Every list of ops (a task's program, a fork's, an exec's, a loop's or a
// handler's `do`), by its JSON pointer, in document order.
void op_lists(const Json& j, const Json::json_pointer& at, std::vector<Json::json_pointer>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const Json::json_pointer here = at / it.key();
      if ((it.key() == "program" || it.key() == "do") && it->is_array()) out.push_back(here);
      op_lists(*it, here, out);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) op_lists(j[i], at / i, out);
  }
}

// Values that may become simpler: (pointer, simpler value), document order.
void simpler_values(const Json& j, const Json::json_pointer& at,
                    std::vector<std::pair<Json::json_pointer, Json>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      const Json::json_pointer here = at / it.key();
      const std::string& k = it.key();
      if ((k == "exit" || k == "exit_group") && it->is_number() && *it != 0) out.emplace_back(here, 0);
      if ((k == "compute" || k == "nanosleep" || k == "times") && it->is_number() && *it != 1)
        out.emplace_back(here, 1);
      if ((k == "options" || k == "flags") && it->is_array())
        for (std::size_t i = it->size(); i-- > 0;) {
          Json less = *it;
          less.erase(i);
          out.emplace_back(here, less);
        }
      simpler_values(*it, here, out);
    }
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) simpler_values(j[i], at / i, out);
  }
}

// One pass of candidates over `cur`; the first that keeps is taken.
bool one_step(Json& cur, const std::function<bool(const std::string&)>& keep, ShrinkResult& res, unsigned max_tries) {
  auto attempt = [&](const Json& cand) {
    if (res.tries >= max_tries) return false;
    ++res.tries;
    const std::string text = cand.dump(1) + "\n";
    if (!model::load_scenario_text(text).ok() || !keep(text)) return false;
    cur = cand;
    ++res.accepted;
    return true;
  };
  // Whole tasks, last first (a later task often refers to an earlier one).
  if (cur["tasks"].size() > 1)
    for (std::size_t i = cur["tasks"].size(); i-- > 0;) {
      Json cand = cur;
      cand["tasks"].erase(i);
      if (attempt(cand)) return true;
    }
  // Chunks of op lists, halves first, then single ops (ddmin's granularity).
  std::vector<Json::json_pointer> lists;
  op_lists(cur, Json::json_pointer(), lists);
  for (const auto& lp : lists) {
    const std::size_t n = cur.at(lp).size();
    for (std::size_t chunk = n / 2; chunk >= 1; chunk /= 2) {
      for (std::size_t start = 0; start + chunk <= n; start += chunk) {
        Json cand = cur;
        Json& l = cand.at(lp);
        l.erase(l.begin() + static_cast<std::ptrdiff_t>(start), l.begin() + static_cast<std::ptrdiff_t>(start + chunk));
        if (attempt(cand)) return true;
      }
      if (chunk == 1) break;
    }
  }
  std::vector<std::pair<Json::json_pointer, Json>> values;
  simpler_values(cur, Json::json_pointer(), values);
  for (const auto& [ptr, v] : values) {
    Json cand = cur;
    cand.at(ptr) = v;
    if (attempt(cand)) return true;
  }
  return false;
}

}  // namespace

ShrinkResult shrink(const std::string& text, const std::function<bool(const std::string&)>& keep, unsigned max_tries) {
  ShrinkResult res;
  Json cur = Json::parse(text);
  while (res.tries < max_tries && one_step(cur, keep, res, max_tries)) {
  }
  res.text = cur.dump(1) + "\n";
  return res;
}

}  // namespace ukern::fuzz
