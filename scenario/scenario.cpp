// scenario/scenario.cpp: the name tables of scenario.h (strategies); those
// of the model's enums and of the ABI are beside them in model/.  The
// spellings are those of SCENARIOS.md; they are part of the file format.
#include "scenario/scenario.h"

#include <iterator>

#include "model/name_table.h"

namespace model {
namespace {

constexpr std::string_view kStrategyNames[] = {"random", "pct", "dfs", "dpor", "portfolio"};

}  // namespace

const char* strategy_name(Strategy s) { return name_at(kStrategyNames, s); }
std::optional<Strategy> strategy_from_name(std::string_view s) { return index_of<Strategy>(kStrategyNames, s); }

}  // namespace model
