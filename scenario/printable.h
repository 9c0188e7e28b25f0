// scenario/printable.h: how text output shows a string that came from a
// scenario file (a summary, a label, an engine handle, a message quoting
// them) or from the command line (a file name).
//
// Such strings may hold anything JSON can encode: a newline that would split
// a one-line record, ESC[2J that clears the screen, ESC]0;...BEL that sets the
// terminal's title, a bidi override that reorders what follows.  Printed as
// text, each of them becomes a visible escape, so a terminal never acts on a
// file's bytes and a line of output stays one line:
//   - \n, \r, \t, and \xNN for the other C0 controls and DEL (0x7f);
//   - \u{NN} for the C1 controls U+0080..U+009F, \u{NNNN} for the bidi
//     controls (U+061C, U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) and
//     the line and paragraph separators U+2028, U+2029;
//   - \xNN for each byte that is not well-formed UTF-8 (a file name may hold any);
//   - everything else, printable UTF-8 and the backslash included, as it is.
// It is for reading, not a reversible encoding: the JSON outputs keep the
// exact strings (nlohmann escapes them itself), and HTML has its own escaping.
#pragma once

#include <string>
#include <string_view>

namespace model {

// `s` as text output shows it (above).
std::string printable(std::string_view s);
// The same, appended to `out`.
void append_printable(std::string& out, std::string_view s);
// Whether printable(s) == s (nothing to escape).
bool is_printable(std::string_view s);

}  // namespace model
