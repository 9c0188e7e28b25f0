// tools/cli/input.h: reading a scenario file so that SIGINT and SIGTERM can
// stop it.
//
// A thin wrapper of the loader's stoppable model::load_scenario_file (the one
// reader of scenario files): a FIFO with no writer (`utsim check fifo`) must
// not hold a command whatever the user pressed.  The handler of
// tools/cli/interrupt.h is installed without SA_RESTART for that.
#pragma once

#include <atomic>
#include <string>

#include "scenario/load/loader.h"

namespace tools {

struct InputResult {
  model::LoadResult loaded;  // empty when interrupted
  bool interrupted = false;  // a signal stopped the reading (stop was set)
};

// `stop` may be null: then nothing interrupts the reading (EINTR is retried).
InputResult load_scenario_interruptible(const std::string& path, const std::atomic<bool>* stop,
                                        const model::LoadLimits& limits = {});

}  // namespace tools
