// tools/kernel/fuzz.cpp: utsim-kernel fuzz, the differential fuzzer: random
// scenarios (fuzzgen.h) run on the model (every outcome its schedules reach,
// simset.cpp) and on this machine's kernel (launch.cpp), compared both ways
// (compare.cpp), each difference classified (classify.h), the unexplained
// ones shrunk (fuzzgen.h) and kept.
//
//   utsim-kernel fuzz [--seed S] [--count N] [--shard I/N] [--schedules N]
//                     [--json] [-o FILE] [--keep DIR] [--emit DIR] [--timeout-ms N] [--verbose]
//
// Exit 0: no unexplained disagreement; 1: some; 2: usage; 3: ptrace is not
// permitted here.
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scenario/load/loader.h"
#include "tools/kernel/args.h"
#include "tools/kernel/classify.h"
#include "tools/kernel/fuzzgen.h"
#include "tools/kernel/replay.h"

namespace ukern {

namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

struct FuzzOptions {
  std::uint64_t seed = 1, count = 600;
  fuzz::Shard shard;
  std::uint64_t schedules = 300;
  std::uint64_t recheck = 3000;  // schedules of the second look at a disagreement
  unsigned shrink_tries = 150;
  bool json = false, verbose = false;
  std::string out, keep, emit;
  RunOptions run;
};

int fuzz_usage() {
  std::fprintf(stderr,
               "usage: utsim-kernel fuzz [--seed S] [--count N] [--shard I/N] [--schedules N] [--json] [-o FILE]\n"
               "                         [--keep DIR] [--emit DIR] [--timeout-ms N] [--verbose]\n"
               "  --seed S       scenarios of seed S (default 1); the same seed gives the same scenarios\n"
               "  --count N      scenarios 0..N-1 of the seed (default 600)\n"
               "  --shard I/N    only those whose number is I modulo N (0 <= I < N)\n"
               "  --schedules N  simulator schedules per scenario (default 300; 10 times more on a difference)\n"
               "  --json         the report as JSON on stdout; -o FILE writes it to FILE\n"
               "  --timeout-ms N hard limit of one run on the kernel (default 20000)\n"
               "  --keep DIR     each scenario with a difference, shrunk, as DIR/<name>.json\n"
               "  --emit DIR     only write the scenarios to DIR/<name>.json (no run, no ptrace needed)\n");
  return 2;
}

// One scenario judged: the report of its run and the classification.
struct Judged {
  std::string verdict;  // agree, era, timing, replayer, model, unsupported, error
  std::string reason;
  ScenarioReport rep;
  Classification cls;
};

Judged judge(const std::string& text, const std::string& path, const FuzzOptions& o) {
  Judged j;
  {
    std::ofstream f(path, std::ios::trunc);
    f << text;
  }
  const model::LoadResult lr = model::load_scenario_text(text, path);
  if (!lr.ok()) {
    j.verdict = "error";
    j.reason = lr.errors.empty() ? "does not load" : lr.errors.front().to_string();
    return j;
  }
  const model::Scenario& s = *lr.scenario;
  if (std::string why = not_applicable(s) + unsupported(s); !why.empty()) {
    j.verdict = "unsupported";
    j.reason = why;
    return j;
  }
  const OpIndex idx(s);
  SimSet sim = explore_sim(s, idx, o.schedules);
  if (!sim.error.empty()) {
    j.verdict = "error";
    j.reason = "simulator: " + sim.error;
    return j;
  }
  RunOptions ro = o.run;
  ro.scenario_path = path;
  const RealRun rr = run_on_kernel(s, idx, ro);
  if (!rr.ran) {
    j.verdict = "error";
    j.reason = "real kernel: " + rr.problem;
    return j;
  }
  j.rep = compare_run(path, s, idx, sim, rr, false);
  if (!j.rep.findings.empty() && o.recheck > o.schedules) {
    // A result the first schedules did not reach may be one more schedules
    // reach: the same real run, held against a larger set.
    sim = explore_sim(s, idx, o.recheck);
    if (sim.error.empty()) j.rep = compare_run(path, s, idx, sim, rr, false);
  }
  j.cls = classify(s, idx, j.rep);
  j.verdict = class_name(j.cls.cls);
  return j;
}

bool unexplained(const std::string& verdict) {
  return verdict == "model" || verdict == "replayer" || verdict == "error";
}

Json report_of(std::uint64_t index, const std::string& name, const Judged& j, const std::string& kept) {
  Json r{{"index", index}, {"name", name}, {"verdict", j.verdict}};
  if (!j.reason.empty()) r["reason"] = j.reason;
  if (!j.cls.key.empty()) r["class"] = j.cls.key;
  Json fs = Json::array();
  for (const Classified& c : j.cls.findings)
    fs.push_back(
        Json{{"class", class_name(c.cls)}, {"rule", c.rule}, {"consequence", c.consequence}, {"text", c.text}});
  if (!fs.empty()) r["findings"] = fs;
  if (!kept.empty()) r["kept"] = kept;
  return r;
}

int parse(int argc, char** argv, FuzzOptions& o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has = i + 1 < argc;
    if (a == "--seed" && has) {
      const auto v = number(argv[++i], 0, ~0ULL);
      if (!v) return bad_number("--seed", argv[i], "[0, 18446744073709551615]");
      o.seed = *v;
    } else if (a == "--count" && has) {
      const auto v = number(argv[++i], 1, 10'000'000);
      if (!v) return bad_number("--count", argv[i], "[1, 10000000]");
      o.count = *v;
    } else if (a == "--schedules" && has) {
      const auto v = number(argv[++i], 1, 100'000'000);
      if (!v) return bad_number("--schedules", argv[i], "[1, 100000000]");
      o.schedules = *v;
      o.recheck = 10 * *v;
    } else if (a == "--shard" && has) {
      if (!fuzz::parse_shard(argv[++i], &o.shard)) {
        std::fprintf(stderr, "utsim-kernel: --shard: '%s' is not I/N with 0 <= I < N\n", argv[i]);
        return 2;
      }
    } else if (a == "--timeout-ms" && has) {
      const auto v = number(argv[++i], 1, 3'600'000);
      if (!v) return bad_number("--timeout-ms", argv[i], "[1, 3600000]");
      o.run.hard_timeout_ms = static_cast<unsigned>(*v);
    } else if (a == "--json") {
      o.json = true;
    } else if (a == "-o" && has) {
      o.out = argv[++i];
    } else if (a == "--keep" && has) {
      o.keep = argv[++i];
    } else if (a == "--emit" && has) {
      o.emit = argv[++i];
    } else if (a == "--verbose" || a == "-v") {
      o.verbose = true;
    } else if (a == "-h" || a == "--help") {
      fuzz_usage();
      return 0;
    } else {
      return fuzz_usage();
    }
  }
  return -1;
}

}  // namespace

int fuzz_main(int argc, char** argv) {
  FuzzOptions o;
  if (const int rc = parse(argc, argv, o); rc >= 0) return rc;
  if (!o.emit.empty()) {
    fs::create_directories(o.emit);
    for (std::uint64_t i = 0; i < o.count; ++i)
      if (o.shard.owns(i))
        std::ofstream(fs::path(o.emit) / fmt::format("fuzz-{}-{}.json", o.seed, i), std::ios::trunc)
            << fuzz::generate(o.seed, i);
    return 0;
  }
  if (const std::string why = ptrace_probe(); !why.empty()) {
    std::fprintf(stderr, "utsim-kernel fuzz: ptrace not permitted here: %s\n", why.c_str());
    return 3;
  }
  o.run.self_exe = self_exe_path();
  char dir_template[] = "/tmp/utsim-kernel-fuzz.XXXXXX";
  const char* dir = ::mkdtemp(dir_template);
  if (!dir || o.run.self_exe.empty()) {
    std::perror("utsim-kernel fuzz: mkdtemp");
    return 70;
  }
  if (!o.keep.empty()) fs::create_directories(o.keep);
  const bool progress = ::isatty(2);
  const auto start = std::chrono::steady_clock::now();
  std::map<std::string, int> counts;
  Json scenarios = Json::array();
  std::uint64_t done = 0, owned = 0;
  for (std::uint64_t i = 0; i < o.count; ++i) owned += o.shard.owns(i);
  int bad = 0;
  for (std::uint64_t i = 0; i < o.count; ++i) {
    if (!o.shard.owns(i)) continue;
    const std::string text = fuzz::generate(o.seed, i);
    const std::string name = fmt::format("fuzz-{}-{}", o.seed, i);
    const std::string path = std::string(dir) + "/" + name + ".json";
    const Judged j = judge(text, path, o);
    ++counts[j.verdict];
    ++done;
    std::string kept;
    if (j.verdict != "agree" && !o.keep.empty()) {
      // Shrink to the same class of difference, and keep it.
      const std::string key = j.cls.key.empty() ? j.verdict : j.cls.key;
      // An era difference needs no second look at a candidate (a result more
      // schedules would reach makes a candidate "model", which is refused
      // anyway); an unexplained one keeps it, so that it stays unexplained.
      FuzzOptions so = o;
      if (!unexplained(j.verdict)) so.recheck = so.schedules;
      const fuzz::ShrinkResult sr = fuzz::shrink(
          text,
          [&](const std::string& cand) {
            const Judged c = judge(cand, std::string(dir) + "/shrink.json", so);
            return (c.cls.key.empty() ? c.verdict : c.cls.key) == key;
          },
          o.shrink_tries);
      kept = (fs::path(o.keep) / (name + ".json")).string();
      std::ofstream(kept, std::ios::trunc) << sr.text;
    }
    if (unexplained(j.verdict)) ++bad;
    if (!o.json && (j.verdict != "agree" || o.verbose)) {
      std::printf("%-9s %s%s%s\n", j.verdict.c_str(), name.c_str(), j.cls.key.empty() ? "" : ": ", j.cls.key.c_str());
      if (!j.reason.empty()) std::printf("    %s\n", j.reason.c_str());
      for (const Classified& c : j.cls.findings)
        std::printf("    %s%s [%s] %s\n", class_name(c.cls), c.consequence ? " (consequence)" : "", c.rule.c_str(),
                    c.text.c_str());
      if (!kept.empty()) std::printf("    kept: %s\n", kept.c_str());
      std::fflush(stdout);
    }
    if (o.json || !o.out.empty()) scenarios.push_back(report_of(i, name, j, kept));
    if (progress) {
      std::string c;
      for (const auto& [v, n] : counts) c += fmt::format(" {} {}", v, n);
      std::fprintf(stderr, "\r[%llu/%llu]%s ", static_cast<unsigned long long>(done),
                   static_cast<unsigned long long>(owned), c.c_str());
    }
    std::error_code ec;
    fs::remove(path, ec);
  }
  if (progress) std::fprintf(stderr, "\n");
  std::error_code ec;
  fs::remove_all(dir, ec);
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::string summary = fmt::format("seed {}, {} scenarios (shard {}/{}), {} schedules each:", o.seed, done,
                                    o.shard.index, o.shard.count, o.schedules);
  for (const char* v : {"agree", "era", "timing", "replayer", "model", "unsupported", "error"})
    summary += fmt::format(" {} {},", v, counts.count(v) ? counts.at(v) : 0);
  summary += fmt::format(" {} unexplained; {:.1f} s", bad, secs);
  if (o.json || !o.out.empty()) {
    Json r{{"seed", o.seed},
           {"count", o.count},
           {"shard", fmt::format("{}/{}", o.shard.index, o.shard.count)},
           {"schedules", o.schedules},
           {"scenarios_run", done},
           {"verdicts", counts},
           {"unexplained", bad},
           {"seconds", secs},
           {"scenarios", scenarios}};
    if (!o.out.empty()) {
      std::ofstream f(o.out, std::ios::trunc);
      f << r.dump(1) << "\n";
      if (!f) {
        std::fprintf(stderr, "utsim-kernel fuzz: cannot write %s\n", o.out.c_str());
        return 2;
      }
    }
    if (o.json) std::printf("%s\n", r.dump(1).c_str());
  }
  if (!o.json) std::printf("%s\n", summary.c_str());
  return bad ? 1 : 0;
}

}  // namespace ukern
