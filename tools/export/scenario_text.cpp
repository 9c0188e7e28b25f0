// tools/export/scenario_text.cpp: how the tools name the parts of a scenario.
#include "tools/export/scenario_text.h"

namespace tools {

namespace {

std::vector<std::string> names_of(const model::BugSet& bugs) {
  std::vector<std::string> out;
  for (int r = 1; r <= model::kMaxBugId; ++r)
    if (bugs.test(static_cast<std::size_t>(r - 1))) out.push_back(model::bug_name(r));
  return out;
}

std::string model_text(model::KernelVersion k, const model::BugSet& b) {
  std::string t = model::kernel_version_name(k);
  const auto bugs = names_of(b);
  for (std::size_t i = 0; i < bugs.size(); ++i) t += (i == 0 ? " +" : ",") + bugs[i];
  return t;
}

// The model of scenario `s` as (k, b, m): a scenario with shared variables,
// or whose kernel runs under a weak memory model (its fields' store buffers),
// names its memory model too; a litmus program, which runs nothing of the
// kernel model, only that.
std::string model_text(const model::Scenario& s, model::KernelVersion k, const model::BugSet& b, model::MemoryModel m) {
  const std::string memory = std::string("memory ") + model::memory_model_name(m);
  if (s.litmus) return memory;
  if (s.has_memory() || m != model::MemoryModel::SC) return model_text(k, b) + ", " + memory;
  return model_text(k, b);
}

}  // namespace

std::string kernel_text(const model::Scenario& s) { return model_text(s, s.kernel, s.bugs, s.memory); }

std::vector<std::string> bug_names(const model::Scenario& s) { return names_of(s.bugs); }

std::string file_kernel_text(const model::Scenario& s) {
  if (!s.file_model) return kernel_text(s);
  return model_text(s, s.file_model->kernel, s.file_model->bugs, s.file_model->memory);
}

// The fewest flags from the file's model to the simulated one: --kernel when
// the version differs; the races added as --bug, or, when one of the file's
// is gone, --no-bugs and every race simulated.
// --memory when the memory model is not the file's (whether or not the
// file's expect_memory has an expectation for it).
std::string model_flags(const model::Scenario& s) {
  std::string f;
  auto add = [&f](const std::string& word) { f += (f.empty() ? "" : " ") + word; };
  if (s.file_model) {
    if (s.kernel != s.file_model->kernel) add(std::string("--kernel ") + model::kernel_version_name(s.kernel));
    const model::BugSet& was = s.file_model->bugs;
    const bool kept = (was & s.bugs) == was;
    if (!kept) add("--no-bugs");
    for (const std::string& b : names_of(kept ? s.bugs & ~was : s.bugs)) add("--bug " + b);
  }
  if (s.memory != s.file_memory) add(std::string("--memory ") + model::memory_model_name(s.memory));
  return f;
}

std::string expect_caveat(const model::Scenario& s) {
  if (!s.file_model) return {};
  return "expect was written for " + file_kernel_text(s) + ", not for the simulated " + kernel_text(s) + " (" +
         model_flags(s) + ")";
}

std::vector<std::string> property_names(const model::PropertySet& set) {
  std::vector<std::string> out;
  for (std::size_t p = 0; p < model::kPropertyCount; ++p)
    if (set.test(p)) out.push_back(model::property_name(static_cast<model::Property>(p)));
  return out;
}

}  // namespace tools
