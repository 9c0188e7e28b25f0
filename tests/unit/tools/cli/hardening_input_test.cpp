// tests/unit/tools/cli/hardening_input_test.cpp: input that never surprises
// (issue 15), through the command line.  Bytes after the document are refused,
// a NUL included; strings of a scenario reach the terminal escaped, from every
// command's text output, while JSON keeps them exact and HTML escapes them;
// every numeric flag refuses NaN, infinities, negatives and overflow.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"

namespace fs = std::filesystem;

namespace {

using testcli::cli;
using testcli::Result;
using testcli::show;

class HardeningInput : public testcli::TempDirTest {
 protected:
  HardeningInput() : TempDirTest("utsim-input") {}
};

// ---- bytes after the document -----------------------------------------------------------

TEST_F(HardeningInput, BytesAfterTheDocumentAreRefusedNulIncluded) {
  const std::string doc = R"({"utsim": 1, "name": "tail", "summary": "s", "tasks": [{"name": "A"}]})";
  const std::string f = write("tail.json", doc + "\n" + std::string("\0garbage", 8));
  for (const char* cmd : {"validate", "run", "check", "explain"}) {
    Result r = cli({cmd, f});
    EXPECT_EQ(r.code, 3) << cmd << "\n" << show(r);
    const std::string& text = std::string(cmd) == "validate" || std::string(cmd) == "check" ? r.out : r.err;
    EXPECT_NE(text.find(f +
                        ": /: scenario.E001: not valid JSON: text after the document: a NUL byte at line 2, "
                        "column 1 (byte " +
                        std::to_string(doc.size() + 1) + ", 8 bytes to the end)"),
              std::string::npos)
        << cmd << "\n"
        << show(r);
  }
  // A byte order mark at the start is ignored: the file loads and means the same.
  const std::string bom = write("bom.json", "\xEF\xBB\xBF" + doc);
  Result v = cli({"validate", bom});
  EXPECT_EQ(v.code, 0) << show(v);
  EXPECT_EQ(v.out, bom + ": ok\n");
  Result r = cli({"run", bom, "--json"});
  EXPECT_EQ(r.code, 0) << show(r);
  EXPECT_EQ(nlohmann::json::parse(r.out).at("scenario"), "tail");
}

// ---- strings of a scenario on the terminal ----------------------------------------------

// Every string a scenario can choose holds a newline, ESC[2J (clear the
// screen), ESC]0;...BEL (set the terminal's title), a C1 CSI or a bidi
// override.  Task names and the scenario's name are checked by the loader.
constexpr const char* kHostile = R"({
  "utsim": 1,
  "name": "hostile-strings",
  "summary": "sum\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202emary <script>alert(1)</script>",
  "explain": "exp\u001b[2J\nlain\u0007 \u009b",
  "origin": "ori\u001b[2J\ngin",
  "engines": {"tab\u001b[2Jle": {
    "report_quiesce": {"return": "UTRACE_RESUME", "do": [
      {"utrace_barrier": {"target": "$task", "engine": "$engine"}, "expect": "-ESRCH"}]},
    "report_death": {"do": [{"complete": "com\u001b[2J\npletion"}]},
    "report_reap": {}, "release": {}}},
  "tasks": [
    {"name": "module", "kind": "kthread", "program": [
      {"utrace_attach_task": {"target": "T", "ops": "tab\u001b[2Jle", "data": "dat\u001b[2Ja",
                              "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "han\u001b[2J\ndle\u001b]0;x\u0007"},
      {"utrace_set_events": {"target": "T", "engine": "han\u001b[2J\ndle\u001b]0;x\u0007",
                             "events": ["QUIESCE", "DEATH", "REAP"]}},
      {"wait_for_completion": "com\u001b[2J\npletion"}
    ]},
    {"name": "T", "program": [{"syscall": "getpid", "label": "lab\u001b[2J\nel\u0007"},
                              {"compute": 2}, {"exit": 0}]}
  ],
  "expect": {"allowed": ["hang"]}
})";

// What a terminal would act on, and the second half of a string split by a
// raw newline (at the start of a line: the newline was printed; HTML may
// keep a newline, which it shows as a space).
void expect_terminal_safe(const std::string& text, const std::string& what, bool lines = true) {
  for (const std::string bad : {"\x1b", "\x07", "\r", "\xc2\x9b", "\xe2\x80\xae"})
    EXPECT_EQ(text.find(bad), std::string::npos) << what << " prints " << testcli::show({0, text, ""});
  if (!lines) return;
  for (const std::string split : {"\nel\\x07", "\ndle\\x1b", "\npletion", "\ngin"})
    EXPECT_EQ(text.find(split), std::string::npos) << what << " split a string with a raw newline:\n" << text;
}

TEST_F(HardeningInput, ScenarioStringsReachTheTerminalEscaped) {
  const std::string f = write("hostile.json", kHostile);
  ASSERT_EQ(cli({"validate", f}).code, 0) << show(cli({"validate", f}));
  const std::string label = "lab\\x1b[2J\\nel\\x07", handle = "han\\x1b[2J\\ndle\\x1b]0;x\\x07";

  // run: the summary (outcome with the label and the handle, the violations
  // quoting the engine table's pointer).
  Result run = cli({"run", f});
  EXPECT_EQ(run.code, 1) << show(run);
  expect_terminal_safe(run.out + run.err, "run");
  EXPECT_NE(run.out.find(label + " = "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find(handle + ": [report_quiesce"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("/engines/tab\\x1b[2Jle/report_quiesce/do/0"), std::string::npos) << run.out;

  // Every trace format on stdout.
  for (const char* format : {"text", "mermaid", "dot"}) {
    Result t = cli({"run", f, "--trace", format});
    EXPECT_EQ(t.code, 1) << format << "\n" << show(t);
    expect_terminal_safe(t.out + t.err, std::string("run --trace ") + format);
    if (std::string(format) != "dot") {  // dot draws task states only
      EXPECT_NE(t.out.find("han\\x1b[2J\\ndle\\x1b]0"), std::string::npos) << format << "\n" << t.out;
    }
  }

  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"check", f, "--max-schedules", "20"},
           {"explore", f, "--max-schedules", "20"},
           {"graph", f, "--max-states", "20000"},
           {"explain", f},
           {"replay", f, "--schedule", ""},
           {"shrink", f, "--schedule", ""},
       }) {
    Result r = cli(args);
    EXPECT_TRUE(r.code == 0 || r.code == 1) << args[0] << "\n" << show(r);  // a run breaks unexpected-result
    expect_terminal_safe(r.out + r.err, args[0]);
  }
  Result ex = cli({"explain", f});
  EXPECT_NE(ex.out.find("sum\\x1b[2J\\x1b]0;pwned\\x07\\u{9b}31m\\u{202e}mary"), std::string::npos) << ex.out;
  EXPECT_NE(ex.out.find("Origin: ori\\x1b[2J\\ngin"), std::string::npos) << ex.out;
  EXPECT_NE(ex.out.find("completion com\\x1b[2J\\npletion"), std::string::npos) << ex.out;
  Result check = cli({"check", f, "--max-schedules", "20"});
  EXPECT_NE(check.out.find("outcome ("), std::string::npos) << check.out;
  EXPECT_NE(check.out.find(label), std::string::npos) << check.out;

  // step: the interactive scheduler, driven to the end.
  std::istringstream keys("!\nq\n");
  std::ostringstream out, err;
  tools::StepArgs sa;
  sa.file = f;
  sa.in = &keys;
  tools::cmd_step(sa, tools::Io{out, err});
  expect_terminal_safe(out.str() + err.str(), "step");
  EXPECT_NE(out.str().find(handle), std::string::npos) << out.str();

  // JSON keeps the exact strings (nlohmann escapes them).
  Result j = cli({"run", f, "--json"});
  const auto doc = nlohmann::json::parse(j.out);
  EXPECT_NE(doc.at("outcome").get<std::string>().find("lab\x1b[2J\nel\x07 = "), std::string::npos) << j.out;
  Result tj = cli({"run", f, "--trace", "json"});
  EXPECT_NE(tj.out.find(R"(han\u001b[2J\ndle\u001b]0;x\u0007)"), std::string::npos) << tj.out.substr(0, 2000);

  // The HTML report escapes for HTML, and has no control character either.
  const std::string html_file = (dir_ / "report.html").string();
  Result rep = cli({"report", f, "-o", html_file, "--explore", "10"});
  EXPECT_EQ(rep.code, 0) << show(rep);
  const std::string html = testcli::read(html_file);
  expect_terminal_safe(html, "report", false);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
}

// A file name from the command line is shown the same way, and the replay
// command quotes it so that the shell gets the same bytes.
TEST_F(HardeningInput, ControlCharactersInAFileNameAreEscapedAndQuoted) {
  const std::string f = write("a\x1b[2Jb.json", R"({"utsim": 1, "name": "n", "summary": "s",
    "tasks": [{"name": "A", "program": [{"syscall": "getpid", "expect": 1}]}]})");
  Result v = cli({"validate", f});
  EXPECT_EQ(v.code, 0) << show(v);
  EXPECT_EQ(v.out, dir_.string() + "/a\\x1b[2Jb.json: ok\n");
  Result r = cli({"run", f});
  EXPECT_EQ(r.code, 1) << show(r);
  expect_terminal_safe(r.out, "run");
  EXPECT_NE(r.out.find("utsim replay $'" + dir_.string() + "/a\\x1b[2Jb.json' --schedule ''"), std::string::npos)
      << r.out;
}

// ---- utrace actions named honestly -------------------------------------------------------

TEST_F(HardeningInput, AnUnknownUtraceActionIsNotNamedAsAnother) {
  const std::string f = write("action99.json", R"({"utsim": 1, "name": "action-99",
    "summary": "utrace_control with an action that does not exist",
    "engines": {"E": {"report_quiesce": "UTRACE_RESUME"}},
    "tasks": [
      {"name": "module", "kind": "kthread", "program": [
        {"utrace_attach_task": {"target": "T", "ops": "E", "flags": ["UTRACE_ATTACH_CREATE"]}, "as": "e"},
        {"utrace_set_events": {"target": "T", "engine": "e", "events": ["QUIESCE"]}},
        {"utrace_control": {"target": "T", "engine": "e", "action": 99}, "expect": "-EINVAL"}]},
      {"name": "T", "program": [{"compute": 5}]}]})");
  for (const char* format : {"text", "json", "mermaid"}) {
    Result r = cli({"run", f, "--trace", format});
    EXPECT_EQ(r.code, 0) << show(r);
    EXPECT_NE(r.out.find("UTRACE_\?\?\?(99)"), std::string::npos) << format << "\n" << r.out;
    EXPECT_EQ(r.out.find("UTRACE_SINGLESTEP"), std::string::npos) << format << "\n" << r.out;
  }
  Result e = cli({"explain", f});
  EXPECT_NE(e.out.find("utrace_control(e1(e), UTRACE_\?\?\?(99)) returned -EINVAL"), std::string::npos) << e.out;
  EXPECT_EQ(e.out.find("UTRACE_SINGLESTEP"), std::string::npos) << e.out;
}

// ---- numeric flags --------------------------------------------------------------------------

// The options of a subcommand that take a number, from its --help: CLI11
// prints each option's type (UINT, FLOAT, ...) or the validator's name.
std::vector<std::string> numeric_options(const std::string& cmd) {
  Result h = cli({cmd, "--help"});
  EXPECT_EQ(h.code, 0) << show(h);
  std::vector<std::string> out;
  const std::regex opt(R"(^\s+(?:-\w,)?(--[a-z-]+) (UINT|INT|FLOAT|NUMBER|SECONDS|UNSIGNED)\b)");
  std::istringstream in(h.out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, opt)) out.push_back(m[1]);
  }
  return out;
}

TEST(HardeningInputFlags, EveryNumericFlagOfEveryCommandRefusesNanInfNegativeAndOverflow) {
  const std::vector<std::string> commands = {"run",     "replay", "check",  "graph",  "shrink",
                                             "explain", "step",   "report", "explore"};
  const std::vector<std::string> hostile = {"nan", "NaN",  "-nan",  "inf",    "-inf", "infinity",
                                            "-1",  "-0.5", "1e400", "1e-400", "0x10", "99999999999999999999999",
                                            "",    " 5",   "5 ",    "1,5",    "+1",   "1.2.3",
                                            "."};
  std::set<std::string> seen;
  for (const std::string& cmd : commands) {
    for (const std::string& flag : numeric_options(cmd)) {
      seen.insert(flag);
      for (const std::string& v : hostile) {
        std::vector<std::string> args{cmd, "x.json", flag, v};
        if (cmd == "replay" || cmd == "shrink") args.insert(args.end(), {"--schedule", ""});
        Result r = cli(args);
        EXPECT_EQ(r.code, 2) << cmd << " " << flag << " '" << v << "'\n" << show(r);
        EXPECT_TRUE(r.out.empty()) << cmd << " " << flag << " '" << v << "'\n" << show(r);
        EXPECT_NE(r.err.find(flag), std::string::npos) << cmd << " " << flag << " '" << v << "': say which flag\n"
                                                       << show(r);
      }
    }
  }
  // The discovery found the numeric flags there are (a new one is checked
  // the day it is added).
  for (const char* flag : {"--max-steps", "--max-tasks", "--seed", "--max-schedules", "--time-limit", "--depth",
                           "--preemption-bound", "--max-states", "--max-tries", "--explore"})
    EXPECT_TRUE(seen.count(flag)) << flag << " was not found in any --help";
  // --shard is i/N.
  for (const char* v : {"nan/2", "-1/2", "1/-2", "1/0", "0/1e9", "1/99999999999"})
    EXPECT_EQ(cli({"explore", "x.json", "--shard", v}).code, 2) << v;
}

TEST(HardeningInputFlags, TimeLimitTakesPlainSeconds) {
  for (const char* v : {"0.001", "1", "2.5", ".5", "1000000000"}) {
    for (const char* cmd : {"explore", "check"}) {
      Result r = cli({cmd, "/nonexistent.json", "--time-limit", v});
      EXPECT_EQ(r.code, 3) << cmd << " " << v << "\n" << show(r);  // the flag is fine; the file does not exist
    }
  }
  for (const char* v : {"0", "0.0009", "1000000001"}) {
    Result r = cli({"check", "/nonexistent.json", "--time-limit", v});
    EXPECT_EQ(r.code, 2) << v << "\n" << show(r);
    EXPECT_NE(r.err.find("a number of seconds from 0.001 to 1000000000"), std::string::npos) << show(r);
  }
}

// ---- check ------------------------------------------------------------------------------------

TEST_F(HardeningInput, CheckStopsEachScenarioAtItsTimeLimit) {
  // A space far larger than a second can explore.
  const std::string f = write("big.json", R"({"utsim": 1, "name": "big-space", "summary": "many schedules",
    "tasks": [{"name": "A", "program": [{"compute": 40}]}, {"name": "B", "program": [{"compute": 40}]},
              {"name": "C", "program": [{"compute": 40}]}],
    "explore": {"strategy": "random", "max_schedules": 1000000000}})");
  Result r = cli({"check", f, "--time-limit", "0.3", "--json"});
  EXPECT_EQ(r.code, 0) << show(r);
  const auto doc = nlohmann::json::parse(r.out);
  const auto& s = doc.at("scenarios").at(0);
  EXPECT_EQ(s.at("timed_out"), true);
  EXPECT_EQ(s.at("verdict"), "pass (time limit)");
  EXPECT_GT(s.at("schedules").get<std::uint64_t>(), 0u);
  EXPECT_LT(s.at("schedules").get<std::uint64_t>(), 1'000'000'000u);
  EXPECT_EQ(doc.at("summary").at("timed_out"), 1);
  EXPECT_EQ(doc.at("summary").at("time_limit"), 0.3);

  Result t = cli({"check", f, "--time-limit", "0.2"});
  EXPECT_EQ(t.code, 0) << show(t);
  EXPECT_NE(t.out.find("pass (time limit)"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("1 stopped by --time-limit"), std::string::npos) << t.out;
}

TEST_F(HardeningInput, CheckWithNothingToCheckIsAUsageError) {
  fs::create_directories(dir_ / "empty");
  write("notes/readme.txt", "no scenario here");
  for (const std::string& d : {(dir_ / "empty").string(), (dir_ / "notes").string()}) {
    Result r = cli({"check", d});
    EXPECT_EQ(r.code, 2) << show(r);
    EXPECT_TRUE(r.out.empty()) << show(r);
    EXPECT_NE(r.err.find("no scenario file (*.json) under " + d), std::string::npos) << show(r);
    Result j = cli({"check", d, "--json"});
    EXPECT_EQ(j.code, 2) << show(j);
    EXPECT_TRUE(j.out.empty()) << show(j);
  }
  // One empty folder among good ones is an error too: it is surely a mistake.
  const std::string ok = write("ok/a.json", R"({"utsim": 1, "name": "a", "summary": "s", "tasks": [{"name": "A"}]})");
  EXPECT_EQ(cli({"check", (dir_ / "ok").string()}).code, 0);
  EXPECT_EQ(cli({"check", (dir_ / "ok").string(), (dir_ / "empty").string()}).code, 2);
}

// ---- shrink -----------------------------------------------------------------------------------

TEST_F(HardeningInput, ShrinkingAScheduleThatBreaksNothingIsAnImpossibleRequest) {
  const std::string f = write("fine.json", R"({"utsim": 1, "name": "fine", "summary": "nothing breaks",
    "tasks": [{"name": "A", "program": [{"syscall": "getpid"}]}, {"name": "B", "program": [{"compute": 2}]}]})");
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"shrink", f, "--schedule", ""},
                                             {"shrink", f, "--schedule", "", "--json"},
                                             {"shrink", f, "--schedule", "", "--property", "hang"}}) {
    Result r = cli(args);
    EXPECT_EQ(r.code, 2) << show(r);
    EXPECT_TRUE(r.out.empty()) << show(r);
    EXPECT_NE(r.err.find("utsim shrink: nothing to shrink: the schedule "), std::string::npos) << show(r);
  }
  // A schedule that does not fit is still "diverged" (4).
  EXPECT_EQ(cli({"shrink", f, "--schedule", "z"}).code, 4);
}

// ---- merge ------------------------------------------------------------------------------------

TEST_F(HardeningInput, MergeValidatesWhatItReads) {
  const std::string scn = write("m.json", R"({"utsim": 1, "name": "m", "summary": "s",
    "tasks": [{"name": "A", "program": [{"compute": 3}]}, {"name": "B", "program": [{"compute": 3}]}]})");
  const std::string s0 = (dir_ / "s0.json").string(), s1 = (dir_ / "s1.json").string();
  ASSERT_EQ(
      cli({"explore", scn, "--strategy", "random", "--max-schedules", "5", "--shard", "0/2", "--json", "-o", s0}).code,
      0);
  ASSERT_EQ(
      cli({"explore", scn, "--strategy", "random", "--max-schedules", "5", "--shard", "1/2", "--json", "-o", s1}).code,
      0);
  ASSERT_EQ(cli({"merge", s0, s1}).code, 0);
  const auto good = nlohmann::json::parse(testcli::read(s1));

  // Each edit of shard 1's report, and the pointer the error must name.
  struct Edit {
    std::string pointer;
    nlohmann::json value;
  };
  const std::vector<Edit> edits = {
      {"/schedules", -1},
      {"/schedules", 1.5},
      {"/steps", "12"},
      {"/redundant", -7},
      {"/estimate", -1.0},
      {"/options/seed", -1},
      {"/options/max_tasks", 4294967296},
      {"/options/time_limit", -3},
      {"/shards/count", 0},
      {"/shards/covered/0", -1},
      {"/shards/covered/0", 7},
      {"/outcomes/0/count", -2},
      {"/outcomes/0/example/schedule", "a'; rm -rf ~; '"},
      {"/outcomes/0/example/preemptions", -1},
      {"/outcomes/0/example/shard", 5},
      {"/options/strategy", "bogus"},
      {"/interrupted", "no"},
  };
  for (const Edit& e : edits) {
    nlohmann::json bad = good;
    bad[nlohmann::json::json_pointer(e.pointer)] = e.value;
    const std::string bf = write("bad.json", bad.dump());
    Result r = cli({"merge", s0, bf});
    EXPECT_EQ(r.code, 2) << e.pointer << " = " << e.value.dump() << "\n" << show(r);
    EXPECT_TRUE(r.out.empty()) << show(r);
    EXPECT_NE(r.err.find("utsim merge: " + bf + ": "), std::string::npos) << e.pointer << "\n" << show(r);
    EXPECT_NE(r.err.find(": " + e.pointer + ": "), std::string::npos) << e.pointer << "\n" << show(r);
  }

  // Counts that are each valid but whose sum does not fit in 64 bits.
  for (const std::string key : {"/schedules", "/steps", "/redundant", "/outcomes/0/count"}) {
    nlohmann::json a = nlohmann::json::parse(testcli::read(s0)), b = good;
    a[nlohmann::json::json_pointer(key)] = UINT64_MAX;
    b[nlohmann::json::json_pointer(key)] = 1u;
    // Shard 1's outcome must be the same outcome as shard 0's for its count to be added.
    b["outcomes"][0]["signature"] = a["outcomes"][0]["signature"];
    const std::string af = write("a.json", a.dump()), bf = write("b.json", b.dump());
    Result r = cli({"merge", af, bf});
    EXPECT_EQ(r.code, 2) << key << "\n" << show(r);
    EXPECT_NE(r.err.find("does not fit in 64 bits"), std::string::npos) << key << "\n" << show(r);
    EXPECT_NE(r.err.find(key), std::string::npos) << key << "\n" << show(r);
  }

  // A NUL and anything after the document.
  const std::string nul = write("nul.json", good.dump() + std::string("\0junk", 5));
  Result r = cli({"merge", s0, nul});
  EXPECT_EQ(r.code, 2) << show(r);
  EXPECT_NE(r.err.find("a NUL byte at byte"), std::string::npos) << show(r);
}

// ---- bounded text ------------------------------------------------------------------------------

// 300 labelled results: the outcome line of the text summary shows the first
// 32 parts (A's end and 31 labels) and says how many more; the JSON has the
// whole signature.
TEST_F(HardeningInput, TheOutcomeLineIsBoundedInTextOnly) {
  std::string s = R"({"utsim": 1, "name": "many-labels", "summary": "s", "tasks": [{"name": "A", "program": [)";
  for (int i = 0; i < 300; ++i)
    s += std::string(i ? "," : "") + R"({"syscall": "getpid", "label": "l)" + std::to_string(i) + "\"}";
  s += "]}]}";
  const std::string f = write("many.json", s);
  Result t = cli({"run", f});
  ASSERT_EQ(t.code, 0) << show(t);
  std::string outcome_line;
  std::istringstream in(t.out);
  for (std::string l; std::getline(in, l);)
    if (l.rfind("outcome:", 0) == 0) outcome_line = l;
  EXPECT_NE(outcome_line.find("l30 = "), std::string::npos) << outcome_line;
  EXPECT_EQ(outcome_line.find("l31 = "), std::string::npos) << outcome_line;  // A's own part comes first
  EXPECT_NE(outcome_line.find("; … and 269 more"), std::string::npos) << outcome_line;
  EXPECT_LT(outcome_line.size(), 1000u);
  Result j = cli({"run", f, "--json"});
  EXPECT_NE(nlohmann::json::parse(j.out).at("outcome").get<std::string>().find("l299 = "), std::string::npos);

  // One huge label: its beginning, and how much is left out.
  const std::string big = write("big.json", R"({"utsim": 1, "name": "big-label", "summary": "s", "tasks": [
    {"name": "A", "program": [{"syscall": "getpid", "label": ")" +
                                                std::string(100'000, 'x') + R"("}]}]})");
  Result b = cli({"run", big});
  ASSERT_EQ(b.code, 0) << show(b).substr(0, 1000);
  EXPECT_LT(b.out.size(), 6000u);
  EXPECT_NE(b.out.find("more bytes)"), std::string::npos) << b.out.substr(0, 1000);
}

// explain and report of a long run show its first and last 1000 steps and
// say what they leave out; --full shows every one.
TEST_F(HardeningInput, ExplainAndReportOfALongRunAreBounded) {
  const std::string f = write("long.json", R"({"utsim": 1, "name": "long-run", "summary": "a run of many steps",
    "tasks": [{"name": "A", "program": [{"loop": {"times": 3000, "do": [{"syscall": "getpid"}]}}]}]})");
  Result e = cli({"explain", f});
  ASSERT_EQ(e.code, 0) << show(e).substr(0, 2000);
  const auto gap = e.out.find("are not narrated");
  ASSERT_NE(gap, std::string::npos) << e.out.substr(0, 2000);
  EXPECT_NE(e.out.find("utsim explain --full narrates every step"), std::string::npos);
  EXPECT_NE(e.out.find("How it ended"), std::string::npos);
  Result full = cli({"explain", f, "--full"});
  ASSERT_EQ(full.code, 0);
  EXPECT_EQ(full.out.find("are not narrated"), std::string::npos);
  EXPECT_GT(full.out.size(), 2 * e.out.size());

  const std::string html_file = (dir_ / "long.html").string(), full_file = (dir_ / "full.html").string();
  ASSERT_EQ(cli({"report", f, "-o", html_file}).code, 0);
  ASSERT_EQ(cli({"report", f, "-o", full_file, "--full"}).code, 0);
  const std::string html = testcli::read(html_file), all = testcli::read(full_file);
  EXPECT_NE(html.find("are not drawn"), std::string::npos);
  EXPECT_NE(html.find("are not narrated"), std::string::npos);
  EXPECT_NE(html.find("id=\"run-timeline-tail\""), std::string::npos);
  EXPECT_EQ(all.find("are not narrated"), std::string::npos);
  EXPECT_GT(all.size(), 2 * html.size());
}

}  // namespace
