// tools/teach/serve_api.h: the JSON API of `utsim serve` (docs/serve.md),
// apart from HTTP: a request (method, path, query parameters) in, a status
// and a body out.  The page the server serves calls it; the unit tests call
// handle() directly.
//
// Stateless and deterministic: the page holds the schedule so far, and every
// call replays the scenario from its start with it (runs are pure functions
// of scenario, model and schedule), so the same request always gets the same
// bytes.  Only files under the scenario folder are read; a path that leaves
// it (`..`, an absolute path, a symbolic link out) is refused.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "scenario/scenario.h"

namespace tools {

struct ServeRequest {
  std::string method = "GET";
  std::string path;                           // "/api/state"
  std::map<std::string, std::string> params;  // the query, decoded
};

struct ServeResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

// The error ids of the API (docs/serve.md "Errors"): stable, as the loader's.
struct ServeErrorInfo {
  const char* id;
  int status;
  const char* what;
};
inline constexpr ServeErrorInfo kServeErrors[] = {
    {"serve.E001", 404, "no such page or API call"},
    {"serve.E002", 405, "method not allowed"},
    {"serve.E003", 400, "a parameter is missing or malformed"},
    {"serve.E004", 403, "the scenario path leaves the scenario folder"},
    {"serve.E005", 404, "no such scenario"},
    {"serve.E006", 422, "the scenario file is invalid"},
    {"serve.E007", 400, "the schedule is not a schedule string"},
    {"serve.E008", 422, "the schedule does not fit the scenario"},
    {"serve.E009", 422, "the thread chosen cannot run at this choice point"},
    {"serve.E010", 409, "nothing to undo"},
    {"serve.E099", 500, "internal error"},
};

class ServeApi {
 public:
  // `dir`: the scenario folder as the user typed it (replay commands name
  // files through it); `adjust`: applied to each scenario loaded (the
  // command line's --kernel, --bug, --no-bugs).
  explicit ServeApi(std::string dir, std::function<void(model::Scenario&)> adjust = {});

  // Never throws: an internal error is a serve.E099 response.
  ServeResponse handle(const ServeRequest& req) const;

  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::function<void(model::Scenario&)> adjust_;
};

}  // namespace tools
