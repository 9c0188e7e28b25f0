// tools/teach/step.cpp: utsim step: you are the scheduler.  Between choice
// points the steps are narrated as `utsim explain` narrates them (the value
// each lockless read saw and the store it came from, why each change happened
// under the kernel simulated); at each choice point the task states, the locks
// held, the engines and their flags, then each runnable thread and the step it
// would take, in kernel words.  80 columns.  Keys (one command per line, so a
// test or a pipe can drive it):
//   a..z, A..Z  run that thread       Enter or .  the default choice
//   !           run to the end        goto N      to the choice point at step N
//   u / r       undo / redo           s FILE      save the schedule
//   l FILE      load a schedule       q           quit        ?  help
//   s! FILE     save it through a link, FIFO or device (as the shell's > does)
// Undo, redo, goto and load re-run the scenario from the start with the
// choices wanted: runs are deterministic, so that is the same run.
#include "tools/teach/step.h"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "explore/check.h"
#include "model/abi.h"
#include "model/utrace/utrace.h"
#include "sim/schedule.h"
#include "tools/export/export.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"
#include "tools/teach/choice.h"
#include "tools/teach/explain.h"
#include "tools/teach/explain_text.h"

namespace tools {

namespace {

constexpr std::size_t kColumns = 80;
// Narrative entries shown before a choice point after a replay (undo, goto
// ...): the last ones; utsim explain narrates the rest.
constexpr std::size_t kShownEntries = 10;

constexpr const char* kHelp =
    "  a..z A..Z  run that thread next (the letters of a schedule string)\n"
    "  Enter, .   the default choice (the > line: the current thread goes on)\n"
    "  !          run to the end with default choices\n"
    "  goto N     go to step N: replay to the first choice point at or after it\n"
    "             (back: the later choices can be redone; forward: the choices\n"
    "             undone, then default ones)\n"
    "  u          undo the last choice (the run is replayed from the start)\n"
    "  r          redo the choice undone last\n"
    "  s FILE     save the schedule so far to FILE (utsim replay replays it)\n"
    "  s! FILE    the same, writing through a link, FIFO or device (as >)\n"
    "  l FILE     load a schedule from FILE and replay it\n"
    "  q          quit\n"
    "  ?          this help\n";

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// UTF-8 characters, not bytes: what a terminal column counts.
std::size_t columns(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

// `text` wrapped at kColumns: the first line after `first`, the others after
// `indent`.  A long flags word or list may break after a '|' or ','
// (flag_pieces); another word longer than a line stays whole.
std::string wrap(const std::string& text, const std::string& first, const std::string& indent) {
  std::string out = first, word;
  std::size_t col = columns(first);
  bool empty = true;
  std::istringstream in(text);
  while (in >> word) {
    const std::vector<std::string> pieces = flag_pieces(word, 40);
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      const bool space = i == 0 && !empty;
      if (!empty && col + space + columns(pieces[i]) > kColumns) {
        out += "\n" + indent;
        col = columns(indent);
        empty = true;
      }
      if (space && !empty) {
        out += ' ';
        ++col;
      }
      out += pieces[i];
      col += columns(pieces[i]);
      empty = false;
    }
  }
  return out + '\n';
}

// A command line, broken before its options when it is wider than a line
// (the shell joins a line that ends with a backslash); when even its first
// part does not fit after `first`, it starts on a line of its own, indented
// by three.
std::string command_lines(const std::string& cmd, const std::string& first, const std::string& indent) {
  if (columns(first) + columns(cmd) <= kColumns) return first + cmd + '\n';
  const auto opt = cmd.find(" --");
  if (opt == std::string::npos) return first + cmd + '\n';
  const std::string head = cmd.substr(0, opt) + " \\\n", rest = cmd.substr(opt + 1) + '\n';
  if (columns(first) + columns(head) <= kColumns + 1) return first + head + indent + rest;
  std::string lead = first;
  lead.erase(lead.find_last_not_of(' ') + 1);
  // "utsim replay FILE": a long FILE gets a line of its own too.
  const auto file = cmd.find(' ', cmd.find(' ') + 1);
  if (3 + columns(head) > kColumns + 1 && file < opt)
    return lead + "\n   " + cmd.substr(0, file) + " \\\n     " + cmd.substr(file + 1, opt - file - 1) + " \\\n     " +
           rest;
  return lead + "\n   " + head + "     " + rest;
}

// What a thread's pending access will do, in kernel words.
std::string next_step_words(const ChoiceOption& o) {
  const std::string obj = printable(o.object);
  std::string what;
  if (o.verb == "reads")
    what = "reads " + obj + " without a lock";
  else if (o.verb == "writes")
    what = "writes " + obj;
  else if (o.verb == "locks")
    what = "takes " + obj;
  else if (o.verb == "calls back")
    what = "calls the callback of " + obj;
  else if (o.verb == "wakes from")
    what = obj.empty() ? "wakes up" : "wakes up from " + obj;
  else if (o.verb == "starts")
    what = "starts running";
  else
    what = obj.empty() ? o.verb : o.verb + " " + obj;
  return o.function + ": " + what;
}

// The tasks still known to the pid hash, and the state of each.
std::string task_states(const model::Kernel& k) {
  std::string s;
  for (const auto& t : k.tasks) {
    if (t->released) continue;
    s += (s.empty() ? "" : " · ") + printable(k.comm(t->pid)) + " " +
         model::task_state_string(t->state.get(), t->exit_state.get());
  }
  return s.empty() ? "none" : s;
}

// Who holds utrace->lock, siglock and tasklist_lock.
std::string locks_held(const model::Kernel& k) {
  std::vector<std::string> held;
  auto note = [&](const sim::SpinLock& l, const std::string& name) {
    if (l.held()) held.push_back(fmt::format("{} held by {}", name, printable(thread_task_name(k, l.holder()))));
  };
  note(k.tasklist_lock, "tasklist_lock");
  std::vector<const model::SighandStruct*> seen;
  for (const auto& t : k.tasks) {
    const std::string comm = printable(k.comm(t->pid));
    if (const model::Utrace* u = t->utrace.get()) note(u->lock, comm + " utrace->lock");
    if (t->sighand && std::find(seen.begin(), seen.end(), t->sighand) == seen.end()) {
      seen.push_back(t->sighand);
      note(t->sighand->siglock, comm + " sighand->siglock");
    }
  }
  if (held.empty()) return "none held (utrace->lock, siglock, tasklist_lock all free)";
  std::string s;
  for (const std::string& h : held) s += (s.empty() ? "" : " · ") + h;
  return s;
}

const char* ops_words(model::Engine::Ops ops) {
  switch (ops) {
    case model::Engine::Ops::Real: return "ops";
    case model::Engine::Ops::Detached: return "&utrace_detached_ops";
    case model::Engine::Ops::Null: return "NULL";
  }
  return "?";
}

// Each engine: its target, engine->ops and engine->flags.
std::vector<std::string> engine_lines(const model::Simulator& run) {
  const model::Kernel& k = run.kernel();
  std::vector<std::string> out;
  for (const auto& e : k.engines) {
    if (e->freed) {
      out.push_back(fmt::format("{}: freed", printable(run.engine(e->id))));
      continue;
    }
    const std::string flags = model::utrace_events_string(e->flags.get());
    out.push_back(fmt::format("{} on {}: ->ops = {}, ->flags = {}", printable(run.engine(e->id)),
                              e->target ? printable(k.comm(e->target->pid)) : std::string("no task"),
                              ops_words(e->ops.get()), flags.empty() ? "0" : flags));
  }
  return out;
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
    // The model goes on a line of its own when both do not fit 80 columns.
    const std::string head = fmt::format("utsim step: {} ({})", scn_.name, kernel_text(scn_));
    if (head.size() <= 80)
      os_ << head << '\n';
    else
      os_ << fmt::format("utsim step: {}\n            ({})\n", scn_.name, kernel_text(scn_));
    os_ << wrap(printable(scn_.summary), "  ", "  ");
    if (scn_.file_model)
      os_ << wrap(fmt::format("model overridden by {}: the file names {}", model_flags(scn_), file_kernel_text(scn_)),
                  "", "  ");
    os_ << "You are the scheduler: at each choice point, pick the thread that runs\n"
           "next. ? for help.\n";
    model::Simulator simu(scn_, cfg);
    simu_ = &simu;
    for (;;) {
      action_ = Action::None;
      shown_step_ = 0;
      // The choices made so far are replayed (choices_ grows as the user picks).
      PrefixScheduler prefix(choices_, [this](const sim::ChoiceContext& ctx) { return ask(ctx); });
      RecordingScheduler rec(prefix, simu, log_);
      const model::RunOutput out = simu.run(rec);
      if (action_ == Action::Quit) break;
      if (action_ == Action::Replay) continue;
      if (!end_of_run(out)) break;
    }
    os_ << "bye\n";
  }

  // A new choice point (past the replayed prefix): ask.
  sim::Tid ask(const sim::ChoiceContext& ctx) {
    const sim::Tid def = sim::default_choice(ctx);
    if (finish_) return def;  // not recorded: the schedule ends with the choice before !
    if (going_) {
      if (ctx.step < goto_step_) return pick(planned_next(def));
      arrive();
    }
    show_choice_point(ctx, def);
    // Runs of consecutive threads as ranges ("a-j"), so that the prompt fits
    // 80 columns with many threads (a litmus program's daemons).
    std::string letters;
    for (std::size_t i = 0; i < ctx.enabled.size();) {
      std::size_t j = i;
      while (j + 1 < ctx.enabled.size() && ctx.enabled[j + 1] == ctx.enabled[j] + 1) ++j;
      letters += (letters.empty() ? "" : " ") + thread_letter(ctx.enabled[i]);
      if (j >= i + 2)
        letters += "-" + thread_letter(ctx.enabled[j]);
      else if (j == i + 1)
        letters += " " + thread_letter(ctx.enabled[j]);
      i = j + 1;
    }
    const std::string prompt = fmt::format(
        "pick [{}], Enter = {}, u undo, r redo, goto N, s FILE, q quit, ? help\nstep> ", letters, thread_letter(def));
    for (;;) {
      std::string line;
      if (!read_line(prompt, line)) return stop(Action::Quit);
      if (line.empty() || line == ".") return pick(def);
      if (line == "!") {
        finish_ = true;
        return pick(def);
      }
      if (line == "q") return stop(Action::Quit);
      if (const auto a = command(line)) {
        if (*a == Action::Replay) return stop(Action::Replay);  // ends this run (diverged): the session replays
        continue;
      }
      if (line.size() == 1) {
        auto t = sim::decode_schedule(line);
        if (t && t->size() == 1 && ctx.is_enabled(t->front())) return pick(t->front());
      }
      os_ << wrap(fmt::format("'{}' is not one of the runnable threads [{}] nor a command (? for help)",
                              printable(line), letters),
                  "   ", "   ");
    }
  }

 private:
  enum class Action { None, Replay, Quit };

  sim::Tid stop(Action a) {
    action_ = a;
    return sim::kNoTid;
  }

  // A choice made: a redone one leaves the redo list, another choice empties it.
  sim::Tid pick(sim::Tid t) {
    choices_.push_back(t);
    if (!redo_.empty()) {
      if (redo_.back() == t)
        redo_.pop_back();
      else
        redo_.clear();
    }
    return t;
  }

  // goto: the next choice of the path being replayed, else the default.
  sim::Tid planned_next(sim::Tid def) {
    if (planned_at_ < planned_.size()) return planned_[planned_at_++];
    return def;
  }
  // goto has reached its choice point: what was planned past it can be redone.
  void arrive() {
    going_ = false;
    redo_.assign(planned_.rbegin(), planned_.rend() - static_cast<std::ptrdiff_t>(planned_at_));
    planned_.clear();
    planned_at_ = 0;
  }

  // The keys every prompt takes the same way.  None: not one of them;
  // Replay: the run starts again from the start with the choices wanted.
  std::optional<Action> command(const std::string& line) {
    if (line == "?") {
      os_ << kHelp;
      return Action::None;
    }
    if (line == "u") return undo() ? Action::Replay : Action::None;
    if (line == "r") return redo() ? Action::Replay : Action::None;
    if (line.rfind("goto", 0) == 0) return go_to(trim(line.substr(4))) ? Action::Replay : Action::None;
    if (line.rfind("s!", 0) == 0) {
      save(trim(line.substr(2)), OutputMode::kThrough);
      return Action::None;
    }
    if (line.rfind("s ", 0) == 0) {
      save(trim(line.substr(2)), OutputMode::kReplace);
      return Action::None;
    }
    if (line.rfind("l ", 0) == 0) return load(trim(line.substr(1))) ? Action::Replay : Action::None;
    return std::nullopt;
  }

  // The steps narrated since the last choice point shown, as utsim explain
  // narrates them; after a replay, the last kShownEntries of them.
  void show_narrative() {
    // Only the steps after shown_step_ are narrated (the earlier ones still
    // feed the context of their whys): a long run is not narrated again at
    // every choice point.
    StepWindow window;
    window.steps = narrated_steps(*simu_, log_);
    window.head_last = 0;
    window.tail_first = shown_step_ + 1;
    std::vector<NarrativeStep> steps;
    for (NarrativeStep& st : narrate(*simu_, log_, &window))
      if (st.last > shown_step_) steps.push_back(std::move(st));
    if (steps.empty()) return;
    std::size_t from = 0;
    if (steps.size() > kShownEntries) {
      from = steps.size() - kShownEntries;
      os_ << wrap(fmt::format("… steps {} to {} are not shown here (utsim explain narrates them)",
                              std::max<std::uint64_t>(shown_step_ + 1, steps.front().first), steps[from].first - 1),
                  "   ", "     ");
    }
    for (std::size_t i = from; i < steps.size(); ++i) {
      NarrativeStep st = steps[i];
      st.first = std::max<std::uint64_t>(st.first, shown_step_ + 1);
      print_narrative_step(os_, st, kColumns, false);
    }
    shown_step_ = steps.back().last;
  }

  // The steps so far, the state of the kernel, then the runnable threads and
  // what each would do next.
  void show_choice_point(const sim::ChoiceContext& ctx, sim::Tid def) {
    show_narrative();
    os_ << fmt::format("── choice point {} · after step {} · schedule so far '{}'\n", ctx.choice, ctx.step,
                       sim::encode_schedule(choices_));
    const model::Kernel& k = simu_->kernel();
    os_ << wrap(task_states(k), "   tasks:   ", "            ");
    os_ << wrap(locks_held(k), "   locks:   ", "            ");
    const std::vector<std::string> engines = engine_lines(*simu_);
    if (engines.empty()) os_ << "   engines: none attached\n";
    for (std::size_t i = 0; i < engines.size(); ++i)
      os_ << wrap(engines[i], i ? "            " : "   engines: ", "              ");
    os_ << "   runnable threads, and what each would do next:\n";
    for (const ChoiceOption& o : describe_choice_point(*simu_, ctx).options)
      os_ << wrap(next_step_words(o),
                  fmt::format("   {} {}  {:<6} ", o.tid == def ? '>' : ' ', o.letter, printable(o.task)),
                  "              ");
  }

  // The run ended by itself: say how, then wait for a command.  false: quit.
  bool end_of_run(const model::RunOutput& out) {
    finish_ = false;
    if (going_) arrive();  // goto past the end: the run ended first
    show_narrative();
    os_ << fmt::format("── the run ended ({}) after {} steps\n", sim::run_end_name(out.engine.end), out.engine.steps);
    if (out.engine.end != sim::RunEnd::Diverged)
      os_ << wrap(outcome_text(model::outcome_signature(*simu_)), "   outcome: ", "            ");
    if (out.violations.empty()) os_ << "   violations: none\n";
    for (const model::Violation& v : out.violations)
      os_ << wrap(
          fmt::format("VIOLATED {} at step {}: {}", model::property_name(v.property), v.step, printable(v.message)),
          "   ", "     ");
    const std::string sched = sim::encode_schedule(choices_);
    os_ << fmt::format("   schedule: '{}'\n", sched);
    os_ << command_lines(replay_command(setup_.file, sched, model_flags(scn_)), "   replay:   ", "             ");
    for (;;) {
      std::string line;
      if (!read_line("u undo, r redo, goto N, s FILE save, l FILE load, q quit, ? help\nend> ", line)) return false;
      if (line == "q") return false;
      if (const auto a = command(line)) {
        if (*a == Action::Replay) return true;
        continue;
      }
      os_ << "   the run has ended: u, r, goto N, s FILE, l FILE, ? or q\n";
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
    if (setup_.echo) os_ << line << '\n';
    return true;
  }

  // u: takes back the last choice; it can be redone.
  bool undo() {
    if (choices_.empty()) {
      os_ << "   nothing to undo: no choice was made\n";
      return false;
    }
    os_ << fmt::format("   undo: '{}' is taken back; replaying from the start\n", thread_letter(choices_.back()));
    redo_.push_back(choices_.back());
    choices_.pop_back();
    return true;
  }

  // r: makes again the choice undone last.
  bool redo() {
    if (redo_.empty()) {
      os_ << "   nothing to redo: no choice was undone since the last new one\n";
      return false;
    }
    os_ << fmt::format("   redo: '{}' again; replaying from the start\n", thread_letter(redo_.back()));
    choices_.push_back(redo_.back());
    redo_.pop_back();
    return true;
  }

  // goto N: replays the choices made (and those undone, then the default
  // ones) up to the first choice point at or after step N.
  bool go_to(const std::string& arg) {
    std::uint64_t n = 0;
    const auto [end, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
    if (arg.empty() || ec != std::errc() || end != arg.data() + arg.size()) {
      os_ << "   goto needs a step number: goto N\n";
      return false;
    }
    planned_ = choices_;
    planned_.insert(planned_.end(), redo_.rbegin(), redo_.rend());
    planned_at_ = 0;
    choices_.clear();
    redo_.clear();
    going_ = true;
    goto_step_ = n;
    os_ << fmt::format("   goto step {}: replaying to the first choice point at or after it\n", n);
    return true;
  }

  // l FILE: the schedule in FILE (as s FILE writes it) replaces the choices.
  bool load(const std::string& file) {
    if (file.empty()) {
      os_ << "   l needs a file name: l FILE\n";
      return false;
    }
    std::ifstream f(file);
    std::string text;
    if (!f || !std::getline(f, text)) {
      os_ << fmt::format("   cannot read a schedule from {}\n", printable(file));
      return false;
    }
    text = trim(text);
    auto sched = sim::decode_schedule(text);
    if (!sched) {
      os_ << fmt::format("   {} does not hold a schedule string: '{}'\n", printable(file), printable(text));
      return false;
    }
    choices_ = *sched;
    redo_.clear();
    going_ = false;
    os_ << fmt::format("   loaded '{}' from {}; replaying it\n", printable(text), printable(file));
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
      os_ << wrap(printable(why), "   ", "   ");
      return;
    }
    os_ << fmt::format("   saved '{}' to {}; replay it with:\n", sched, printable(file));
    os_ << command_lines(
        fmt::format("utsim replay {} --schedule \"$(cat {})\"", shell_quote(setup_.file), shell_quote(file)), "   ",
        "     ");
  }

  const StepSetup& setup_;
  const model::Scenario& scn_;
  std::istream& in_;
  std::ostream& os_;
  model::Simulator* simu_ = nullptr;
  StepLog log_;
  std::vector<sim::Tid> choices_;
  std::vector<sim::Tid> redo_;  // undone choices, the next one to redo last
  // goto: the path to replay (the choices made, then those undone) and how far.
  std::vector<sim::Tid> planned_;
  std::size_t planned_at_ = 0;
  bool going_ = false;
  std::uint64_t goto_step_ = 0;
  Action action_ = Action::None;
  std::uint64_t shown_step_ = 0;  // the last step narrated in this run
  bool finish_ = false;
};

}  // namespace

void step_through(const model::Scenario& scn, const StepSetup& setup, std::istream& in, std::ostream& out) {
  Session(setup, scn, in, out).run();
}

}  // namespace tools
