// tools/teach/explain_text.cpp: utsim explain: a narrated run.  The scenario's
// own `explain` text first, then every step: the task that ran it, the kernel
// function, what it read or changed and why (model::why_of, model/why.h), and at
// the end how the run ended, each violated property with the guarantee it
// breaks and where utrace-semantics.md states it.  Plain text; ANSI colour on a
// terminal.
#include "tools/teach/explain_text.h"

#include <algorithm>

#include <fmt/format.h>

#include "explore/check.h"
#include "model/checks/guarantees.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"
#include "tools/teach/explain.h"

namespace tools {

namespace {

constexpr std::size_t kWidth = 100;  // of utsim explain; utsim step's is 80

// ANSI styles, or nothing.
struct Paint {
  bool on = false;
  std::string operator()(const char* code, const std::string& s) const {
    return on ? fmt::format("\033[{}m{}\033[0m", code, s) : s;
  }
  std::string bold(const std::string& s) const { return (*this)("1", s); }
  std::string dim(const std::string& s) const { return (*this)("2", s); }
  std::string kind(const std::string& k, const std::string& s) const {
    if (k == "api") return (*this)("33", s);
    if (k == "callback") return (*this)("35", s);
    if (k == "state") return (*this)("36", s);
    if (k == "sched") return (*this)("34", s);
    if (k == "signal") return (*this)("32", s);
    if (k == "property" || k == "race") return (*this)("1;31", s);
    if (k == "read") return (*this)("36", s);
    return s;
  }
};

std::size_t visible_width(const std::string& s) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\033') {  // skip an escape sequence
      while (i < s.size() && s[i] != 'm') ++i;
      continue;
    }
    if ((static_cast<unsigned char>(s[i]) & 0xc0) != 0x80) ++n;
  }
  return n;
}

// A word of wrapped text: its (styled) text, whether a space precedes it,
// and whether a line may break before it all the same (a piece of a long
// flags word, flag_pieces).
struct Word {
  std::string text;
  bool space = true;
  bool brk = false;
};

// A flags word wider than a line can hold ("QUIESCE|CLONE|EXEC|...", a list
// "[report_quiesce,report_exit,...]") is cut after its '|' or ',' into
// pieces a line may break between.
constexpr std::size_t kLongWord = 40;
std::vector<Word> split_long(const std::vector<Word>& words) {
  std::vector<Word> out;
  for (const Word& w : words) {
    const std::vector<std::string> pieces = flag_pieces(w.text, kLongWord);
    for (std::size_t i = 0; i < pieces.size(); ++i)
      out.push_back(i ? Word{pieces[i], false, true} : Word{pieces[i], w.space, w.brk});
  }
  return out;
}

// Inline Markdown (**bold**, *emphasis*, `code`) into styled words.
std::vector<Word> md_words(const std::string& text, const Paint& p) {
  std::vector<Word> words;
  std::string cur, style;
  bool space = false, pending_space = false;
  auto flush = [&] {
    if (cur.empty()) return;
    std::string t = cur;
    if (style == "b")
      t = p.bold(t);
    else if (style == "i")
      t = p("3", t);
    else if (style == "c")
      t = p("36", t);
    words.push_back({t, space});
    cur.clear();
    space = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    std::string marker;
    if (ch == '`')
      marker = "c";
    else if (ch == '*' && i + 1 < text.size() && text[i + 1] == '*')
      marker = "b";
    else if (ch == '*')
      marker = "i";
    if (!marker.empty() && (style.empty() || style == marker)) {
      flush();
      // the next word joins this one unless a space came before the marker
      space = pending_space;
      pending_space = false;
      style = style.empty() ? marker : "";
      if (marker == "b") ++i;
      continue;
    }
    if (ch == ' ' || ch == '\n') {
      flush();
      pending_space = true;
      space = true;
      continue;
    }
    if (cur.empty()) space = space || pending_space;
    pending_space = false;
    cur += ch;
  }
  flush();
  return words;
}

void wrap(std::ostream& os, const std::vector<Word>& words, const std::string& indent, const std::string& first_indent,
          std::size_t width_max = kWidth) {
  std::string line = first_indent;
  std::size_t width = visible_width(first_indent);
  bool empty = true;
  for (const Word& w : words) {
    const std::size_t wl = visible_width(w.text);
    if (!empty && (w.space || w.brk) && width + w.space + wl > width_max) {
      os << line << '\n';
      line = indent;
      width = visible_width(indent);
      empty = true;
    }
    if (!empty && w.space) {
      line += ' ';
      ++width;
    }
    line += w.text;
    width += wl;
    empty = false;
  }
  if (!empty) os << line << '\n';
}

// Words split at spaces, nothing styled (kernel function names have
// underscores and pointers stars that are not Markdown).
std::vector<Word> plain_words(const std::string& text) {
  std::vector<Word> words;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t j = std::min(text.find(' ', i), text.size());
    if (j > i) words.push_back({text.substr(i, j - i), true});
    i = j + 1;
  }
  return words;
}

void plain_wrap(std::ostream& os, const std::string& text, const std::string& indent, const std::string& first) {
  wrap(os, md_words(text, Paint{}), indent, first);
}

// The scenario's explain text, a paragraph or list item at a time.
void print_markdown(std::ostream& os, const std::string& md, const Paint& p) {
  std::string para;
  auto emit = [&] {
    if (para.empty()) return;
    if (para.rfind("- ", 0) == 0 || para.rfind("* ", 0) == 0)
      wrap(os, md_words(para.substr(2), p), "    ", "  • ");
    else
      wrap(os, md_words(para, p), "  ", "  ");
    para.clear();
  };
  std::size_t i = 0;
  while (i <= md.size()) {
    std::size_t j = md.find('\n', i);
    if (j == std::string::npos) j = md.size();
    std::string line = printable(md.substr(i, j - i));  // the scenario's text: control characters escaped
    const bool item = line.rfind("- ", 0) == 0 || line.rfind("* ", 0) == 0;
    if (line.find_first_not_of(' ') == std::string::npos) {
      emit();
      os << '\n';
    } else {
      if (item) emit();
      para += (para.empty() ? "" : " ") + line;
    }
    i = j + 1;
  }
  emit();
}

// "why (2010-rhel6 +R2): ": the kernel whose rule the explanation states.
std::string why_label(const NarrativeLine& l) {
  return l.rule.empty() ? "             why: " : fmt::format("             why ({}): ", l.rule);
}

std::string step_range(const NarrativeStep& s) {
  return s.first == s.last ? std::to_string(s.first) : fmt::format("{}-{}", s.first, s.last);
}

// The title, the scenario's own explain text and where it came from.
void print_scenario(std::ostream& os, const model::Scenario& s, const std::string& file, const TracedRun& run,
                    const Paint& p) {
  os << p.bold(fmt::format("{} — {}", s.name, printable(s.summary))) << '\n';
  os << fmt::format("kernel {} · scheduled by {} · {} steps, {} choice points\n", kernel_text(s), run.scheduled_by,
                    run.out.engine.steps, run.out.engine.choices.size());
  if (s.file_model)
    os << fmt::format("model overridden by {}: the file names {}, and its expect was written for that one\n",
                      model_flags(s), file_kernel_text(s));
  os << p.dim("file " + printable(file)) << "\n\n";

  os << p.bold("About this scenario") << '\n';
  if (s.explain.empty())
    os << "  (the scenario has no explain text; its summary says it all)\n";
  else
    print_markdown(os, s.explain, p);
  if (!s.origin.empty()) plain_wrap(os, "Origin: " + printable(s.origin), "    ", "  ");
  os << '\n';
}

// One entry of the narrative: the step, its task and function, then each
// line with its why, wrapped at `width` columns.
void print_step(std::ostream& os, const NarrativeStep& st, const Paint& p, std::size_t width) {
  std::string fn;
  for (std::size_t i = 0; i < st.functions.size(); ++i) fn += (i ? " → " : "") + st.functions[i];
  // Task, object and engine names, labels and messages come from the
  // scenario: printable() escapes their control characters.
  const std::string lead = fmt::format("{:>7} {} {:<10} ", step_range(st), st.chosen ? "*" : " ", printable(st.task));
  std::string head = printable(fn);
  if (!st.access.empty()) head += ": " + printable(st.access);
  std::vector<Word> words = split_long(plain_words(head));
  if (st.lines.empty())
    for (Word& w : words) w.text = p.dim(w.text);
  wrap(os, words, std::string(visible_width(lead), ' '), st.lines.empty() ? p.dim(lead) : lead, width);
  for (const NarrativeLine& l : st.lines) {
    std::vector<Word> what = split_long(md_words(printable(l.what), Paint{}));
    for (Word& w : what) w.text = p.kind(l.kind, w.text);
    wrap(os, what, "             ", "           • ", width);
    if (l.why.empty()) continue;
    std::size_t i = 0;
    bool first = true;
    while (i <= l.why.size()) {
      std::size_t j = l.why.find('\n', i);
      if (j == std::string::npos) j = l.why.size();
      wrap(os, split_long(md_words(printable(l.why.substr(i, j - i)), Paint{})), "                  ",
           first ? why_label(l) : "                  ", width);
      first = false;
      i = j + 1;
    }
  }
}

// Every step: the task, the kernel function and what it touched, then what
// changed and why.
void print_steps(std::ostream& os, const TracedRun& run, const Paint& p, bool full) {
  os << p.bold("The run, step by step") << '\n';
  os << p.dim(
      "  step   task        kernel function: what the step touched   (* = a choice point chose this task)\n"
      "         • what changed        why (kernel): the rule of the kernel simulated that made it happen\n");
  const StepWindow window = step_window(narrated_steps(run.run(), run.log), full);
  bool gap_said = false;
  for (const NarrativeStep& st : narrate(run.run(), run.log, &window)) {
    if (window.elided() && !gap_said && st.first >= window.tail_first) {
      os << p.bold(fmt::format(
                "   … steps {} to {} are not narrated ({} of the run's {} steps; the first and last {} are): "
                "utsim explain --full narrates every step",
                window.head_last + 1, window.tail_first - 1, window.hidden(), window.steps, kShownSteps / 2))
         << '\n';
      gap_said = true;
    }
    print_step(os, st, p, kWidth);
  }
  os << '\n';
}

// How it ended: the end, the outcome, each violation with the guarantee it
// breaks, and the verdict against the scenario's expect.
ExplainVerdict print_ending(std::ostream& os, const model::Scenario& s, const std::string& file, const TracedRun& run,
                            const Paint& p) {
  const model::Kernel& k = run.kernel();
  os << p.bold("How it ended") << '\n';
  const auto& r = run.out.engine;
  std::string end = sim::run_end_name(r.end);
  if (!r.blocked.empty()) {
    std::vector<std::string> who;
    for (const sim::BlockedThread& b : r.blocked)
      who.push_back(printable(fmt::format("{} ({})", thread_task_name(k, b.tid), b.reason)));
    end += ": " + fmt::format("{}", fmt::join(who, ", ")) + " never ran again";
  }
  os << "  ended:    " << end << '\n';
  if (r.end != sim::RunEnd::Diverged && r.end != sim::RunEnd::Interrupted)
    os << "  outcome:  " << outcome_text(model::outcome_signature(*run.simu)) << '\n';
  const model::PropertySet tolerated = model::tolerated_properties(s);
  std::size_t unexpected = 0;
  if (run.out.violations.empty()) os << "  violations: none\n";
  for (const model::Violation& v : run.out.violations) {
    const bool ok = tolerated.test(static_cast<std::size_t>(v.property));
    unexpected += !ok;
    os << "  " << p("1;31", fmt::format("violated {}", model::property_name(v.property)))
       << fmt::format(" at step {}: {}  [{}]\n", v.step, printable(v.message),
                      ok ? "expected by the scenario" : "UNEXPECTED");
    plain_wrap(os, "it promises: " + model::property_promise(v.property), "      ", "    ");
    for (const model::Guarantee& g : model::guarantees_of(v.property))
      plain_wrap(os, fmt::format("{} ({}): \"{}\"", g.id, g.section, g.quote), "      ", "    ");
  }
  bool outcome_ok = true;
  if (s.expect.has_outcomes && r.end != sim::RunEnd::Diverged) {
    outcome_ok = false;
    for (const model::Outcome& oc : s.expect.outcomes) outcome_ok = outcome_ok || run.simu->matches(oc);
    if (!outcome_ok) os << "  the run ended in none of expect.outcomes\n";
  }
  ExplainVerdict verdict = ExplainVerdict::AsExpected;
  if (r.end == sim::RunEnd::Diverged)
    verdict = ExplainVerdict::Diverged;
  else if (unexpected || !outcome_ok)
    verdict = ExplainVerdict::Failed;
  os << "  verdict:  "
     << (verdict == ExplainVerdict::AsExpected ? p("32", "as expected")
         : verdict == ExplainVerdict::Diverged ? p("1;31", "DIVERGED")
                                               : p("1;31", "FAIL"))
     << '\n';
  if (s.file_model) os << "            (" << expect_caveat(s) << ")\n";
  os << "  replay:   " << replay_command(file, run.schedule, model_flags(s)) << '\n';
  return verdict;
}

}  // namespace

std::vector<std::string> flag_pieces(const std::string& word, std::size_t max) {
  std::size_t cols = 0;
  for (const char c : word) cols += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  if (cols <= max || word.find_first_of("|,") == std::string::npos) return {word};
  std::vector<std::string> pieces{""};
  std::size_t i = 0;
  while (i < word.size()) {
    const std::size_t j = std::min(word.find_first_of("|,", i), word.size() - 1) + 1;  // through the | or ,
    const std::string part = word.substr(i, j - i);
    if (!pieces.back().empty() && pieces.back().size() + part.size() > max) pieces.emplace_back();
    pieces.back() += part;
    i = j;
  }
  return pieces;
}

void print_narrative_step(std::ostream& os, const NarrativeStep& st, std::size_t width, bool colour) {
  Paint p;
  p.on = colour;
  print_step(os, st, p, width);
}

ExplainVerdict print_explanation(std::ostream& os, const model::Scenario& s, const std::string& file,
                                 const TracedRun& run, bool colour, bool full) {
  Paint p;
  p.on = colour;
  print_scenario(os, s, file, run, p);
  print_steps(os, run, p, full);
  return print_ending(os, s, file, run, p);
}

}  // namespace tools
