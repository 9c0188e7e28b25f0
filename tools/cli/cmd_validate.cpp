// tools/cli/cmd_validate.cpp: utsim validate PATH...: every error of every
// scenario file, one line each; folders are searched for *.json as by
// utsim check (scenario_files, shared by the two).
#include <algorithm>
#include <filesystem>
#include <set>

#include "scenario/load/loader.h"
#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/input.h"
#include "tools/export/format.h"

namespace tools {

namespace fs = std::filesystem;

std::optional<std::vector<std::string>> scenario_files(const char* command, const std::vector<std::string>& paths,
                                                       Io io) {
  std::vector<std::string> files;
  std::set<std::string> seen;
  bool ok = true;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      if (seen.insert(p).second) files.push_back(p);  // a missing file is the loader's error
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec) && it->path().extension() == ".json") found.push_back(it->path().generic_string());
    if (ec) {
      io.err << "utsim " << command << ": cli.E007: " << printable(p) << ": " << ec.message() << '\n';
      ok = false;
    } else if (found.empty()) {
      io.err << "utsim " << command << ": cli.E007: no scenario file (*.json) under " << printable(p) << ": nothing to "
             << command << '\n';
      ok = false;
    }
    std::sort(found.begin(), found.end());
    for (std::string& f : found)
      if (seen.insert(f).second) files.push_back(std::move(f));
  }
  if (!ok) return std::nullopt;
  return files;
}

int cmd_validate(const std::vector<std::string>& paths, Io io) {
  const auto files = scenario_files("validate", paths, io);
  if (!files) return kExitUsage;
  bool any_error = false;
  for (const std::string& f : *files) {
    const model::LoadResult r = load_scenario_interruptible(f, nullptr).loaded;
    if (r.errors.empty()) {
      io.out << printable(f) << ": ok\n";  // a file name may hold control characters
      continue;
    }
    any_error = true;
    for (const model::ScenarioError& e : r.errors) io.out << e.to_string() << '\n';
  }
  return any_error ? kExitInvalid : kExitOk;
}

}  // namespace tools
