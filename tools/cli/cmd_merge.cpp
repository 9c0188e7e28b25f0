// tools/cli/cmd_merge.cpp: utsim merge FILE.json...: joins the `explore
// --json` reports of the shards of one exploration into one report of the
// same format (tools/export/explore_json.h).
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/export/explore_json.h"
#include "tools/export/format.h"

namespace tools {

int cmd_merge(const MergeArgs& a, Io io) {
  std::vector<ExploreReport> parts;
  for (const std::string& f : a.files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      io.err << fmt::format("utsim merge: {}: cannot read it\n", f);
      return kExitUsage;
    }
    try {
      parts.push_back(report_from_json(nlohmann::json::parse(in)));
    } catch (const nlohmann::json::parse_error& e) {
      io.err << fmt::format("utsim merge: {}: not JSON: {}\n", f, e.what());
      return kExitUsage;
    } catch (const std::runtime_error& e) {
      io.err << fmt::format("utsim merge: {}: not a report of utsim explore --json: {}\n", f, e.what());
      return kExitUsage;
    }
  }
  ExploreReport m;
  try {
    m = merge_reports(std::move(parts), a.files);
  } catch (const std::invalid_argument& e) {
    io.err << "utsim merge: refused: " << e.what() << '\n';
    return kExitUsage;
  }
  const int code = m.exit_code();
  if (!write_output(a.output, a.output_through, io, [&](std::ostream& o) { write_report(o, m, code, a.json); }))
    return kExitOutput;
  return code;
}

}  // namespace tools
