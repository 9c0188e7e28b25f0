// tools/teach/step.cpp: utsim step: you are the scheduler.  At each choice point
// the runnable threads are listed with what each would do next (its pending
// access: the kernel function, the shared object, read/write/lock), after the
// events since the last choice.  Keys (one command per line, so a test or a pipe
// can drive it):
//   a..z, A..Z  run that thread       Enter or .  the default choice
//   u           undo the last choice  !           run to the end with default choices
//   s FILE      save the schedule     q           quit        ?  help
//   s! FILE     save it through a link, FIFO or device (as the shell's > does)
// Undo re-runs the scenario from the start with the choices made so far
// minus the last one: runs are deterministic, so that is the same run.
#include "tools/teach/step.h"

#include <fmt/format.h>

#include "explore/check.h"
#include "sim/schedule.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"
#include "tools/teach/choice.h"

namespace tools {

namespace {

constexpr const char* kHelp =
    "  a..z A..Z  run that thread next (the letters of a schedule string)\n"
    "  Enter, .   the default choice (keep running the current thread)\n"
    "  !          run to the end with default choices\n"
    "  u          undo the last choice (the run is replayed from the start)\n"
    "  s FILE     save the schedule so far to FILE (replay it with utsim replay)\n"
    "  s! FILE    the same, writing through a link, FIFO or device (as the shell's > does)\n"
    "  q          quit            ?  this help\n";

constexpr std::size_t kShownEvents = 12;

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

class Session {
 public:
  Session(const StepSetup& setup, const model::Scenario& scn, std::istream& in, std::ostream& out)
      : setup_(setup), scn_(scn), in_(in), os_(out) {}

  void run() {
    model::RunConfig cfg = model::explore_options_for(scn_, {}).run;
    if (setup_.max_steps) cfg.max_steps = *setup_.max_steps;
    cfg.trace = true;
    if (setup_.schedule) choices_ = sim::decode_schedule(*setup_.schedule).value_or(std::vector<sim::Tid>{});
    os_ << fmt::format("utsim step: {} ({})\n{}\n", scn_.name, kernel_text(scn_), printable(scn_.summary));
    if (scn_.file_model)
      os_ << fmt::format("model overridden by {}: the file names {}\n", model_flags(scn_), file_kernel_text(scn_));
    os_ << "You are the scheduler: at each choice point, pick the thread that runs next. ? for help.\n";
    model::Simulator simu(scn_, cfg);
    simu_ = &simu;
    for (;;) {
      action_ = Action::None;
      shown_events_ = 0;
      // The choices made so far are replayed (choices_ grows as the user picks).
      PrefixScheduler sched(choices_, [this](const sim::ChoiceContext& ctx) { return ask(ctx); });
      const model::RunOutput out = simu.run(sched);
      if (action_ == Action::Quit) break;
      if (action_ == Action::Undo) continue;
      if (!end_of_run(out)) break;
    }
    os_ << "bye\n";
  }

  // A new choice point (past the replayed prefix): ask.
  sim::Tid ask(const sim::ChoiceContext& ctx) {
    if (finish_) return sim::default_choice(ctx);
    const sim::Tid def = sim::default_choice(ctx);
    show_choice_point(ctx, def);
    std::string letters;
    for (const sim::Tid t : ctx.enabled) letters += (letters.empty() ? "" : " ") + thread_letter(t);
    const std::string prompt =
        fmt::format("pick [{}], Enter = {}, u undo, s FILE save, q quit, ? help\nstep> ", letters, thread_letter(def));
    for (;;) {
      std::string line;
      if (!read_line(prompt, line)) {
        action_ = Action::Quit;
        return sim::kNoTid;
      }
      if (line.empty() || line == ".") return pick(def);
      if (line == "!") {
        finish_ = true;
        return pick(def);
      }
      if (common_key(line)) continue;
      if (line == "q") {
        action_ = Action::Quit;
        return sim::kNoTid;
      }
      if (line == "u") {
        if (!undo("   nothing to undo: this is the first choice point\n")) continue;
        action_ = Action::Undo;
        return sim::kNoTid;  // ends this run (diverged): the session replays the shorter prefix
      }
      if (line.size() == 1) {
        auto t = sim::decode_schedule(line);
        if (t && t->size() == 1 && ctx.is_enabled(t->front())) return pick(t->front());
      }
      os_ << fmt::format("   '{}' is not one of the runnable threads [{}] nor a command (? for help)\n",
                         printable(line), letters);
    }
  }

 private:
  enum class Action { None, Undo, Quit };

  sim::Tid pick(sim::Tid t) {
    choices_.push_back(t);
    return t;
  }

  // The events so far, then the runnable threads and what each would do next.
  void show_choice_point(const sim::ChoiceContext& ctx, sim::Tid def) {
    show_events(simu_->kernel());
    os_ << fmt::format("── choice point {} · after step {} · schedule so far '{}'\n", ctx.choice, ctx.step,
                       sim::encode_schedule(choices_));
    os_ << "   runnable threads, and what each would do next:\n";
    for (const ChoiceOption& o : describe_choice_point(*simu_, ctx).options)
      os_ << fmt::format("   {} {}  {:<10} {:<28} {}{}\n", o.tid == def ? '>' : ' ', o.letter, printable(o.task),
                         o.function, o.verb, o.object.empty() ? "" : " " + printable(o.object));
  }

  // The events since the last choice point that was shown.
  void show_events(const model::Kernel& k) {
    const auto& evs = k.events();
    if (shown_events_ < evs.size()) {
      const std::size_t from = evs.size() - shown_events_ > kShownEvents ? evs.size() - kShownEvents : shown_events_;
      os_ << "   events since the last choice:\n";
      if (from > shown_events_) os_ << fmt::format("     … {} earlier events\n", from - shown_events_);
      for (std::size_t i = from; i < evs.size(); ++i)
        os_ << "   " << printable(model::event_text(evs[i], *simu_)) << '\n';
    }
    shown_events_ = evs.size();
  }

  // The run ended by itself: say how, then wait for u, s or q.  false: quit.
  bool end_of_run(const model::RunOutput& out) {
    finish_ = false;
    show_events(simu_->kernel());
    os_ << fmt::format("── the run ended ({}) after {} steps\n", sim::run_end_name(out.engine.end), out.engine.steps);
    if (out.engine.end != sim::RunEnd::Diverged)
      os_ << "   outcome: " << outcome_text(model::outcome_signature(*simu_)) << '\n';
    if (out.violations.empty()) os_ << "   violations: none\n";
    for (const model::Violation& v : out.violations)
      os_ << fmt::format("   VIOLATED {} at step {}: {}\n", model::property_name(v.property), v.step,
                         printable(v.message));
    const std::string sched = sim::encode_schedule(choices_);
    os_ << fmt::format("   schedule: '{}'\n   replay:   {}\n", sched,
                       replay_command(setup_.file, sched, model_flags(scn_)));
    for (;;) {
      std::string line;
      if (!read_line("u undo the last choice, s FILE save the schedule, q quit\nend> ", line)) return false;
      if (line == "q") return false;
      if (common_key(line)) continue;
      if (line == "u") {
        if (undo("   nothing to undo: no choice was made\n")) return true;
        continue;
      }
      os_ << "   the run has ended: u, s FILE or q\n";
    }
  }

  // Prompts and reads one command, trimmed.  false at the end of the input
  // (after a newline, so that what follows starts on a line of its own).
  bool read_line(const std::string& prompt, std::string& line) {
    os_ << prompt;
    os_.flush();
    if (!std::getline(in_, line)) {
      os_ << '\n';
      return false;
    }
    line = trim(line);
    return true;
  }

  // The keys every prompt takes the same way: ? and s FILE.  true: it was one.
  bool common_key(const std::string& line) {
    if (line == "?") {
      os_ << kHelp;
      return true;
    }
    if (line.rfind("s ", 0) == 0) {
      save(trim(line.substr(2)), OutputMode::kReplace);
      return true;
    }
    if (line.rfind("s!", 0) == 0) {
      save(trim(line.substr(2)), OutputMode::kThrough);
      return true;
    }
    return false;
  }

  // u: takes back the last choice.  false, saying `nothing`, when there is none.
  bool undo(const char* nothing) {
    if (choices_.empty()) {
      os_ << nothing;
      return false;
    }
    os_ << fmt::format("   undo: '{}' is taken back; replaying from the start\n", thread_letter(choices_.back()));
    choices_.pop_back();
    return true;
  }

  // s FILE replaces a regular file atomically (write_file_atomic); s! FILE
  // also writes through what -o refuses, as --output-through does.
  void save(const std::string& file, OutputMode mode) {
    if (file.empty()) {
      os_ << "   s needs a file name: s FILE\n";
      return;
    }
    const std::string sched = sim::encode_schedule(choices_);
    if (std::string why = write_file_atomic(
            file, [&](std::ostream& f) { f << sched << '\n'; }, mode, OutputNames{"s FILE", "s! FILE"});
        !why.empty()) {
      os_ << "   " << printable(why) << '\n';
      return;
    }
    os_ << fmt::format("   saved '{}' to {}; replay it with:\n   utsim replay {} --schedule \"$(cat {})\"\n", sched,
                       printable(file), shell_quote(setup_.file), shell_quote(file));
  }

  const StepSetup& setup_;
  const model::Scenario& scn_;
  std::istream& in_;
  std::ostream& os_;
  model::Simulator* simu_ = nullptr;
  std::vector<sim::Tid> choices_;
  Action action_ = Action::None;
  std::size_t shown_events_ = 0;
  bool finish_ = false;
};

}  // namespace

void step_through(const model::Scenario& scn, const StepSetup& setup, std::istream& in, std::ostream& out) {
  Session(setup, scn, in, out).run();
}

}  // namespace tools
