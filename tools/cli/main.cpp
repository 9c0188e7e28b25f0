// tools/cli/main.cpp: utsim, the command line (cli.h does the work).
#include <unistd.h>

#include <iostream>

#include "tools/cli/cli.h"
#include "tools/export/fd_buf.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  // stdout and stderr through FdOutBuf, which keeps the errno of a failed
  // write: run_cli flushes and checks both when the command returns, and
  // says "No space left on device" rather than nothing (exit 2).
  tools::FdOutBuf out(STDOUT_FILENO), err(STDERR_FILENO);
  std::streambuf* const cout_buf = std::cout.rdbuf(&out);
  std::streambuf* const cerr_buf = std::cerr.rdbuf(&err);
  std::vector<std::string> args(argv + 1, argv + argc);
  const int code = tools::run_cli(std::move(args), std::cout, std::cerr);
  std::cout.rdbuf(cout_buf);  // the standard streams outlive `out` and `err`
  std::cerr.rdbuf(cerr_buf);
  return code;
}
