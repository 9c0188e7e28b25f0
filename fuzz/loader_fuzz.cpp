// fuzz/loader_fuzz.cpp: bytes -> model::load_scenario_text.
//
// The loader's contract (scenario/load/loader.h, docs/errors.md): any input
// gives either a scenario and no error, or no scenario and at least one
// error, each with a stable id "scenario.ENNN", a JSON pointer ("" or
// starting with '/'), a message, and a one-line text.  scenario.E099 means
// an exception escaped the loader's own code: a bug, so a finding here.
// Crashes, leaks, hangs and sanitizer reports are findings by themselves.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "scenario/load/loader.h"

namespace {

[[noreturn]] void finding(const char* what, const model::ScenarioError* e = nullptr) {
  std::fprintf(stderr, "fuzz_loader: %s\n", what);
  if (e) std::fprintf(stderr, "  %s\n", e->to_string().c_str());
  std::abort();
}

bool well_formed_id(std::string_view id) {
  if (id.size() != 13 || id.substr(0, 10) != "scenario.E") return false;
  for (char c : id.substr(10))
    if (c < '0' || c > '9') return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const model::LoadResult r = model::load_scenario_text(text, "fuzz.json");
  if (r.ok() != r.errors.empty()) finding("a scenario came back with errors, or neither came back");
  for (const model::ScenarioError& e : r.errors) {
    if (!well_formed_id(e.id)) finding("malformed error id", &e);
    if (e.id == "scenario.E099") finding("internal error of the loader (scenario.E099)", &e);
    if (!e.pointer.empty() && e.pointer.front() != '/') finding("not a JSON pointer", &e);
    if (e.message.empty()) finding("an error without a message", &e);
    if (e.file != "fuzz.json") finding("an error that does not name its file", &e);
    // The bad-input policy: one line per error, whatever the file contains.
    if (e.to_string().find_first_of("\n\r") != std::string::npos) finding("an error's text is not one line", &e);
  }
  return 0;
}
