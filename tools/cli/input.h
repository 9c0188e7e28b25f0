// tools/cli/input.h: reading a scenario file so that SIGINT and SIGTERM can
// stop it.
//
// model::load_scenario_file reads with std::ifstream, whose reads retry
// EINTR: a FIFO with no writer (`utsim check fifo`) or one whose writer
// never writes would hold the command forever, whatever the user pressed.
// load_scenario_interruptible reads the bytes itself, with open(2) and
// read(2), and gives up when a call is interrupted (EINTR: the handler of
// tools/cli/interrupt.h is installed without SA_RESTART) and the stop flag is
// set; the text then goes to model::load_scenario_text.  Errors are the
// loader's own: scenario.E007 (cannot open or read, with strerror's text)
// and scenario.E003 (larger than LoadLimits::max_bytes), checked against
// model::load_scenario_file by tests/unit/tools/cli/hardening_output_test.cpp.
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
