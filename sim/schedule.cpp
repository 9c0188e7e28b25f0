#include "sim/schedule.h"

#include <charconv>

namespace sim {

namespace {

void put_symbol(std::string& out, Tid t) {
  if (t < 26) {
    out += static_cast<char>('a' + t);
  } else if (t < 52) {
    out += static_cast<char>('A' + (t - 26));
  } else {
    out += '{';
    out += std::to_string(t);
    out += '}';
  }
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

std::string encode_schedule(std::span<const Tid> choices) {
  std::string out;
  for (std::size_t i = 0; i < choices.size();) {
    std::size_t j = i;
    while (j < choices.size() && choices[j] == choices[i]) ++j;
    const std::size_t run = j - i;
    put_symbol(out, choices[i]);
    if (run == 2) {
      put_symbol(out, choices[i]);
    } else if (run > 2) {
      out += std::to_string(run);
    }
    i = j;
  }
  return out;
}

std::optional<std::vector<Tid>> decode_schedule(std::string_view s, ScheduleError* err, std::size_t max_len) {
  auto fail = [&](std::size_t at, std::string msg) -> std::optional<std::vector<Tid>> {
    if (err) *err = ScheduleError{at, std::move(msg)};
    return std::nullopt;
  };
  std::vector<Tid> out;
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t start = i;
    Tid t;
    const char c = s[i];
    if (c >= 'a' && c <= 'z') {
      t = static_cast<Tid>(c - 'a');
      ++i;
    } else if (c >= 'A' && c <= 'Z') {
      t = static_cast<Tid>(26 + (c - 'A'));
      ++i;
    } else if (c == '{') {
      std::size_t close = s.find('}', i);
      if (close == std::string_view::npos) return fail(i, "'{' without a closing '}'");
      std::uint64_t v = 0;
      auto [p, ec] = std::from_chars(s.data() + i + 1, s.data() + close, v);
      if (ec != std::errc{} || p != s.data() + close || close == i + 1)
        return fail(i, "expected a thread number between '{' and '}'");
      if (v >= kNoTid) return fail(i, "thread number too large");
      t = static_cast<Tid>(v);
      i = close + 1;
    } else if (is_digit(c)) {
      return fail(i, "a repeat count must follow a thread symbol");
    } else {
      return fail(i, std::string("unexpected character '") + c +
                         "' (threads are a-z, A-Z or {n}, optionally followed by a count)");
    }
    std::uint64_t count = 1;
    if (i < s.size() && is_digit(s[i])) {
      std::size_t j = i;
      while (j < s.size() && is_digit(s[j])) ++j;
      auto [p, ec] = std::from_chars(s.data() + i, s.data() + j, count);
      if (ec != std::errc{} || count == 0) return fail(i, "bad repeat count");
      i = j;
    }
    if (count > max_len || out.size() + count > max_len)
      return fail(start, "schedule longer than " + std::to_string(max_len) + " choices");
    out.insert(out.end(), count, t);
  }
  return out;
}

std::size_t count_switches(std::span<const Tid> choices) {
  std::size_t n = 0;
  for (std::size_t i = 1; i < choices.size(); ++i)
    if (choices[i] != choices[i - 1]) ++n;
  return n;
}

}  // namespace sim
