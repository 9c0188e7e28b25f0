// tools/export/format.h: small text helpers.  Shared by cli/ and teach/ too:
// export/ is the lowest folder of tools/ that needs them.
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include "scenario/printable.h"
#include "sim/access.h"

namespace tools {

// POSIX shell quoting: the word as is when it is safe, else in single
// quotes; a word with control characters (not printable(), below) as bash's
// $'...' with \xNN escapes, so a command line printed stays one line.
std::string shell_quote(std::string_view word);

// Text for HTML and SVG: & < > " as entities; control characters but tab,
// newline and carriage return (and bidi controls, bytes that are not UTF-8)
// as the visible escapes of printable() ("\x1b", "\u{202e}").
std::string xml_escape(std::string_view s);

// Every string of a scenario file (or of the command line) that text output
// shows goes through printable() (scenario/printable.h): control characters
// become visible escapes, so a terminal never acts on a file's bytes.
using model::printable;

// An outcome signature ("C: exited 0; P: exited 0; r = 0") as text output
// shows it: printable, its first kOutcomeParts parts then "… and K more",
// and at most kOutcomeChars characters.  JSON outputs keep it whole.
inline constexpr std::size_t kOutcomeParts = 32;
inline constexpr std::size_t kOutcomeChars = 4000;
std::string outcome_text(std::string_view signature);

// "utsim replay <file> --schedule '<schedule>'": every failure ends with one.
// `model_flags` (scenario_text.h model_flags: "--kernel 2009-rfc --bug R2",
// shell-safe words) go between the two, so that the command simulates the
// model the run did.
std::string replay_command(std::string_view file, std::string_view schedule, std::string_view model_flags = {});

// A number of bytes as --max-memory takes it: "2G", "512M", "64K" when a
// binary multiple, else "1000000 bytes".
std::string memory_text(std::uint64_t bytes);

// The letter that names thread t in a schedule string ("a", "B", "{70}").
std::string thread_letter(sim::Tid t);

// The schedule string of a run: the choices up to the last non-default one.
std::string schedule_of(std::span<const sim::Tid> choices, std::size_t significant);

// How write_file_atomic treats a target that is not a plain regular file
// (docs/hardening.md "Output files").
enum class OutputMode {
  kReplace,  // replace a regular file atomically; refuse anything else
  kThrough,  // --output-through: write into such a target in place, as the shell's > does
};

// Writes `path` (-o FILE).  A path that does not exist, or a regular file
// with one link, is replaced atomically: `write` fills path.tmp.<pid>
// (created beside it, with the permission bits, owner and group of the file
// it replaces), which is synced to disk and renamed over path.  An existing
// file the caller could not write (permissions checked for its effective
// ids) is refused.  Anything else (a symbolic link, a device, a FIFO, a
// socket, a file with several hard links, or a file whose owner a new file
// could not keep) is refused in kReplace mode, and in kThrough mode opened
// for writing (following links, truncating) and written in place, not
// atomically.  A directory is always refused.  Returns "" on success, else
// what went wrong (naming the path, with strerror's text); on any failure
// (an exception from `write` included) the temporary is removed and a
// replaced file is left as it was.
// A refusal names the user's way to write in place: `through`, and what
// replaced the file: `replace` (the command-line flags by default; step mode
// has its own commands).
struct OutputNames {
  std::string_view replace = "-o";
  std::string_view through = "--output-through";
};
std::string write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write,
                              OutputMode mode = OutputMode::kReplace, OutputNames names = {});

}  // namespace tools
