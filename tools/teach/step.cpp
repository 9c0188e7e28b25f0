// tools/teach/step.cpp: utsim step: you are the scheduler.  At each choice point
// the runnable threads are listed with what each would do next (its pending
// access: the kernel function, the shared object, read/write/lock), after the
// events since the last choice.  Keys (one command per line, so a test or a pipe
// can drive it):
//   a..z, A..Z  run that thread       Enter or .  the default choice
//   u           undo the last choice  !           run to the end with default choices
//   s FILE      save the schedule     q           quit        ?  help
// Undo re-runs the scenario from the start with the choices made so far
// minus the last one: runs are deterministic, so that is the same run.
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "explore/check.h"
#include "scenario/load/loader.h"
#include "sim/schedule.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

constexpr const char* kHelp =
    "  a..z A..Z  run that thread next (the letters of a schedule string)\n"
    "  Enter, .   the default choice (keep running the current thread)\n"
    "  !          run to the end with default choices\n"
    "  u          undo the last choice (the run is replayed from the start)\n"
    "  s FILE     save the schedule so far to FILE (replay it with utsim replay)\n"
    "  q          quit            ?  this help\n";

constexpr std::size_t kShownEvents = 12;

std::string letter(sim::Tid t) { return sim::encode_schedule(std::span(&t, 1)); }

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

class Session;

// Replays the choices made so far, then hands each new choice point to the session.
class InteractiveScheduler final : public sim::Scheduler {
 public:
  explicit InteractiveScheduler(Session& s) : s_(s) {}
  void begin_run() override { next_ = 0; }
  sim::Tid choose(const sim::ChoiceContext& ctx) override;

 private:
  Session& s_;
  std::size_t next_ = 0;
};

class Session {
 public:
  Session(const StepArgs& a, const model::Scenario& scn, Io io, std::istream& in)
      : a_(a), scn_(scn), io_(io), in_(in) {}

  int run() {
    model::RunConfig cfg = model::explore_options_for(scn_, {}).run;
    if (a_.max_steps) cfg.max_steps = *a_.max_steps;
    cfg.trace = true;
    if (a_.schedule) choices_ = sim::decode_schedule(*a_.schedule).value_or(std::vector<sim::Tid>{});
    std::ostream& os = io_.out;
    os << fmt::format("utsim step: {} ({})\n{}\n", scn_.name, kernel_text(scn_), scn_.summary);
    os << "You are the scheduler: at each choice point, pick the thread that runs next. ? for help.\n";
    model::Simulator simu(scn_, cfg);
    simu_ = &simu;
    for (;;) {
      action_ = Action::None;
      shown_events_ = 0;
      InteractiveScheduler sched(*this);
      const model::RunOutput out = simu.run(sched);
      if (action_ == Action::Quit) break;
      if (action_ == Action::Undo) continue;
      if (!end_of_run(out)) break;
    }
    os << "bye\n";
    return kExitOk;
  }

  // A new choice point (past the replayed prefix): ask.
  sim::Tid ask(const sim::ChoiceContext& ctx) {
    if (finish_) return sim::default_choice(ctx);
    std::ostream& os = io_.out;
    const model::Kernel& k = simu_->kernel();
    const sim::Tid def = sim::default_choice(ctx);
    show_events(k);
    os << fmt::format("── choice point {} · after step {} · schedule so far '{}'\n", ctx.choice, ctx.step,
                      sim::encode_schedule(choices_));
    os << "   runnable threads, and what each would do next:\n";
    for (const sim::Tid t : ctx.enabled) {
      const sim::Access& acc = ctx.engine->pending(t);
      const std::string obj = object_name(k, acc.obj);
      os << fmt::format("   {} {}  {:<10} {:<28} {}{}\n", t == def ? '>' : ' ', letter(t), thread_task_name(k, t),
                        acc.where, access_verb(acc.kind), obj.empty() ? "" : " " + obj);
    }
    std::string letters;
    for (const sim::Tid t : ctx.enabled) letters += (letters.empty() ? "" : " ") + letter(t);
    for (;;) {
      os << fmt::format("pick [{}], Enter = {}, u undo, s FILE save, q quit, ? help\nstep> ", letters, letter(def));
      os.flush();
      std::string line;
      if (!std::getline(in_, line)) {
        os << "\n";
        action_ = Action::Quit;
        return sim::kNoTid;
      }
      line = trim(line);
      if (line.empty() || line == ".") return pick(def);
      if (line == "!") {
        finish_ = true;
        return pick(def);
      }
      if (line == "?") {
        os << kHelp;
        continue;
      }
      if (line == "q") {
        action_ = Action::Quit;
        return sim::kNoTid;
      }
      if (line == "u") {
        if (choices_.empty()) {
          os << "   nothing to undo: this is the first choice point\n";
          continue;
        }
        os << fmt::format("   undo: '{}' is taken back; replaying from the start\n", letter(choices_.back()));
        choices_.pop_back();
        action_ = Action::Undo;
        return sim::kNoTid;  // ends this run (diverged): the session replays the shorter prefix
      }
      if (line.rfind("s ", 0) == 0) {
        save(trim(line.substr(2)));
        continue;
      }
      if (line.size() == 1) {
        auto t = sim::decode_schedule(line);
        if (t && t->size() == 1 && ctx.is_enabled(t->front())) return pick(t->front());
      }
      os << fmt::format("   '{}' is not one of the runnable threads [{}] nor a command (? for help)\n", line,
                        letters);
    }
  }

  // The next replayed choice, or nothing once the prefix is used up.
  bool replayed(std::size_t i, sim::Tid* t) const {
    if (i >= choices_.size()) return false;
    *t = choices_[i];
    return true;
  }

 private:
  enum class Action { None, Undo, Quit };

  sim::Tid pick(sim::Tid t) {
    choices_.push_back(t);
    return t;
  }

  // The events since the last choice point that was shown.
  void show_events(const model::Kernel& k) {
    const auto& evs = k.events();
    std::ostream& os = io_.out;
    if (shown_events_ < evs.size()) {
      const std::size_t from = evs.size() - shown_events_ > kShownEvents ? evs.size() - kShownEvents : shown_events_;
      os << "   events since the last choice:\n";
      if (from > shown_events_) os << fmt::format("     … {} earlier events\n", from - shown_events_);
      for (std::size_t i = from; i < evs.size(); ++i) os << "   " << model::event_text(evs[i], k) << '\n';
    }
    shown_events_ = evs.size();
  }

  // The run ended by itself: say how, then wait for u, s or q.  false: quit.
  bool end_of_run(const model::RunOutput& out) {
    std::ostream& os = io_.out;
    const model::Kernel& k = simu_->kernel();
    finish_ = false;
    show_events(k);
    os << fmt::format("── the run ended ({}) after {} steps\n", sim::run_end_name(out.engine.end), out.engine.steps);
    if (out.engine.end != sim::RunEnd::Diverged) os << "   outcome: " << model::outcome_signature(*simu_) << '\n';
    if (out.violations.empty()) os << "   violations: none\n";
    for (const model::Violation& v : out.violations)
      os << fmt::format("   VIOLATED {} at step {}: {}\n", model::property_name(v.property), v.step, v.message);
    const std::string sched = sim::encode_schedule(choices_);
    os << fmt::format("   schedule: '{}'\n   replay:   {}\n", sched, replay_command(a_.file, sched));
    for (;;) {
      os << "u undo the last choice, s FILE save the schedule, q quit\nend> ";
      os.flush();
      std::string line;
      if (!std::getline(in_, line)) {
        os << '\n';
        return false;
      }
      line = trim(line);
      if (line == "q") return false;
      if (line == "?") {
        os << kHelp;
        continue;
      }
      if (line == "u") {
        if (choices_.empty()) {
          os << "   nothing to undo: no choice was made\n";
          continue;
        }
        os << fmt::format("   undo: '{}' is taken back; replaying from the start\n", letter(choices_.back()));
        choices_.pop_back();
        return true;
      }
      if (line.rfind("s ", 0) == 0) {
        save(trim(line.substr(2)));
        continue;
      }
      os << "   the run has ended: u, s FILE or q\n";
    }
  }

  void save(const std::string& file) {
    std::ostream& os = io_.out;
    if (file.empty()) {
      os << "   s needs a file name: s FILE\n";
      return;
    }
    const std::string sched = sim::encode_schedule(choices_);
    if (std::string why = write_file_atomic(file, [&](std::ostream& f) { f << sched << '\n'; }); !why.empty()) {
      os << "   " << why << '\n';
      return;
    }
    os << fmt::format("   saved '{}' to {}; replay it with:\n   utsim replay {} --schedule \"$(cat {})\"\n", sched,
                      file, shell_quote(a_.file), shell_quote(file));
  }

  const StepArgs& a_;
  const model::Scenario& scn_;
  Io io_;
  std::istream& in_;
  model::Simulator* simu_ = nullptr;
  std::vector<sim::Tid> choices_;
  Action action_ = Action::None;
  std::size_t shown_events_ = 0;
  bool finish_ = false;
};

sim::Tid InteractiveScheduler::choose(const sim::ChoiceContext& ctx) {
  sim::Tid t;
  if (s_.replayed(next_, &t)) {
    ++next_;
    return t;
  }
  ++next_;
  return s_.ask(ctx);
}

}  // namespace

int cmd_step(const StepArgs& a, Io io) {
  model::LoadResult loaded;
  if (!load_for_command(a.file, io, loaded)) return kExitInvalid;
  Session s(a, *loaded.scenario, io, a.in ? *a.in : std::cin);
  return s.run();
}

}  // namespace tools
