// tests/unit/scenario/load/loader_test.cpp: the scenario loader against its contract —
// every SCENARIOS.md example loads, every malformed file of tests/bad gets
// its documented error id and pointer, every id the code can emit is in
// docs/errors.md, and no input makes it crash or throw.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "scenario/load/loader.h"

namespace fs = std::filesystem;
using model::load_scenario_file;
using model::load_scenario_text;
using model::LoadResult;

namespace {

const fs::path kRoot = UTSIM_SOURCE_DIR;

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string all_errors(const LoadResult& r) {
  std::string s;
  for (const auto& e : r.errors) s += "  " + e.to_string() + "\n";
  return s;
}

std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(LoaderSpecExamples, EveryExampleLoads) {
  auto files = json_files(kRoot / "tests/spec-examples");
  ASSERT_GE(files.size(), 5u);
  for (const auto& f : files) {
    LoadResult r = load_scenario_file(f.string());
    EXPECT_TRUE(r.ok()) << f << " should load, got:\n" << all_errors(r);
    EXPECT_TRUE(r.errors.empty()) << f;
    if (r.ok()) {
      EXPECT_EQ(r.scenario->file, f.string());
    }
  }
}

TEST(LoaderBadFiles, EachGetsItsDocumentedIdAndPointer) {
  const fs::path dir = kRoot / "tests/bad";
  auto manifest = nlohmann::json::parse(read(dir / "manifest.json"));
  ASSERT_TRUE(manifest.is_object());
  std::set<std::string> listed;
  for (const auto& [name, want] : manifest.items()) {
    if (name.rfind("x-", 0) == 0) continue;
    listed.insert(name);
    const std::string id = want.at("id"), pointer = want.at("pointer");
    LoadResult r = load_scenario_file((dir / name).string());
    EXPECT_FALSE(r.ok()) << name << " loaded but should fail with " << id;
    bool found = std::any_of(r.errors.begin(), r.errors.end(),
                             [&](const auto& e) { return e.id == id && e.pointer == pointer; });
    EXPECT_TRUE(found) << name << ": expected " << id << " at '" << pointer << "', got:\n" << all_errors(r);
    for (const auto& e : r.errors) {
      EXPECT_FALSE(e.message.empty()) << name;
      EXPECT_EQ(e.file, (dir / name).string());
    }
  }
  EXPECT_GE(listed.size(), 40u);
  for (const auto& f : json_files(dir)) {
    if (f.filename() == "manifest.json") continue;
    EXPECT_TRUE(listed.count(f.filename().string())) << f << " is not in manifest.json";
  }
}

TEST(LoaderLimits, OversizedTextAndFileAreRefused) {
  std::string big = R"({"utsim": 1, "name": "big", "summary": "x", "x-pad": ")";
  big.append(10u << 20, 'a');
  big += R"(", "tasks": [{"name": "A"}]})";
  LoadResult r = load_scenario_text(big, "big.json");
  ASSERT_FALSE(r.ok());
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].id, "scenario.E003");

  fs::path tmp = fs::temp_directory_path() / "utsim-loader-test-big.json";
  {
    std::ofstream out(tmp, std::ios::binary);
    out << big;
  }
  LoadResult rf = load_scenario_file(tmp.string());
  fs::remove(tmp);
  ASSERT_FALSE(rf.ok());
  EXPECT_EQ(rf.errors.at(0).id, "scenario.E003");

  // Within a raised limit the same text loads.
  model::LoadLimits roomy;
  roomy.max_bytes = 16u << 20;
  EXPECT_TRUE(load_scenario_text(big, "big.json", roomy).ok());
}

TEST(LoaderLimits, DeepNestingIsRefusedWithoutRecursion) {
  for (char open : {'[', '{'}) {
    std::string deep(100'000, open);
    if (open == '{') {
      deep.clear();
      for (int i = 0; i < 50'000; ++i) deep += "{\"a\":";
    }
    LoadResult r = load_scenario_text(deep);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.errors.at(0).id, "scenario.E004");
  }
  // Brackets inside strings do not count.
  std::string ok =
      R"({"utsim": 1, "name": "n", "summary": ")" + std::string(1000, '[') + R"(", "tasks": [{"name": "A"}]})";
  EXPECT_TRUE(load_scenario_text(ok).ok()) << all_errors(load_scenario_text(ok));
  // A caller's huge limit is clamped, not trusted.
  model::LoadLimits huge;
  huge.max_depth = SIZE_MAX;
  EXPECT_FALSE(load_scenario_text(std::string(200'000, '['), "x", huge).ok());
}

TEST(LoaderLimits, OpsAndTasks) {
  std::string many = R"({"utsim": 1, "name": "n", "summary": "s", "tasks": [{"name": "A", "program": [)";
  for (int i = 0; i < 20; ++i) many += std::string(i ? "," : "") + R"({"compute": 1})";
  many += "]}]}";
  model::LoadLimits l;
  l.max_ops = 10;
  LoadResult r = load_scenario_text(many, "x", l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.at(0).id, "scenario.E005");
  EXPECT_TRUE(load_scenario_text(many).ok());

  std::string tasks = R"({"utsim": 1, "name": "n", "summary": "s", "tasks": [)";
  for (int i = 0; i < 5; ++i) tasks += std::string(i ? "," : "") + R"({"name": "T)" + std::to_string(i) + "\"}";
  tasks += "]}";
  l = {};
  l.max_tasks = 4;
  r = load_scenario_text(tasks, "x", l);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.at(0).id, "scenario.E006");
}

TEST(LoaderLimits, ErrorFloodIsCapped) {
  std::string s = R"({"utsim": 1, "name": "n", "summary": "s", "tasks": [{"name": "A", "program": [)";
  for (int i = 0; i < 5000; ++i) s += std::string(i ? "," : "") + R"({"syscall": "nope"})";
  s += "]}]}";
  LoadResult r = load_scenario_text(s);
  ASSERT_FALSE(r.ok());
  EXPECT_LE(r.errors.size(), 201u);
  EXPECT_EQ(r.errors.back().id, "scenario.E009");
}

// A regression guard for quadratic behaviour: 200,000 distinct keys in one
// object (ordered_json's own operator[] is a linear search).
TEST(LoaderLimits, HugeObjectStaysLinear) {
  std::string s = R"({"utsim": 1, "name": "n", "summary": "s", "tasks": [{"name": "A", "program": [{"compute": 1)";
  for (int i = 0; i < 200'000; ++i) s += ",\"x-" + std::to_string(i) + "\": 0";
  s += "}]}], \"x-pad\": {";
  for (int i = 0; i < 200'000; ++i) s += std::string(i ? "," : "") + "\"k" + std::to_string(i) + "\": 0";
  s += "}}";
  LoadResult r = load_scenario_text(s);
  EXPECT_TRUE(r.ok()) << all_errors(r);
}

// nlohmann's lexer takes a NUL byte for the end of the input: a valid
// document followed by a NUL and anything at all used to load.  Nothing but
// whitespace may follow the document.
TEST(LoaderTrailingBytes, NothingButWhitespaceAfterTheDocumentNulIncluded) {
  const std::string doc = R"({"utsim": 1, "name": "n", "summary": "s", "tasks": [{"name": "A"}]})";
  ASSERT_TRUE(load_scenario_text(doc).ok());
  ASSERT_TRUE(load_scenario_text(doc + " \n\t\r\n").ok());
  for (const std::string& tail : {std::string("\0", 1), std::string("\0garbage", 8), std::string("\n\0\0", 3),
                                  std::string("\0{\"utsim\": 2}", 13), std::string("x"), std::string("}")}) {
    const std::string text = doc + tail;
    LoadResult r = load_scenario_text(text, "t.json");
    ASSERT_FALSE(r.ok()) << "loaded with a tail of " << tail.size() << " bytes";
    ASSERT_EQ(r.errors.size(), 1u) << all_errors(r);
    EXPECT_EQ(r.errors[0].id, "scenario.E001");
    EXPECT_EQ(r.errors[0].pointer, "");  // the whole document
    if (tail.find('\0') != std::string::npos) {
      const std::size_t nul = text.find('\0');
      EXPECT_NE(r.errors[0].message.find("text after the document"), std::string::npos) << all_errors(r);
      EXPECT_NE(r.errors[0].message.find("(byte " + std::to_string(nul) + ","), std::string::npos) << all_errors(r);
      EXPECT_EQ(r.errors[0].to_string().find('\0'), std::string::npos);  // one printable line
    }
  }
  // A NUL before the document ends, outside a string: where it is, not
  // "unexpected end of input".
  const std::string cut = R"({"utsim": 1,)" + std::string("\0", 1) + R"( "name": "n"})";
  LoadResult r = load_scenario_text(cut);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.at(0).id, "scenario.E001");
  EXPECT_NE(r.errors[0].message.find("a NUL byte at line 1, column 13 (byte 12)"), std::string::npos) << all_errors(r);
}

// RFC 8259 lets a parser ignore a UTF-8 byte order mark; utsim does, once, at
// the very start (docs/scenarios.md "The file").
TEST(LoaderTrailingBytes, ByteOrderMarkAtTheStartIsIgnored) {
  const std::string bom = "\xEF\xBB\xBF";
  const std::string doc = R"({"utsim": 1, "name": "n", "summary": "s", "tasks": [{"name": "A"}]})";
  LoadResult r = load_scenario_text(bom + doc);
  ASSERT_TRUE(r.ok()) << all_errors(r);
  EXPECT_EQ(r.scenario->name, "n");
  // The file means the same with and without it.
  EXPECT_EQ(r.scenario->summary, load_scenario_text(doc).scenario->summary);
  // Not twice, not after whitespace, not at the end; inside a string it is U+FEFF.
  for (const std::string& bad : {bom + bom + doc, " " + bom + doc, doc + bom}) {
    LoadResult b = load_scenario_text(bad);
    EXPECT_FALSE(b.ok());
    EXPECT_EQ(b.errors.at(0).id, "scenario.E001") << all_errors(b);
  }
  LoadResult in_string =
      load_scenario_text(R"({"utsim": 1, "name": "n", "summary": ")" + bom + R"(s", "tasks": [{"name": "A"}]})");
  ASSERT_TRUE(in_string.ok()) << all_errors(in_string);
  EXPECT_EQ(in_string.scenario->summary, bom + "s");
  // A truncated mark is not UTF-8.
  LoadResult half = load_scenario_text("\xEF\xBB" + doc);
  ASSERT_FALSE(half.ok());
  EXPECT_EQ(half.errors.at(0).id, "scenario.E002") << all_errors(half);
}

TEST(LoaderErrors, MissingFile) {
  LoadResult r = load_scenario_file((kRoot / "tests/bad/does-not-exist.json").string());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.errors.at(0).id, "scenario.E007");
}

TEST(LoaderErrors, ToStringShowsRootAsSlash) {
  model::ScenarioError e{"scenario.E012", "", "unknown key", "f.json"};
  EXPECT_EQ(e.to_string(), "f.json: /: scenario.E012: unknown key");
  e.pointer = "/tasks/0/program/2";
  EXPECT_EQ(e.to_string(), "f.json: /tasks/0/program/2: scenario.E012: unknown key");
}

// Every id the loader can emit is catalogued, and the catalogue lists no id
// twice.
TEST(LoaderErrors, EveryIdIsDocumented) {
  std::string doc = read(kRoot / "docs/errors.md");
  ASSERT_FALSE(doc.empty());
  const std::regex id_re("scenario\\.E[0-9]{3}");
  std::set<std::string> emitted;
  for (const auto& e : fs::recursive_directory_iterator(kRoot / "scenario")) {
    if (e.path().extension() != ".cpp" && e.path().extension() != ".h") continue;
    std::string src = read(e.path());
    for (std::sregex_iterator it(src.begin(), src.end(), id_re), end; it != end; ++it) emitted.insert(it->str());
  }
  ASSERT_GE(emitted.size(), 40u);
  std::map<std::string, int> headings;
  const std::regex heading_re("\\n### (scenario\\.E[0-9]{3})");
  for (std::sregex_iterator it(doc.begin(), doc.end(), heading_re), end; it != end; ++it) ++headings[(*it)[1].str()];
  for (const auto& id : emitted) EXPECT_EQ(headings[id], 1) << id << " must have one '### " << id << "' heading";
  // A retired id keeps its heading, marked "(retired)", and is never emitted again.
  std::set<std::string> retired;
  const std::regex retired_re("\\n### (scenario\\.E[0-9]{3}) \\(retired\\)");
  for (std::sregex_iterator it(doc.begin(), doc.end(), retired_re), end; it != end; ++it)
    retired.insert((*it)[1].str());
  for (const auto& [id, n] : headings) {
    if (retired.count(id))
      EXPECT_FALSE(emitted.count(id)) << id << " is retired but still emitted";
    else
      EXPECT_TRUE(emitted.count(id)) << id << " is documented but never emitted";
  }
}

// Cheap robustness sweep (libFuzzer does the real job): every prefix of an
// example, and byte flips, load or fail cleanly.
TEST(LoaderRobustness, PrefixesAndByteFlipsNeverCrash) {
  std::string text = read(kRoot / "tests/spec-examples/engines.json");
  ASSERT_FALSE(text.empty());
  for (std::size_t n = 0; n < text.size(); ++n) {
    LoadResult r = load_scenario_text(std::string_view(text).substr(0, n));
    if (!r.ok()) {
      EXPECT_FALSE(r.errors.empty()) << "prefix " << n;
    }
  }
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  const char bytes[] = "{}[]\",:0-1x$|\\\xff\xc3 ";
  for (int i = 0; i < 3000; ++i) {
    std::string t = text;
    for (int k = 0; k < 3; ++k) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      t[x % t.size()] = bytes[(x >> 32) % (sizeof bytes - 1)];
    }
    LoadResult r = load_scenario_text(t);
    EXPECT_EQ(r.ok(), r.errors.empty());
  }
}
