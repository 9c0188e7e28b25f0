#include "sim/explore/portfolio.h"

namespace sim {

namespace {
SampleOptions sample(const PortfolioOptions& o, SampleOptions::Kind k, unsigned depth) {
  SampleOptions s;
  s.kind = k;
  s.depth = depth;
  s.seed = o.seed;
  s.shard = o.shard;
  s.first_index = 1;  // DPOR's first run is the default schedule
  return s;
}
}  // namespace

PortfolioExplorer::PortfolioExplorer(Program& p, PortfolioOptions o)
    : dpor_(p, DporOptions{o.shard, 0}),
      pct2_(p, sample(o, SampleOptions::Kind::Pct, 2)),
      pctd_(p, sample(o, SampleOptions::Kind::Pct, o.depth < 2 ? 3 : o.depth)),
      random_(p, sample(o, SampleOptions::Kind::Random, 0)),
      last_member_(&dpor_) {}

bool PortfolioExplorer::next() {
  if (dpor_.complete() || out_of_memory_) return false;
  // While DPOR's estimate of its space is small, it gets every other run and
  // usually finishes with a proof.  Once the estimate says the space is far
  // beyond any budget, DPOR would spend its runs deep in one corner: it keeps
  // one run in six, and the samplers, which reach shallow bugs anywhere in
  // the tree, get the rest.
  static constexpr double kSmallSpace = 10'000;
  Explorer* small[6] = {&dpor_, &pct2_, &dpor_, &pctd_, &dpor_, &random_};
  Explorer* big[6] = {&dpor_, &pct2_, &random_, &pctd_, &pct2_, &random_};
  const bool is_big = turn_ >= 6 && dpor_.estimate() > kSmallSpace;
  Explorer* x = (is_big ? big : small)[turn_++ % 6];
  if (!x->next()) {  // only DPOR ends: the space is covered, or its budget ran out
    out_of_memory_ = dpor_.out_of_memory();
    return false;
  }
  last_member_ = x;
  out_of_memory_ = dpor_.out_of_memory();
  finish_run(x->last(), x->last_counted());
  return true;
}

}  // namespace sim
