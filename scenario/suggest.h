// scenario/suggest.h: how far apart two names are, for the "did you mean"
// of the loader (scenario.E0xx messages) and of the command line (cli.E00n).
#pragma once

#include <cstddef>
#include <string_view>

namespace model {

// The edit distance of `a` and `b`: insertions, deletions and substitutions
// (Levenshtein); with `swaps`, a swap of two neighbours counts one edit too
// (optimal string alignment: "rnu" is one edit from "run").  Names longer
// than 64 characters are 99 apart: suggestions are for names a user meant to
// type, and the bound keeps a hostile input from costing quadratic time.
std::size_t edit_distance(std::string_view a, std::string_view b, bool swaps = false);

}  // namespace model
