// tests/unit/tools/cli/hardening_bad_input_test.cpp: the bad-input policy of
// docs/hardening.md, through the command line.  Every malformed file of
// tests/bad (and the generated ones: 10 MB, too many ops, control characters)
// gets exit code 3 and one line per error naming the file, the JSON pointer and
// the stable id; `run` prints no partial result and writes no output
// file.  (tests/unit/scenario/load/loader_test.cpp checks the same files against the loader's
// API.)
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"
#include "tools/cli/cli.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = UTSIM_SOURCE_DIR;

using testcli::cli;
using testcli::read;
using testcli::Result;
using testcli::show;

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// How an error line shows a pointer: control characters escaped.
std::string escaped(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else
      out += c;
  }
  return out;
}

// Each line is "file: /pointer: scenario.ENNN: message".
void expect_error_lines(const std::string& file, const std::string& text, const std::string& what) {
  const auto ls = lines(text);
  EXPECT_FALSE(ls.empty()) << what;
  EXPECT_EQ(text.back(), '\n') << what;
  for (const std::string& l : ls) {
    EXPECT_EQ(l.rfind(file + ": /", 0), 0u) << what << ": " << l;
    const auto id = l.find(": scenario.E");
    ASSERT_NE(id, std::string::npos) << what << ": " << l;
    EXPECT_GT(l.size(), id + 18) << what << ": a message must follow the id: " << l;
  }
}

class HardeningBadInput : public testcli::TempDirTest {
 protected:
  HardeningBadInput() : TempDirTest("utsim-bad") {}
};

TEST_F(HardeningBadInput, EveryBadFileExitsThreeWithItsIdAndPointerOnOneLine) {
  const auto manifest = nlohmann::json::parse(read(kRoot / "tests/bad/manifest.json"));
  std::size_t files = 0;
  for (const auto& [name, want] : manifest.items()) {
    if (name.rfind("x-", 0) == 0) continue;
    ++files;
    const std::string f = (kRoot / "tests/bad" / name).string();
    const std::string id = want.at("id"), pointer = want.at("pointer");

    Result v = cli({"validate", f});
    EXPECT_EQ(v.code, 3) << name << "\n" << show(v);
    expect_error_lines(f, v.out, name);
    const std::string at = f + ": " + escaped(pointer.empty() ? "/" : pointer) + ": " + id + ": ";
    EXPECT_NE(v.out.find(at), std::string::npos) << name << ": no line starting " << at << "\n" << v.out;

    // run: the errors on stderr, no partial summary, no output file.
    const fs::path out = dir_ / (name + ".trace");
    Result r = cli({"run", f, "--trace", "json", "-o", out.string()});
    EXPECT_EQ(r.code, 3) << name << "\n" << show(r);
    EXPECT_TRUE(r.out.empty()) << name << "\n" << show(r);
    expect_error_lines(f, r.err, name);
    EXPECT_FALSE(fs::exists(out)) << name;
  }
  EXPECT_GE(files, 40u);
  EXPECT_TRUE(fs::is_empty(dir_));  // not even a temporary file

  // check reports them in its table and its JSON, and exits 3.
  Result c = cli({"check", (kRoot / "tests/bad").string(), "--json"});
  EXPECT_EQ(c.code, 3) << show(c);
  const auto doc = nlohmann::json::parse(c.out);
  EXPECT_EQ(doc["summary"]["invalid"], files + 1);  // manifest.json is no scenario either
  for (const auto& s : doc["scenarios"]) {
    if (s["file"].get<std::string>().find("manifest.json") != std::string::npos) continue;
    EXPECT_EQ(s["verdict"], "invalid") << s.dump();
    EXPECT_FALSE(s["errors"].empty()) << s.dump();
  }
}

TEST_F(HardeningBadInput, TenMegabyteFileIsRefusedBeforeParsing) {
  std::string big = R"({"utsim": 1, "name": "big", "summary": "x", "x-pad": ")";
  big.append(10u << 20, 'a');
  big += R"(", "tasks": [{"name": "A"}]})";
  const std::string f = write("big.json", big);
  Result v = cli({"validate", f});
  EXPECT_EQ(v.code, 3) << show(v).substr(0, 2000);
  EXPECT_EQ(lines(v.out).size(), 1u);
  EXPECT_EQ(v.out.rfind(f + ": /: scenario.E003: file too large", 0), 0u) << v.out.substr(0, 500);
}

TEST_F(HardeningBadInput, TooManyOpsStopsLoading) {
  std::string s = R"({"utsim": 1, "name": "many", "summary": "s", "tasks": [{"name": "A", "program": [)";
  for (int i = 0; i < 100'001; ++i) s += i ? R"(,{"compute":1})" : R"({"compute":1})";
  s += "]}]}";
  const std::string f = write("many.json", s);
  Result v = cli({"validate", f});
  EXPECT_EQ(v.code, 3) << v.out.substr(0, 500);
  EXPECT_EQ(lines(v.out).size(), 1u) << v.out.substr(0, 500);
  EXPECT_NE(v.out.find(f + ": /tasks/0/program/100000: scenario.E005: too many ops"), std::string::npos)
      << v.out.substr(0, 500);
}

// Found by fuzz_loader: a key or value quoted in an error may hold control
// characters (JSON escapes them, the message did not); one error must stay
// one line of output.
TEST_F(HardeningBadInput, ControlCharactersInKeysAreEscapedInMessages) {
  const std::string f = write("ctl.json", R"({"utsim": 1, "name": "ctl", "summary": "s",
    "tasks": [{"name": "A", "program": [{"compute": 1, "step\ns": 2}, {"syscall": "get\u001b[2Jpid"}]}]})");
  Result v = cli({"validate", f});
  EXPECT_EQ(v.code, 3) << show(v);
  const auto ls = lines(v.out);
  ASSERT_EQ(ls.size(), 2u) << v.out;
  EXPECT_EQ(ls[0].rfind(f + ": /tasks/0/program/0/step\\ns: scenario.E012: unknown key 'step\\ns'", 0), 0u) << ls[0];
  EXPECT_NE(ls[1].find("unknown syscall 'get\\x1b[2Jpid'"), std::string::npos) << ls[1];
  EXPECT_EQ(v.out.find('\x1b'), std::string::npos);

  // The JSON of check keeps the raw pointer (JSON escapes it itself).
  Result c = cli({"check", f, "--json"});
  EXPECT_EQ(c.code, 3) << show(c);
  const auto doc = nlohmann::json::parse(c.out);
  EXPECT_EQ(doc["scenarios"][0]["errors"][0]["pointer"], "/tasks/0/program/0/step\ns");
}

TEST_F(HardeningBadInput, UnreadablePathsAreScenarioErrors) {
  const std::string missing = (dir_ / "missing.json").string();
  Result v = cli({"validate", missing});
  EXPECT_EQ(v.code, 3) << show(v);
  EXPECT_EQ(lines(v.out).size(), 1u) << v.out;
  EXPECT_NE(v.out.find(missing + ": /: scenario.E007: "), std::string::npos) << v.out;
  // validate searches a folder, as check does: an empty one validates nothing (exit 2).
  Result d = cli({"validate", dir_.string()});
  EXPECT_EQ(d.code, 2) << show(d);
  EXPECT_NE(d.err.find("utsim validate: cli.E007: no scenario file (*.json) under " + dir_.string()), std::string::npos)
      << show(d);
  for (const std::string& p : {missing, dir_.string()}) {
    Result r = cli({"run", p});
    EXPECT_EQ(r.code, 3) << show(r);
    EXPECT_TRUE(r.out.empty()) << show(r);
  }
}

}  // namespace
