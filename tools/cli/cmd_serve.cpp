// tools/cli/cmd_serve.cpp: utsim serve [DIR]: the scheduler in the browser
// (tools/teach/serve.h, docs/serve.md).  Listens on 127.0.0.1 only, says
// its URL on stdout (one line, so a test that asked for --port 0 can read
// it) and serves until SIGINT or SIGTERM, which end it with exit 0.
#include <filesystem>
#include <iostream>

#include "tools/cli/cli.h"
#include "tools/cli/commands.h"
#include "tools/cli/interrupt.h"
#include "tools/export/format.h"
#include "tools/teach/serve.h"

namespace tools {

int cmd_serve(const ServeArgs& a, Io io) {
  std::error_code ec;
  if (!std::filesystem::is_directory(a.dir, ec)) {
    io.err << "utsim serve: cli.E007: " << printable(a.dir) << " is not a folder (utsim serve DIR serves the scenarios "
           << "under DIR; default scenarios/)\n";
    return kExitUsage;
  }
  InterruptGuard guard;
  // --kernel, --bug, --no-bugs: every scenario the page loads runs on that
  // model, and its replay command carries the flags.
  const ServeApi api(a.dir, [&a](model::Scenario& s) { override_model(a.model, s); });
  ServeServer server(api);
  const int port = server.bind(a.port);
  if (port < 0) {
    io.err << "utsim serve: cli.E008: cannot listen on 127.0.0.1:" << a.port
           << " (another program has that port? --port 0 picks a free one)\n";
    return kExitUsage;
  }
  io.out << "utsim serve: the scenarios under " << printable(a.dir) << " at http://127.0.0.1:" << port
         << "/ (Ctrl-C stops it)" << std::endl;
  if (!server.serve(guard.flag())) {
    io.err << "utsim serve: the server stopped with an error\n";
    return kExitInternal;
  }
  io.out << "utsim serve: stopped\n";
  return kExitOk;
}

}  // namespace tools
