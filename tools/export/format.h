// tools/export/format.h: small text helpers.  Shared by cli/ and teach/ too:
// export/ is the lowest folder of tools/ that needs them.
#pragma once

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
std::string replay_command(std::string_view file, std::string_view schedule);

// The letter that names thread t in a schedule string ("a", "B", "{70}").
std::string thread_letter(sim::Tid t);

// The schedule string of a run: the choices up to the last non-default one.
std::string schedule_of(std::span<const sim::Tid> choices, std::size_t significant);

// Writes `path` atomically: `write` fills path.tmp.<pid>, which is synced to
// disk and then replaces path.  Returns "" on success, else what went wrong;
// on any failure (an exception from `write` included) the temporary is
// removed and `path` is left as it was.
std::string write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write);

}  // namespace tools
