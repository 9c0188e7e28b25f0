// tools/export/format.cpp: small text helpers (format.h).
#include "tools/export/format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "sim/schedule.h"

namespace tools {

std::string shell_quote(std::string_view word) {
  auto safe = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::strchr("@%+=:,./-_", c) != nullptr;
  };
  bool plain = !word.empty();
  for (char c : word) plain = plain && c != '\0' && safe(c);
  if (plain) return std::string(word);
  if (!model::is_printable(word)) {
    // Control characters (a file name may hold any byte): bash's $'...', where
    // each is an escape, so the command stays one visible line and still names
    // the same bytes.
    static constexpr char kHex[] = "0123456789abcdef";
    std::string q = "$'";
    for (char c : word) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '\\' || c == '\'')
        q += {'\\', c};
      else if (u >= 0x20 && u < 0x7f)
        q += c;
      else
        q += {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
    }
    return q + "'";
  }
  std::string q = "'";
  for (char c : word) {
    if (c == '\'')
      q += "'\\''";  // close, an escaped quote, reopen
    else
      q += c;
  }
  return q + "'";
}

std::string replay_command(std::string_view file, std::string_view schedule) {
  // Schedules are [a-zA-Z0-9{}] only, but always quote them: '' must stay an argument.
  std::string cmd = "utsim replay " + shell_quote(file) + " --schedule '";
  cmd += schedule;
  return cmd + "'";
}

std::string xml_escape(std::string_view s) {
  // Control characters first, as printable() shows them (tab, newline and
  // carriage return are text in HTML and stay), then the entities.
  std::string text;
  text.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t j = std::min(s.find_first_of("\t\n\r", i), s.size());
    model::append_printable(text, s.substr(i, j - i));
    if (j < s.size()) text += s[j];
    i = j + 1;
  }
  std::string o;
  o.reserve(text.size() + 16);
  for (char c : text) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string outcome_text(std::string_view signature) {
  // Parts are joined by "; " (explore/check.cpp outcome_signature); a label
  // holding "; " only makes the count of what is left out approximate.
  std::string out;
  std::size_t shown = 0, at = 0;
  for (;;) {
    const std::size_t end = std::min(signature.find("; ", at), signature.size());
    if (shown == kOutcomeParts || out.size() >= kOutcomeChars) {
      std::size_t rest = 1;
      for (std::size_t p = signature.find("; ", at); p != std::string_view::npos; p = signature.find("; ", p + 2))
        ++rest;
      return out + fmt::format("; … and {} more", rest);
    }
    if (shown) out += "; ";
    const std::string part = printable(signature.substr(at, end - at));
    const std::size_t room = kOutcomeChars > out.size() ? kOutcomeChars - out.size() : 0;
    if (part.size() > room) {
      // One huge part (a long label): its beginning, not cut inside a character.
      std::size_t keep = room;
      while (keep > 0 && (static_cast<unsigned char>(part[keep]) & 0xc0) == 0x80) --keep;
      out += part.substr(0, keep);
      out += fmt::format("… ({} more bytes)", part.size() - keep);
    } else {
      out += part;
    }
    ++shown;
    if (end == signature.size()) return out;
    at = end + 2;
  }
}

std::string thread_letter(sim::Tid t) { return sim::encode_schedule(std::span(&t, 1)); }

std::string schedule_of(std::span<const sim::Tid> choices, std::size_t significant) {
  return sim::encode_schedule(choices.first(std::min(significant, choices.size())));
}

std::string write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write) {
  // A target that exists and is not a regular file (/dev/null, /dev/stdout,
  // a FIFO, a terminal) is written in place: renaming over it would replace
  // the device node with a file, and "atomic" means nothing for a stream.
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    if (S_ISDIR(st.st_mode)) return "cannot write " + path + ": it is a directory";
    std::ofstream f(path, std::ios::binary);
    if (!f) return "cannot open " + path + ": " + std::strerror(errno);
    write(f);
    f.close();
    if (!f) return "cannot write " + path;
    return {};
  }
  // Beside the target, so that rename() stays on one filesystem and is
  // atomic; named after the process, so that two runs writing the same file
  // never mix their contents in one temporary.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  try {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) return "cannot create " + tmp + ": " + std::strerror(errno);
    write(f);
    f.close();
    if (!f) {
      std::remove(tmp.c_str());
      return "cannot write " + tmp;
    }
  } catch (...) {
    std::remove(tmp.c_str());  // an exception while writing leaves nothing behind
    throw;
  }
  // On disk before it replaces the old file: a crash then leaves the old
  // file or the new one, never an empty one.
  const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  const bool synced = fd >= 0 && ::fsync(fd) == 0;
  const std::string sync_error = synced ? std::string() : std::strerror(errno);
  if (fd >= 0) ::close(fd);
  if (!synced) {
    std::remove(tmp.c_str());
    return "cannot sync " + tmp + ": " + sync_error;
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return "cannot rename " + tmp + " to " + path + ": " + why;
  }
  return {};
}

}  // namespace tools
