#include "sim/explore_portfolio.h"

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
  if (dpor_.complete()) return false;
  Explorer* order[6] = {&dpor_, &pct2_, &dpor_, &pctd_, &dpor_, &random_};
  Explorer* x = order[turn_++ % 6];
  if (!x->next()) return false;  // only DPOR ends, and then the space is covered
  last_member_ = x;
  finish_run(x->last(), x->last_counted());
  return true;
}

}  // namespace sim
