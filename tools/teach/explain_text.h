// tools/teach/explain_text.h: a run narrated as text, as `utsim explain`
// prints it.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "scenario/scenario.h"
#include "tools/export/export.h"
#include "tools/teach/explain.h"

namespace tools {

// How the run went against its scenario's expect.
enum class ExplainVerdict { AsExpected, Failed, Diverged };

// The scenario and its explain text, every step of `run` with what changed
// and why, and how it ended (`file`: the scenario's, for the replay command).
// ANSI colours when `colour`.  A run longer than kShownSteps (explain.h) is
// narrated at its first and last kShownSteps / 2 steps, unless `full`.
// Strings of the scenario are printed through printable().
ExplainVerdict print_explanation(std::ostream& os, const model::Scenario& s, const std::string& file,
                                 const TracedRun& run, bool colour, bool full = false);

// `word` cut after its '|' and ',' into pieces of at most `max` columns when
// it is wider (a flags value "QUIESCE|CLONE|EXEC|...", a list "[a,b,...]"),
// else `word` alone: a line may break between the pieces.
std::vector<std::string> flag_pieces(const std::string& word, std::size_t max);

// One entry of a narrative (explain.h) as print_explanation prints it,
// wrapped at `width` columns (utsim step: 80).
void print_narrative_step(std::ostream& os, const NarrativeStep& st, std::size_t width, bool colour);

}  // namespace tools
