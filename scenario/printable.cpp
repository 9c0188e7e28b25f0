// scenario/printable.cpp: strings from a scenario file as text output shows
// them (printable.h).
#include "scenario/printable.h"

#include <cstdint>

namespace model {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// The length of the well-formed UTF-8 sequence (RFC 3629) at s[i] and its
// code point; 0 when the byte there does not start one.
std::size_t utf8_at(std::string_view s, std::size_t i, std::uint32_t& cp) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned c = byte(i);
  std::size_t n;
  unsigned lo = 0x80, hi = 0xbf;  // range of the second byte
  if (c >= 0xc2 && c <= 0xdf)
    n = 1, cp = c & 0x1f;
  else if (c == 0xe0)
    n = 2, lo = 0xa0, cp = c & 0x0f;
  else if (c == 0xed)
    n = 2, hi = 0x9f, cp = c & 0x0f;
  else if (c >= 0xe1 && c <= 0xef)
    n = 2, cp = c & 0x0f;
  else if (c == 0xf0)
    n = 3, lo = 0x90, cp = c & 0x07;
  else if (c == 0xf4)
    n = 3, hi = 0x8f, cp = c & 0x07;
  else if (c >= 0xf1 && c <= 0xf3)
    n = 3, cp = c & 0x07;
  else
    return 0;
  if (i + n >= s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 1; k <= n; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  return n + 1;
}

// Code points a terminal acts on, or that reorder or break the line.
bool invisible_control(std::uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
         (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 || cp == 0x2029;
}

void append_byte_escape(std::string& out, unsigned char c) { out += {'\\', 'x', kHex[c >> 4], kHex[c & 15]}; }

void append_code_point_escape(std::string& out, std::uint32_t cp) {
  out += "\\u{";
  bool digits = false;
  for (int shift = 20; shift >= 0; shift -= 4) {
    const unsigned d = (cp >> shift) & 15;
    if (!digits && d == 0 && shift > 4) continue;  // at least two digits
    digits = true;
    out += kHex[d];
  }
  out += '}';
}

}  // namespace

void append_printable(std::string& out, std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      // The common case: a run of printable ASCII, copied at once.
      std::size_t j = i + 1;
      while (j < s.size() && static_cast<unsigned char>(s[j]) >= 0x20 && static_cast<unsigned char>(s[j]) < 0x7f) ++j;
      out.append(s.substr(i, j - i));
      i = j;
      continue;
    }
    if (c < 0x80) {
      if (c == '\n')
        out += "\\n";
      else if (c == '\r')
        out += "\\r";
      else if (c == '\t')
        out += "\\t";
      else
        append_byte_escape(out, c);
      ++i;
      continue;
    }
    std::uint32_t cp = 0;
    const std::size_t n = utf8_at(s, i, cp);
    if (n == 0) {
      append_byte_escape(out, c);
      ++i;
    } else {
      if (invisible_control(cp))
        append_code_point_escape(out, cp);
      else
        out.append(s.substr(i, n));
      i += n;
    }
  }
}

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_printable(out, s);
  return out;
}

bool is_printable(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x7f) {
      ++i;
      continue;
    }
    if (c < 0x80) return false;
    std::uint32_t cp = 0;
    const std::size_t n = utf8_at(s, i, cp);
    if (n == 0 || invisible_control(cp)) return false;
    i += n;
  }
  return true;
}

}  // namespace model
