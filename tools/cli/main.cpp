// tools/cli/main.cpp: utsim, the command line (cli.h does the work).
#include <iostream>

#include "tools/cli/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  const int code = tools::run_cli(std::move(args), std::cout, std::cerr);
  std::cout.flush();
  return code;
}
