// sim/explore/portfolio.h: the default strategy.
//
// DPOR finishes small spaces with a proof (complete); on big ones it can
// spend all its runs deep in one corner, where PCT's probabilistic guarantee
// for shallow bugs and random sampling's breadth do better.  The portfolio
// interleaves them, six runs at a time: DPOR, PCT d=2, DPOR, PCT d=depth,
// DPOR, random while DPOR's estimate of the space is at most 10^4
// schedules; DPOR, PCT d=2, random, PCT d=depth, PCT d=2, random beyond.
// It is complete when DPOR is; each member is sharded the same way as on
// its own.
#pragma once

#include <memory>

#include "sim/explore/dpor.h"
#include "sim/explore/sample.h"

namespace sim {

struct PortfolioOptions {
  std::uint64_t seed = 1;
  unsigned depth = 3;
  Shard shard;
};

class PortfolioExplorer final : public Explorer {
 public:
  PortfolioExplorer(Program& p, PortfolioOptions o);
  bool next() override;
  bool complete() const override { return dpor_.complete(); }
  double estimate() const override { return dpor_.estimate(); }
  const char* name() const override { return "portfolio"; }
  // DPOR's: the samplers keep nothing from one run to the next.
  std::uint64_t memory() const override { return dpor_.memory(); }
  void set_memory_budget(std::uint64_t bytes) override { dpor_.set_memory_budget(bytes); }
  // The member that made the last run.
  const Explorer& last_member() const noexcept { return *last_member_; }
  const DporExplorer& dpor() const noexcept { return dpor_; }

 private:
  DporExplorer dpor_;
  SampleExplorer pct2_, pctd_, random_;
  Explorer* last_member_;
  std::uint64_t turn_ = 0;
};

}  // namespace sim
