// tests/support/picture_cases.h: the one costly fixture of the picture tests
// (tests/unit/tools/export/pictures*_test.cpp): every race scenario of the
// catalogue, its default run and, when 300 schedules find a violation, its
// counterexample shrunk as `utsim report --explore 300` shrinks it.  Computed
// once per process, for all the picture tests (they run as one CTest entry,
// unit:pictures).
//
// UTSIM_PICTURES_ONLY=r2-,r7- keeps only the race files whose name starts
// with one of the listed prefixes.  The sanitizer preset sets it (ASan and
// UBSan make the catalogue's exploration and shrinking ten times slower; the
// default build checks every file), and the test says which files it kept.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "scenario/load/loader.h"
#include "tools/teach/report.h"

namespace model::test {

struct PictureCase {
  std::string name;  // "r7-reap-vs-death-bug (counterexample ...)"
  std::unique_ptr<model::Scenario> scn;
  std::unique_ptr<tools::TracedRun> run;
};

// The race files, sorted, filtered by UTSIM_PICTURES_ONLY.
inline std::vector<std::string> picture_race_files() {
  std::vector<std::string> prefixes;
  if (const char* only = std::getenv("UTSIM_PICTURES_ONLY")) {
    std::stringstream in(only);
    for (std::string p; std::getline(in, p, ',');)
      if (!p.empty()) prefixes.push_back(p);
  }
  std::vector<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(std::string(UTSIM_SOURCE_DIR) + "/scenarios/races")) {
    const std::string stem = f.path().stem().string();
    const bool kept = prefixes.empty() || std::any_of(prefixes.begin(), prefixes.end(),
                                                      [&](const std::string& p) { return stem.rfind(p, 0) == 0; });
    if (f.path().extension() == ".json" && kept) files.push_back(f.path().string());
  }
  std::sort(files.begin(), files.end());
  if (!prefixes.empty()) std::cerr << "picture tests: UTSIM_PICTURES_ONLY keeps " << files.size() << " race files\n";
  return files;
}

inline const std::vector<PictureCase>& picture_cases() {
  // Never destroyed: a run refers to its scenario, owned by another case.
  static const std::vector<PictureCase>* const all = new std::vector<PictureCase>([] {
    const model::CounterexampleShrink shrink{model::CounterexampleShrink::When::Always, 20'000, 0};
    std::vector<PictureCase> out;
    for (const std::string& file : picture_race_files()) {
      model::LoadResult r = model::load_scenario_file(file);
      if (!r.ok()) {
        ADD_FAILURE() << file << " does not load";
        continue;
      }
      auto scn = std::make_unique<model::Scenario>(std::move(*r.scenario));
      const std::string base = std::filesystem::path(file).stem().string();
      out.push_back(
          {base + " (default schedule)", nullptr, tools::traced_run(*scn, std::nullopt, std::nullopt, 20000)});
      tools::ReportExploration x = tools::explore_for_report(*scn, 300, 20000, shrink);
      if (x.counterexample)
        out.push_back({base + " (counterexample " + x.cx_schedule + ")", nullptr, std::move(x.counterexample)});
      out.back().scn = std::move(scn);  // owns it; the runs before it in `out` refer to it too
    }
    return out;
  }());
  return *all;
}

}  // namespace model::test
