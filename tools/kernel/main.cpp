// tools/kernel/main.cpp: utsim-kernel: replay scenarios on this machine's real
// kernel and compare with the simulator (tools/kernel/replay.h).
//
//   utsim-kernel --compare PATH...   files or folders (*.json); exit 1 on any disagreement
//   utsim-kernel fuzz [--seed S ...]  random scenarios, both sides, each difference classified
//                                    (tools/kernel/fuzz.cpp); exit 1 on an unexplained one
//   utsim-kernel --probe             can this process use ptrace? (exit 0 yes, 3 no)
//   options: --schedules N (simulator schedules per scenario, default 300),
//            --verbose (every op), --timeout-ms N (hard limit per scenario)
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "tools/kernel/args.h"
#include "tools/kernel/replay.h"

namespace {

const char* verdict_name(ukern::Verdict v) {
  switch (v) {
    case ukern::Verdict::Agree: return "agree";
    case ukern::Verdict::EraDifference: return "agree (declared era difference)";
    case ukern::Verdict::Disagree: return "DISAGREE";
    case ukern::Verdict::NotApplicable: return "not applicable";
    case ukern::Verdict::Unsupported: return "unsupported";
    case ukern::Verdict::Error: return "ERROR";
  }
  return "?";
}

// A titled list of findings, when there is one.
void print_list(const char* title, const std::vector<std::string>& lines) {
  if (lines.empty()) return;
  std::printf("%s\n", title);
  for (const auto& l : lines) std::printf("  %s\n", l.c_str());
}

// Files as given (absolute); folders searched for *.json, sorted.
std::vector<std::string> collect_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
      std::vector<std::string> in;
      for (const auto& e : fs::recursive_directory_iterator(p))
        if (e.is_regular_file() && e.path().extension() == ".json") in.push_back(fs::absolute(e.path()).string());
      std::sort(in.begin(), in.end());
      files.insert(files.end(), in.begin(), in.end());
    } else {
      files.push_back(fs::absolute(p).string());
    }
  }
  return files;
}

int usage() {
  std::fprintf(stderr,
               "usage: utsim-kernel --compare PATH... [--schedules N] [--verbose] [--timeout-ms N]\n"
               "       utsim-kernel fuzz [--seed S] [--count N] [--shard I/N] [--schedules N] [--json] [-o FILE]\n"
               "                         [--keep DIR] [--emit DIR] [--timeout-ms N] [--verbose]\n"
               "       utsim-kernel --probe\n");
  return 2;
}

int run(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "fuzz") == 0) return ukern::fuzz_main(argc - 1, argv + 1);
  std::vector<std::string> paths;
  bool compare = false, verbose = false, probe = false;
  std::uint64_t schedules = 300;
  ukern::RunOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--compare")
      compare = true;
    else if (a == "--probe")
      probe = true;
    else if (a == "--verbose" || a == "-v")
      verbose = true;
    else if (a == "--schedules" && i + 1 < argc) {
      const auto v = ukern::number(argv[++i], 1, 100'000'000);
      if (!v) return ukern::bad_number("--schedules", argv[i], "[1, 100000000]");
      schedules = *v;
    } else if (a == "--timeout-ms" && i + 1 < argc) {
      const auto v = ukern::number(argv[++i], 1, 3'600'000);
      if (!v) return ukern::bad_number("--timeout-ms", argv[i], "[1, 3600000]");
      o.hard_timeout_ms = static_cast<unsigned>(*v);
    } else if (a == "-h" || a == "--help")
      return usage(), 0;
    else if (!a.empty() && a[0] == '-')
      return usage();
    else
      paths.push_back(a);
  }
  if (probe) {
    const std::string why = ukern::ptrace_probe();
    if (why.empty()) {
      std::printf("ptrace works here\n");
      return 0;
    }
    std::printf("ptrace not permitted here: %s\n", why.c_str());
    return 3;
  }
  if (!compare || paths.empty()) return usage();

  o.self_exe = ukern::self_exe_path();
  if (o.self_exe.empty()) {
    std::perror("readlink /proc/self/exe");
    return 70;
  }

  const std::vector<std::string> files = collect_files(paths);
  const std::string cwd = std::filesystem::current_path().string() + "/";
  auto shown = [&](const std::string& f) { return f.rfind(cwd, 0) == 0 ? f.substr(cwd.size()) : f; };
  int counts[6] = {};
  std::vector<std::string> eras, nas, unsup, bad;
  for (const std::string& f : files) {
    const ukern::ScenarioReport r = ukern::compare_scenario(f, o, schedules, verbose);
    ++counts[static_cast<int>(r.verdict)];
    std::printf("%-32s %s", verdict_name(r.verdict), shown(f).c_str());
    if (!r.reason.empty()) std::printf(": %s", r.reason.c_str());
    std::printf("\n");
    for (const auto& l : r.lines) std::printf("    %s\n", l.c_str());
    std::fflush(stdout);
    switch (r.verdict) {
      case ukern::Verdict::EraDifference:
        for (const auto& l : r.lines)
          if (l.rfind("era difference (declared): ", 0) == 0)
            eras.push_back(shown(f) + ": " + l.substr(std::strlen("era difference (declared): ")));
        break;
      case ukern::Verdict::NotApplicable: nas.push_back(shown(f) + ": " + r.reason); break;
      case ukern::Verdict::Unsupported: unsup.push_back(shown(f) + ": " + r.reason); break;
      case ukern::Verdict::Disagree:
      case ukern::Verdict::Error: bad.push_back(shown(f)); break;
      default: break;
    }
  }
  std::printf(
      "\n%zu scenarios: %d agree, %d agree with declared era differences, %d disagree, %d errors, "
      "%d not applicable, %d unsupported\n",
      files.size(), counts[0], counts[1], counts[2], counts[5], counts[3], counts[4]);
  print_list("declared era differences (2.6.32 vs this kernel):", eras);
  print_list("not applicable on a real kernel:", nas);
  print_list("unsupported by utsim-kernel:", unsup);
  print_list("disagreements or errors:", bad);
  return bad.empty() ? 0 : 1;
}

}  // namespace

std::string ukern::self_exe_path() {
  char exe[4096];
  const ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return "";
  exe[n] = 0;
  return exe;
}

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--exec-child") == 0) ukern::exec_child_main(argc, argv);
  const int rc = run(argc, argv);
  // Output that did not arrive is a failure whatever was found (docs/hardening.md):
  // exit 2, as utsim does.
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "utsim-kernel: cannot write the output: %s\n", std::strerror(errno));
    return 2;
  }
  return rc;
}
