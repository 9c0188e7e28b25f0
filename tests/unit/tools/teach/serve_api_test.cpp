// tests/unit/tools/teach/serve_api_test.cpp: the JSON API of `utsim serve`
// (tools/teach/serve_api.h, docs/serve.md), called directly: the list, a
// scenario loaded at its first choice point, choosing, undoing, running to
// the end, R2's violation with its replay command, and every error (with
// its id) for unknown scenarios, bad choices and paths that leave the
// folder.  Then the same API over HTTP, in-process on a free port.
#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/cli_run.h"
#include "tools/cli/commands.h"
#include "tools/teach/serve.h"
#include "tools/teach/serve_api.h"

namespace fs = std::filesystem;
using nlohmann::json;
using tools::kServeErrors;
using tools::ServeApi;
using tools::ServeErrorInfo;
using tools::ServeRequest;
using tools::ServeResponse;
using tools::ServeServer;

namespace {

const std::string kR2 = "races/r2-detach-before-stop-bug.json";
// The R2 race of docs/tutorial.md ("Make the race yourself"): X looks at
// engine->ops, then T detaches the engine before X takes utrace->lock.
const std::string kR2Race = "a3b3cbcc";

class ServeApiTest : public testcli::TempDirTest {
 protected:
  ServeApiTest() : TempDirTest("utsim-serve") {}

  // A folder of two scenarios (one invalid) and, beside it, a file that
  // must never be served.
  void SetUp() override {
    TempDirTest::SetUp();
    fs::create_directories(dir_ / "scn" / "races");
    fs::copy_file(fs::path(UTSIM_SOURCE_DIR) / "scenarios" / kR2, dir_ / "scn" / kR2);
    write("scn/broken.json", R"({"utsim": 1, "name": "broken"})");
    write("secret.json", R"({"utsim": 1, "name": "secret", "summary": "outside", "tasks": [{"name": "A"}]})");
    write("scn/notes.txt", "not a scenario");
    folder = (dir_ / "scn").string();
  }

  json get(const std::string& path, std::map<std::string, std::string> params = {}, int want = 200) {
    ServeRequest r;
    r.path = path;
    r.params = std::move(params);
    last = ServeApi(folder, [this](model::Scenario& s) { tools::override_model(model, s); }).handle(r);
    EXPECT_EQ(last.status, want) << path << "\n" << last.body;
    EXPECT_EQ(last.content_type, "application/json");
    return json::parse(last.body);
  }
  json state(const std::string& schedule) { return get("/api/state", {{"scenario", kR2}, {"schedule", schedule}}); }
  // An error: its id and status, as kServeErrors has them.
  json error(const std::string& path, std::map<std::string, std::string> params, const std::string& id) {
    int status = 0;
    for (const ServeErrorInfo& e : kServeErrors)
      if (id == e.id) status = e.status;
    const json j = get(path, std::move(params), status);
    EXPECT_EQ(j["error"]["id"], id) << last.body;
    EXPECT_EQ(j["error"]["status"], status);
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
    return j["error"];
  }

  std::string folder;
  tools::ModelArgs model;  // what utsim serve's --kernel, --bug, --no-bugs say
  ServeResponse last;
};

TEST_F(ServeApiTest, ListsTheScenariosUnderTheFolderOnly) {
  const json j = get("/api/scenarios");
  EXPECT_EQ(j["dir"], folder);
  ASSERT_EQ(j["scenarios"].size(), 2u) << j.dump(2);
  EXPECT_EQ(j["scenarios"][0]["path"], "broken.json");
  EXPECT_TRUE(j["scenarios"][0].contains("error"));
  EXPECT_EQ(j["scenarios"][1]["path"], kR2);
  EXPECT_EQ(j["scenarios"][1]["folder"], "races");
  EXPECT_EQ(j["scenarios"][1]["name"], "r2-detach-before-stop-bug");
  EXPECT_EQ(j["scenarios"][1]["kernel"], "2010-rhel6 +R2");
}

TEST_F(ServeApiTest, TheDefaultFolderListsEveryRace) {
  folder = std::string(UTSIM_SOURCE_DIR) + "/scenarios";
  const json j = get("/api/scenarios");
  bool r2 = false;
  for (const json& s : j["scenarios"]) {
    EXPECT_FALSE(s.contains("error")) << s.dump();
    r2 = r2 || s["path"] == kR2;
  }
  EXPECT_TRUE(r2);
}

TEST_F(ServeApiTest, LoadingStopsAtTheFirstChoicePoint) {
  const json j = state("");
  EXPECT_EQ(j["api"], "utsim-serve/1");
  EXPECT_EQ(j["status"], "choice");
  EXPECT_EQ(j["schedule"], "");
  EXPECT_EQ(j["scenario"]["path"], kR2);
  EXPECT_EQ(j["scenario"]["file"], folder + "/" + kR2);
  const json& cp = j["choice_point"];
  EXPECT_EQ(cp["index"], 0);
  ASSERT_GE(cp["options"].size(), 2u);
  int defaults = 0;
  for (const json& o : cp["options"]) {
    EXPECT_FALSE(o["task"].get<std::string>().empty());
    EXPECT_FALSE(o["function"].get<std::string>().empty()) << o.dump();  // the kernel function of the next step
    defaults += o["default"].get<bool>();
  }
  EXPECT_EQ(defaults, 1);
  EXPECT_TRUE(j["end"].is_null());
  EXPECT_TRUE(j["violations"].empty());
  EXPECT_EQ(j["replay"], "utsim replay " + folder + "/" + kR2 + " --schedule ''");
  EXPECT_FALSE(j["tasks"].empty());
  EXPECT_FALSE(j["timeline"]["lanes"].empty());
  ASSERT_EQ(j["timeline"]["svg"].size(), 1u);
  EXPECT_NE(j["timeline"]["svg"][0].get<std::string>().find("<svg"), std::string::npos);
}

TEST_F(ServeApiTest, TheSameRequestGetsTheSameBytes) {
  state("a3b2");
  const std::string once = last.body;
  state("a3b2");
  EXPECT_EQ(last.body, once);
}

// Each choice is the next letter of the schedule; the narrative, the
// timeline and the step count grow; undo gives back the state before.
TEST_F(ServeApiTest, ChoosingAndUndoing) {
  json j = state("");
  std::string before;
  std::size_t rows = j["narrative"].size();
  std::uint64_t steps = j["steps"].get<std::uint64_t>();
  for (const char c : std::string("aaab")) {
    before = last.body;
    j = get("/api/choose",
            {{"scenario", kR2}, {"schedule", j["schedule"].get<std::string>()}, {"thread", std::string(1, c)}});
    ASSERT_EQ(j["status"], "choice");
    EXPECT_EQ(j["choices"].back(), std::string(1, c));
    EXPECT_GE(j["narrative"].size(), rows);
    EXPECT_GT(j["steps"].get<std::uint64_t>(), steps);
    rows = j["narrative"].size();
    steps = j["steps"].get<std::uint64_t>();
  }
  EXPECT_EQ(j["schedule"], "a3b");
  const std::string after = last.body;
  j = get("/api/undo", {{"scenario", kR2}, {"schedule", "a3b"}});
  EXPECT_EQ(j["schedule"], "a3");
  EXPECT_EQ(last.body, before);  // undo is the state of the shorter schedule, byte for byte
  state("a3b");
  EXPECT_EQ(last.body, after);
}

// The race: the violation and the replay command the moment it is there.
TEST_F(ServeApiTest, R2sViolationComesWithItsReplayCommand) {
  json j = state("");
  std::string schedule;
  for (std::size_t i = 0; j["status"] == "choice" && i < 200; ++i) {
    // kR2Race's letters first, then the default choice each time.
    std::string pick = j["choice_point"]["default"].get<std::string>();
    if (i < 10) pick = std::string("aaabbbcbcc").substr(i, 1);
    j = get("/api/choose", {{"scenario", kR2}, {"schedule", j["schedule"].get<std::string>()}, {"thread", pick}});
    if (!j["violations"].empty()) break;
  }
  ASSERT_FALSE(j["violations"].empty()) << j.dump(2);
  const json& v = j["violations"][0];
  EXPECT_EQ(v["property"], "stop-without-engine");
  EXPECT_TRUE(v["expected"].get<bool>());
  EXPECT_FALSE(v["promise"].get<std::string>().empty());
  EXPECT_FALSE(v["guarantees"].empty());
  const std::string sched = j["schedule"].get<std::string>();
  std::string letters;
  for (const json& c : j["choices"]) letters += c.get<std::string>();
  EXPECT_EQ(letters.substr(0, 10), "aaabbbcbcc") << sched;  // kR2Race, then default choices
  EXPECT_EQ(j["replay"], "utsim replay " + folder + "/" + kR2 + " --schedule '" + sched + "'");
  bool traced = false;
  for (const json& t : j["tasks"]) traced = traced || (t["name"] == "X-2" && t["state"] == "TASK_TRACED");
  EXPECT_TRUE(traced) << j["tasks"].dump();

  // Run to the end from the race's prefix: the same end.
  const json end = get("/api/finish", {{"scenario", kR2}, {"schedule", kR2Race}});
  EXPECT_EQ(end["status"], "ended");
  EXPECT_EQ(end["end"]["how"], "blocked");
  EXPECT_EQ(end["end"]["verdict"], "as expected");
  ASSERT_FALSE(end["violations"].empty());
  EXPECT_EQ(end["violations"][0]["property"], "stop-without-engine");
  // Its schedule names every choice made, so that undo goes back one.
  const json back = get("/api/undo", {{"scenario", kR2}, {"schedule", end["schedule"].get<std::string>()}});
  EXPECT_EQ(back["status"], "choice");
}

TEST_F(ServeApiTest, ErrorsHaveStableIds) {
  error("/api/state", {{"scenario", "races/nope.json"}}, "serve.E005");
  error("/api/state", {{"scenario", "notes.txt"}}, "serve.E005");
  error("/api/state", {{"scenario", "races"}}, "serve.E005");
  error("/api/state", {}, "serve.E003");
  const json inv = error("/api/state", {{"scenario", "broken.json"}}, "serve.E006");
  EXPECT_FALSE(inv["errors"].empty());
  error("/api/state", {{"scenario", kR2}, {"schedule", "a!"}}, "serve.E007");
  error("/api/state", {{"scenario", kR2}, {"schedule", "z"}}, "serve.E008");
  error("/api/state", {{"scenario", kR2}, {"schedule", "a5000"}}, "serve.E008");
  const json bad = error("/api/choose", {{"scenario", kR2}, {"schedule", ""}, {"thread", "z"}}, "serve.E009");
  EXPECT_GE(bad["runnable"].size(), 2u);
  error("/api/choose", {{"scenario", kR2}, {"schedule", ""}, {"thread", "ab"}}, "serve.E009");
  error("/api/choose", {{"scenario", kR2}, {"schedule", ""}}, "serve.E003");
  const json end = get("/api/finish", {{"scenario", kR2}});
  error("/api/choose", {{"scenario", kR2}, {"schedule", end["schedule"].get<std::string>()}, {"thread", "a"}},
        "serve.E009");
  error("/api/undo", {{"scenario", kR2}, {"schedule", ""}}, "serve.E010");
  error("/api/nope", {}, "serve.E001");
  error("/etc/passwd", {}, "serve.E001");

  ServeRequest post;
  post.method = "POST";
  post.path = "/api/state";
  const ServeResponse r = ServeApi(folder).handle(post);
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(json::parse(r.body)["error"]["id"], "serve.E002");
}

TEST_F(ServeApiTest, PathsThatLeaveTheFolderAreRefused) {
  for (const std::string& p :
       std::vector<std::string>{"../secret.json", "races/../../secret.json", "./../secret.json", "..",
                                (dir_ / "secret.json").string(), "/etc/passwd", "races\\..\\..\\secret.json"}) {
    const json e = error("/api/state", {{"scenario", p}}, "serve.E004");
    EXPECT_EQ(e["message"].get<std::string>().find("outside"), std::string::npos) << "no content of the file";
  }
  // A symbolic link out of the folder is neither listed nor served.
  fs::create_symlink(dir_ / "secret.json", dir_ / "scn" / "link.json");
  error("/api/state", {{"scenario", "link.json"}}, "serve.E004");
  const json listing = get("/api/scenarios");  // the range-for below must not outlive a temporary
  for (const json& s : listing["scenarios"]) EXPECT_NE(s["path"], "link.json");
  // A FIFO would block the loader: not a scenario file.
  ASSERT_EQ(::mkfifo((dir_ / "scn" / "fifo.json").c_str(), 0600), 0);
  error("/api/state", {{"scenario", "fifo.json"}}, "serve.E005");
  // Inside the folder, `..` that stays inside is still refused: one spelling per file.
  error("/api/state", {{"scenario", "races/../" + kR2}}, "serve.E004");
}

TEST_F(ServeApiTest, ThePageIsSelfContained) {
  ServeRequest r;
  r.path = "/";
  const ServeResponse page = ServeApi(folder).handle(r);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script>"), std::string::npos);
  for (const char* net : {"src=\"http", "href=\"http", "url(http", "@import", "<script src"})
    EXPECT_EQ(page.body.find(net), std::string::npos) << net;
}

// Every error id has its entry in docs/serve.md.
TEST(ServeDocs, EveryErrorIdIsDocumented) {
  std::ifstream f(std::string(UTSIM_SOURCE_DIR) + "/docs/serve.md");
  std::stringstream doc;
  doc << f.rdbuf();
  ASSERT_FALSE(doc.str().empty());
  for (const ServeErrorInfo& e : kServeErrors)
    EXPECT_NE(doc.str().find(std::string("`") + e.id + "`"), std::string::npos) << e.id;
}

// The command line: a DIR that is not a folder, a port another server holds.
TEST(ServeCli, RefusesWhatItCannotServe) {
  const testcli::Result nodir = testcli::cli({"serve", "/nonexistent/utsim-serve-dir"});
  EXPECT_EQ(nodir.code, 2) << testcli::show(nodir);
  EXPECT_NE(nodir.err.find("utsim serve: cli.E007: "), std::string::npos) << testcli::show(nodir);

  const ServeApi api(std::string(UTSIM_SOURCE_DIR) + "/scenarios");
  ServeServer holder(api);
  const int port = holder.bind(0);
  ASSERT_GT(port, 0);
  const testcli::Result taken =
      testcli::cli({"serve", std::string(UTSIM_SOURCE_DIR) + "/scenarios", "--port", std::to_string(port)});
  EXPECT_EQ(taken.code, 2) << testcli::show(taken);
  EXPECT_NE(taken.err.find("utsim serve: cli.E008: cannot listen on 127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << testcli::show(taken);
}

// --kernel, --bug and --no-bugs: the page's runs use that model, and the
// replay command it shows carries the flags.  Without R2 switched on, R2's
// race schedule breaks nothing.
TEST_F(ServeApiTest, TheModelFlagsApplyToEveryRunAndItsReplayCommand) {
  model.no_bugs = true;
  const json j = get("/api/finish", {{"scenario", kR2}, {"schedule", kR2Race}});
  EXPECT_TRUE(j["violations"].empty()) << j["violations"].dump(2);
  EXPECT_NE(j["replay"].get<std::string>().find("--no-bugs"), std::string::npos) << j["replay"];

  const testcli::Result bad = testcli::cli({"serve", folder, "--kernel", "2011-3y"});
  EXPECT_EQ(bad.code, 2) << testcli::show(bad);
  EXPECT_NE(bad.err.find("cli.E004"), std::string::npos) << testcli::show(bad);
}

// Over HTTP, in-process, on a port the kernel picks.
TEST_F(ServeApiTest, OverHttpOnAFreePort) {
  const ServeApi api(folder);
  ServeServer server(api);
  const int port = server.bind(0);
  ASSERT_GT(port, 0);
  std::thread t([&] { server.serve(); });
  httplib::Client c("127.0.0.1", port);
  auto page = c.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  auto st = c.Get("/api/state?scenario=races%2Fr2-detach-before-stop-bug.json&schedule=a3");
  ASSERT_TRUE(st);
  EXPECT_EQ(st->status, 200);
  EXPECT_EQ(json::parse(st->body)["schedule"], "a3");
  auto out = c.Get("/api/state?scenario=..%2Fsecret.json");
  ASSERT_TRUE(out);
  EXPECT_EQ(out->status, 403);
  EXPECT_EQ(json::parse(out->body)["error"]["id"], "serve.E004");
  auto raw = c.Get("/../secret.json");
  ASSERT_TRUE(raw);
  EXPECT_NE(raw->status, 200);
  EXPECT_EQ(raw->body.find("outside"), std::string::npos);
  auto post = c.Post("/api/state", "x", "text/plain");
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405);
  server.stop();
  t.join();
}

}  // namespace
