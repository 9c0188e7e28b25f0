// tools/teach/serve_api.cpp: the routes of `utsim serve` (serve_api.h,
// docs/serve.md): the page, the scenario list, and the state after a
// schedule prefix (state, choose, undo, finish), every error a JSON object
// with a stable id.
#include "tools/teach/serve_api.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "scenario/load/loader.h"
#include "sim/engine.h"
#include "sim/schedule.h"
#include "tools/export/format.h"
#include "tools/export/scenario_text.h"
#include "tools/teach/serve_page.h"
#include "tools/teach/serve_state.h"

namespace tools {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The longest schedule string a request may carry (a student clicks; a
// hostile "a999999999" must not run for minutes).
constexpr std::size_t kMaxScheduleChoices = 100'000;

// Invalid UTF-8 in a scenario's strings cannot reach here (the loader
// refuses it), but a file name can hold anything: replaced, never thrown.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n"; }

// An error of the API: thrown by the handlers, answered by handle().
struct ApiError {
  std::string id;
  std::string message;
  json extra = json::object();
};

const ServeErrorInfo& error_info(const std::string& id) {
  for (const ServeErrorInfo& e : kServeErrors)
    if (id == e.id) return e;
  return kServeErrors[std::size(kServeErrors) - 1];
}

ServeResponse error_response(const ApiError& e) {
  const ServeErrorInfo& info = error_info(e.id);
  json body = {{"error", {{"id", e.id}, {"status", info.status}, {"title", info.what}, {"message", e.message}}}};
  for (const auto& [k, v] : e.extra.items()) body["error"][k] = v;
  return {info.status, "application/json", dump(body)};
}

const std::string& param(const ServeRequest& req, const char* name) {
  const auto it = req.params.find(name);
  if (it == req.params.end() || it->second.empty())
    throw ApiError{"serve.E003", fmt::format("the parameter '{}' is missing (docs/serve.md lists each call's)", name)};
  return it->second;
}

std::string optional_param(const ServeRequest& req, const char* name) {
  const auto it = req.params.find(name);
  return it == req.params.end() ? std::string() : it->second;
}

// Whether `p` (canonical) is `root` (canonical) or under it.
bool is_under(const fs::path& p, const fs::path& root) {
  const fs::path rel = p.lexically_relative(root);
  return !rel.empty() && *rel.begin() != ".." && !rel.is_absolute();
}

// A scenario named by its path under the folder, loaded.
struct Loaded {
  model::LoadResult result;
  ServeScenario s;
};

class Routes {
 public:
  Routes(const std::string& dir, const std::function<void(model::Scenario&)>& adjust) : dir_(dir), adjust_(adjust) {
    std::error_code ec;
    root_ = fs::canonical(dir_, ec);
    if (ec) throw ApiError{"serve.E005", fmt::format("the scenario folder {} cannot be read: {}", dir_, ec.message())};
  }

  json list() const {
    std::vector<std::string> found;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root_, ec), end; !ec && it != end; it.increment(ec)) {
      std::error_code fe;
      if (it->path().extension() != ".json" || !it->is_regular_file(fe)) continue;
      const fs::path real = fs::canonical(it->path(), fe);
      if (fe || !is_under(real, root_)) continue;  // a link out of the folder is not listed
      found.push_back(it->path().lexically_relative(root_).generic_string());
    }
    std::sort(found.begin(), found.end());
    json list = json::array();
    for (const std::string& rel : found) {
      json entry = {{"path", rel}, {"folder", fs::path(rel).parent_path().generic_string()}};
      model::LoadResult r = model::load_scenario_file((root_ / rel).string());
      if (r.ok()) {
        model::Scenario& s = *r.scenario;
        if (adjust_) adjust_(s);
        entry["name"] = s.name;
        entry["summary"] = s.summary;
        entry["kernel"] = kernel_text(s);
      } else {
        entry["name"] = fs::path(rel).stem().string();
        entry["error"] = r.errors.empty() ? std::string("invalid") : r.errors.front().to_string();
      }
      list.push_back(std::move(entry));
    }
    return {{"api", "utsim-serve/1"}, {"dir", dir_}, {"scenarios", list}};
  }

  // The scenario `rel` names, only under the folder, into `l`.
  void load(const std::string& rel, Loaded& l) const {
    if (rel.size() > 4096 || rel.find('\0') != std::string::npos || rel.find('\\') != std::string::npos)
      throw ApiError{"serve.E004", "the scenario path must be a plain relative path under the scenario folder"};
    const fs::path p(rel);
    if (p.is_absolute() || p.has_root_name() || p.has_root_directory())
      throw ApiError{"serve.E004", fmt::format("'{}' is an absolute path: scenarios are named relative to {}",
                                               printable(rel), printable(dir_))};
    for (const fs::path& part : p)
      if (part == "..")
        throw ApiError{"serve.E004",
                       fmt::format("'{}' leaves the scenario folder {} (..)", printable(rel), printable(dir_))};
    std::error_code ec;
    const fs::path real = fs::canonical(root_ / p, ec);
    if (ec) throw ApiError{"serve.E005", fmt::format("no scenario '{}' under {}", printable(rel), printable(dir_))};
    if (!is_under(real, root_))
      throw ApiError{"serve.E004", fmt::format("'{}' leads out of the scenario folder {} (a symbolic link)",
                                               printable(rel), printable(dir_))};
    // Only regular files: a FIFO would block the loader, a folder is no scenario.
    if (!fs::is_regular_file(real, ec) || p.extension() != ".json")
      throw ApiError{"serve.E005",
                     fmt::format("'{}' under {} is not a scenario file (*.json)", printable(rel), printable(dir_))};
    l.result = model::load_scenario_file(real.string());
    if (!l.result.ok()) {
      json errors = json::array();
      for (const model::ScenarioError& e : l.result.errors)
        errors.push_back({{"id", e.id}, {"pointer", e.pointer}, {"message", e.message}});
      throw ApiError{"serve.E006",
                     fmt::format("{} is not a valid scenario ({} errors; utsim validate lists them)", printable(rel),
                                 l.result.errors.size()),
                     {{"errors", errors}}};
    }
    if (adjust_) adjust_(*l.result.scenario);
    l.s.path = p.lexically_normal().generic_string();
    l.s.file = (fs::path(dir_) / p.lexically_normal()).generic_string();
    l.s.scn = &*l.result.scenario;
  }

  static std::vector<sim::Tid> choices_of(const std::string& schedule) {
    sim::ScheduleError err;
    auto c = sim::decode_schedule(schedule, &err, kMaxScheduleChoices);
    if (!c)
      throw ApiError{"serve.E007", fmt::format("'{}' is not a schedule string: {} (at byte {})", printable(schedule),
                                               err.message, err.offset)};
    return *c;
  }

  static json state(const Loaded& l, const std::vector<sim::Tid>& choices, RunTo to) {
    std::string misfit;
    json j = run_state(l.s, choices, to, &misfit);
    if (j.is_null())
      throw ApiError{"serve.E008", fmt::format("the schedule '{}' does not fit {}: {}", sim::encode_schedule(choices),
                                               l.s.path, misfit)};
    return j;
  }

  json route(const ServeRequest& req) const {
    const std::string& path = req.path;
    if (path == "/api/scenarios") return list();
    const bool known = path == "/api/state" || path == "/api/choose" || path == "/api/undo" || path == "/api/finish";
    if (!known) throw ApiError{"serve.E001", fmt::format("no API call {} (docs/serve.md lists them)", printable(path))};
    Loaded l;
    load(param(req, "scenario"), l);
    std::vector<sim::Tid> choices = choices_of(optional_param(req, "schedule"));
    if (path == "/api/state") return state(l, choices, RunTo::kNextChoice);
    if (path == "/api/finish") return state(l, choices, RunTo::kEnd);
    if (path == "/api/undo") {
      if (choices.empty()) throw ApiError{"serve.E010", "nothing to undo: no choice was made (the schedule is empty)"};
      choices.pop_back();
      return state(l, choices, RunTo::kNextChoice);
    }
    // /api/choose: the thread must be one of those that can run at the choice point the schedule reaches.
    const std::string& letter = param(req, "thread");
    const json here = state(l, choices, RunTo::kNextChoice);
    if (here["status"] != "choice")
      throw ApiError{"serve.E009",
                     fmt::format("the run has ended after '{}': there is no choice to make (undo goes back)",
                                 sim::encode_schedule(choices)),
                     {{"runnable", json::array()}}};
    json runnable = json::array();
    for (const json& o : here["choice_point"]["options"]) runnable.push_back(o["thread"]);
    const auto t = sim::decode_schedule(letter, nullptr, 2);
    const bool fits = t && t->size() == 1 &&
                      std::find(runnable.begin(), runnable.end(), json(thread_letter(t->front()))) != runnable.end();
    if (!fits)
      throw ApiError{"serve.E009",
                     fmt::format("'{}' cannot run at choice point {}: the runnable threads are {}", printable(letter),
                                 choices.size(), runnable.dump()),
                     {{"runnable", runnable}}};
    choices.push_back(t->front());
    return state(l, choices, RunTo::kNextChoice);
  }

 private:
  const std::string& dir_;
  const std::function<void(model::Scenario&)>& adjust_;
  fs::path root_;
};

}  // namespace

ServeApi::ServeApi(std::string dir, std::function<void(model::Scenario&)> adjust)
    : dir_(std::move(dir)), adjust_(std::move(adjust)) {}

ServeResponse ServeApi::handle(const ServeRequest& req) const {
  try {
    if (req.method != "GET" && req.method != "HEAD")
      throw ApiError{"serve.E002", fmt::format("{} {}: the API takes GET only (every call is a pure function of "
                                               "its parameters)",
                                               printable(req.method), printable(req.path))};
    if (req.path == "/" || req.path == "/index.html") return {200, "text/html; charset=utf-8", serve_page_html()};
    if (req.path.rfind("/api/", 0) != 0)
      throw ApiError{"serve.E001",
                     fmt::format("no page {}: the page is / and the API is under /api/", printable(req.path))};
    return {200, "application/json", dump(Routes(dir_, adjust_).route(req))};
  } catch (const ApiError& e) {
    return error_response(e);
  } catch (const std::exception& e) {
    return error_response({"serve.E099", fmt::format("internal error: {}", e.what())});
  }
}

}  // namespace tools
