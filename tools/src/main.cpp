// utsim: the command line.  Placeholder until the CLI lands.
#include <cstdio>
int main() {
  std::puts("utsim " UTSIM_VERSION);
  return 0;
}
