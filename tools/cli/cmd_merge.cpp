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
    const std::string name = printable(f);
    std::ifstream in(f, std::ios::binary);
    std::ostringstream bytes;
    if (!in || !(bytes << in.rdbuf())) {
      io.err << fmt::format("utsim merge: {}: cannot read it\n", name);
      return kExitUsage;
    }
    const std::string text = std::move(bytes).str();
    // nlohmann stops at a NUL byte as at the end of the input: what follows
    // one would never be read.
    if (const std::size_t nul = text.find('\0'); nul != std::string::npos) {
      io.err << fmt::format("utsim merge: {}: not JSON: a NUL byte at byte {}\n", name, nul);
      return kExitUsage;
    }
    try {
      parts.push_back(report_from_json(nlohmann::json::parse(text)));
    } catch (const nlohmann::json::parse_error& e) {
      io.err << fmt::format("utsim merge: {}: not JSON: {}\n", name, e.what());
      return kExitUsage;
    } catch (const std::runtime_error& e) {
      io.err << fmt::format("utsim merge: {}: not a report of utsim explore --json: {}\n", name, printable(e.what()));
      return kExitUsage;
    }
  }
  ExploreReport m;
  try {
    m = merge_reports(std::move(parts), a.files);
  } catch (const std::invalid_argument& e) {
    io.err << "utsim merge: refused: " << printable(e.what()) << '\n';
    return kExitUsage;
  }
  const int code = m.exit_code();
  if (!write_output(a.output, a.output_through, io, [&](std::ostream& o) { write_report(o, m, code, a.json); }))
    return kExitOutput;
  return code;
}

}  // namespace tools
