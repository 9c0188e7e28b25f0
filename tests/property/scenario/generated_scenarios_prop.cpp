// tests/property/scenario/generated_scenarios_prop.cpp: properties over generated
// small scenarios (issue #5, "Generated scenarios"; generators in
// tests/support/scenario_gen.h).
//
//  1. On 2010-rhel6 without bug switches, exploring a generated scenario
//     breaks no property except those the races in the code as written
//     predict (R5, R10, R13: see unexplained_on_2010_rhel6), and never
//     model-invariant (except as R13's consequence).
//  2. For each bug switch, scenarios generated around that bug's shape are
//     explored; the violation must be found in most of them.  The fraction is
//     printed (and recorded in the README).
//
// The CI counts are small (the whole suite runs in seconds); UTSIM_SOAK=1
// runs many more scenarios and schedules.
//
// Property 1 is not tuned to its CI seed: RC_PARAMS="seed=N" passes for every
// N in 1..30 (measured after the triage of /tmp/scratch/found, see
// scenario_gen_check.h for what the 2010 code may break and why).  A seed
// that fails is a finding: triage it (model bug, a race of the code as
// written, or a generator bug) before fixing the seed list or the allowances.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cstdlib>
#include <iostream>
#include <sstream>

#include "model/versions.h"
#include "support/scenario_gen_check.h"

namespace {

using model::Property;
using model::Strategy;

// Runs a property with at most `n` successful cases (RC_PARAMS still gives
// the seed; UTSIM_SOAK multiplies the count).
template <class Testable>
void check_n(int n, Testable&& t) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.maxSuccess = scengen::soak() ? n * 20 : n;
  // CI runs a fixed seed (a failure must not come and go); RC_PARAMS="seed=N"
  // or the soak run pick others.
  const char* env = std::getenv("RC_PARAMS");
  if (!scengen::soak() && !(env && std::string(env).find("seed") != std::string::npos)) params.seed = 20100601;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  rc::detail::TestMetadata md;
  md.id = std::string(info->test_suite_name()) + "/" + info->name();
  md.description = info->name();
  const auto result = rc::detail::checkProperty(rc::detail::toProperty(std::forward<Testable>(t)), md, params);
  if (!result.template is<rc::detail::SuccessResult>()) {
    std::ostringstream ss;
    rc::detail::printResultMessage(result, ss);
    FAIL() << ss.str();
  }
}

TEST(GeneratedScenarios, LoadAndExploreCleanlyOn2010Rhel6) {
  check_n(60, [] {
    const std::string j = *scengen::general();
    const auto r = scengen::load(j);
    if (!r.ok()) RC_FAIL("generator bug, the scenario does not load:\n" + scengen::load_errors(r));
    const model::Verdict v = scengen::explore(*r.scenario, Strategy::Portfolio, scengen::soak() ? 1000 : 100);
    if (v.error) RC_FAIL("internal error: " + v.error_message + "\n" + j);
    const std::string bad = scengen::unexplained_on_2010_rhel6(v);
    if (!bad.empty()) RC_FAIL(bad + j);
  });
}

// ---- 2. each bug switch, found in scenarios generated around its shape --------------------

// Draws scenario `i` of a generator deterministically (seed and index), so
// the fraction printed is reproducible.
std::string sample(const rc::Gen<std::string>& g, std::uint64_t seed, std::uint64_t i) {
  return g(rc::Random(seed * 1'000'003 + i), 30).value();
}

struct BugStats {
  int generated = 0, found = 0;
  std::uint64_t schedules = 0;  // run until found (or the budget)
};

BugStats measure(int bug, int n, std::uint64_t budget, std::uint64_t seed) {
  const model::BugInfo* info = model::find_bug(bug);
  const auto prop = model::property_from_name(info->property);
  model::PropertySet want;
  want.set(static_cast<std::size_t>(*prop));
  BugStats st;
  for (int i = 0; i < n; ++i) {
    const std::string j = sample(scengen::biased(bug), seed, static_cast<std::uint64_t>(i));
    const auto r = scengen::load(j);
    EXPECT_TRUE(r.ok()) << "generator bug for R" << bug << ":\n" << scengen::load_errors(r) << j;
    if (!r.ok()) continue;
    const model::Verdict v = scengen::explore(*r.scenario, Strategy::Portfolio, budget, 1, want);
    EXPECT_FALSE(v.error) << "R" << bug << ": internal error " << v.error_message << "\n" << j;
    ++st.generated;
    st.schedules += v.schedules;
    if (scengen::has(v, *prop)) ++st.found;
  }
  return st;
}

class BugSwitch : public ::testing::TestWithParam<int> {};

TEST_P(BugSwitch, GeneratedScenariosFindTheViolation) {
  const int bug = GetParam();
  const int n = scengen::soak() ? 200 : 12;
  const std::uint64_t budget = scengen::soak() ? 5000 : 1000;
  const BugStats st = measure(bug, n, budget, 1);
  const double frac = st.generated ? static_cast<double>(st.found) / st.generated : 0.0;
  std::cout << "R" << bug << " (" << model::find_bug(bug)->property << "): found in " << st.found << " of "
            << st.generated << " generated scenarios (" << static_cast<int>(frac * 100 + 0.5) << "%), " << st.schedules
            << " schedules run, portfolio budget " << budget << " each\n";
  // Most generated shapes must expose the race within the budget.
  EXPECT_GE(frac, 0.5) << "R" << bug;
}

INSTANTIATE_TEST_SUITE_P(GeneratedScenarios, BugSwitch, ::testing::ValuesIn(scengen::biased_bugs()),
                         [](const ::testing::TestParamInfo<int>& i) { return "R" + std::to_string(i.param); });

}  // namespace
