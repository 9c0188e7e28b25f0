// tools/export/format.cpp: small text helpers (format.h).
#include "tools/export/format.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <ostream>

#include <fmt/format.h>

#include <fmt/format.h>

#include "sim/schedule.h"
#include "tools/export/fd_buf.h"

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

std::string memory_text(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"T", "G", "M", "K"};
  for (int u = 0; u < 4; ++u) {
    const unsigned shift = 10 * static_cast<unsigned>(4 - u);
    if (bytes && bytes % (std::uint64_t{1} << shift) == 0) return fmt::format("{}{}", bytes >> shift, kUnits[u]);
  }
  return fmt::format("{} bytes", bytes);
}

std::string replay_command(std::string_view file, std::string_view schedule, std::string_view model_flags) {
  // Schedules are [a-zA-Z0-9{}] only, but always quote them: '' must stay an argument.
  std::string cmd = "utsim replay " + shell_quote(file);
  if (!model_flags.empty()) cmd += " " + std::string(model_flags);
  cmd += " --schedule '";
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

namespace {

std::string failed(const std::string& what, const std::string& path, int err) {
  return "cannot " + what + " " + path + ": " + std::strerror(err);
}

const char* kind_of(mode_t m) {
  if (S_ISLNK(m)) return "a symbolic link";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISDIR(m)) return "a directory";
  return "not a regular file";
}

// Runs `write` into fd; the errno of the first failed write, or 0.
int write_to_fd(int fd, const std::function<void(std::ostream&)>& write) {
  FdOutBuf buf(fd);
  std::ostream os(&buf);
  write(os);
  os.flush();
  if (buf.error()) return buf.error();
  return os ? 0 : EIO;
}

// --output-through: open what is there for writing, as the shell's > does
// (following a link, truncating a file; a device or a FIFO as it is).
std::string write_through(const std::string& path, const std::function<void(std::ostream&)>& write) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) return failed("open", path, errno);
  int err = 0;
  try {
    err = write_to_fd(fd, write);
  } catch (...) {
    ::close(fd);
    throw;
  }
  if (::close(fd) != 0 && err == 0 && errno != EINTR) err = errno;
  return err ? failed("write", path, err) : std::string();
}

// Best effort: the rename itself on disk (a crash right after it could
// otherwise bring the old name back).  Not every filesystem syncs
// directories; nothing is lost when it cannot.
void sync_directory_of(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

// The extended attributes of `path` (its POSIX ACL is one, and so is a
// security label) set on `fd` too: 0, or the errno of the first that could
// not be read or set, with its name in `which`.  A filesystem without them
// has nothing to copy.
int copy_xattrs(const std::string& path, int fd, std::string& which) {
  ssize_t n = ::llistxattr(path.c_str(), nullptr, 0);
  if (n < 0) return errno == ENOTSUP ? 0 : errno;
  std::string names(static_cast<std::size_t>(n), '\0');
  n = ::llistxattr(path.c_str(), names.data(), names.size());
  if (n < 0) return errno;
  names.resize(static_cast<std::size_t>(n));
  for (std::size_t at = 0; at < names.size();) {
    const std::string name = names.c_str() + at;  // NUL-separated
    at += name.size() + 1;
    which = name;
    ssize_t len = ::lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (len < 0) return errno;
    std::string value(static_cast<std::size_t>(len), '\0');
    len = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (len < 0) return errno;
    if (::fsetxattr(fd, name.c_str(), value.data(), static_cast<std::size_t>(len), 0) != 0) return errno;
  }
  return 0;
}

// A new file at `path` (old == nullptr), or the regular file `old`
// replaced, through path.tmp.<pid> and rename().
std::string replace_atomically(const std::string& path, const struct stat* old, const OutputNames& names,
                               const std::function<void(std::ostream&)>& write, OutputMode mode) {
  // As a writer of the file itself would be: a read-only file, one of
  // another user, one on a read-only filesystem is refused, though the
  // directory may let us replace it.  (root passes, as it passes open().)
  if (old && ::faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) != 0) return failed("write", path, errno);
  // Beside the target, so that rename() stays on one filesystem and is
  // atomic; named after the process, so that two runs writing the same file
  // never mix their contents in one temporary.  O_EXCL and O_NOFOLLOW: a
  // link planted under that name is not followed.
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  const std::string kept = " (" + path + (old ? " left as it was)" : " not written)");
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
  const mode_t perms = old ? 0600 : 0666;  // a new file: 0666 less the umask, as any program makes it
  int fd = ::open(tmp.c_str(), flags, perms);
  if (fd < 0 && errno == EEXIST) {  // left behind by a process of the same pid that was killed
    ::unlink(tmp.c_str());
    fd = ::open(tmp.c_str(), flags, perms);
  }
  if (fd < 0) return failed("create", tmp, errno) + kept;
  auto discard = [&](const std::string& what, int err) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return failed(what, tmp, err) + kept;
  };
  if (old) {
    // The replacement keeps the owner, the group and the permission bits
    // (chown first: it clears set-user-ID bits that chmod then restores).
    struct stat mine {};
    if (::fstat(fd, &mine) != 0) return discard("stat", errno);
    if ((mine.st_uid != old->st_uid || mine.st_gid != old->st_gid) && ::fchown(fd, old->st_uid, old->st_gid) != 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      if (mode == OutputMode::kThrough) return write_through(path, write);
      return fmt::format(
          "refusing to replace {}: it belongs to uid {} gid {}, which a new file of ours could not keep ({}); "
          "{} writes into it in place",
          path, old->st_uid, old->st_gid, std::strerror(err), names.through);
    }
    if (::fchmod(fd, old->st_mode & 07777) != 0) return discard("set the permissions of", errno);
    // And its extended attributes: an ACL that lets a colleague read the
    // report, a security label.  One that cannot be kept is refused as an
    // owner that cannot be kept is.
    std::string xattr;
    if (const int xerr = copy_xattrs(path, fd, xattr)) {
      ::close(fd);
      ::unlink(tmp.c_str());
      if (mode == OutputMode::kThrough) return write_through(path, write);
      return fmt::format(
          "refusing to replace {}: its extended attribute {} could not be kept ({}); {} writes into it in place", path,
          xattr, std::strerror(xerr), names.through);
    }
  }
  int err = 0;
  try {
    err = write_to_fd(fd, write);
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());  // an exception while writing leaves nothing behind
    throw;
  }
  if (err) return discard("write", err);
  // On disk before it replaces the old file: a crash then leaves the old
  // file or the new one, never an empty one.
  if (::fsync(fd) != 0) return discard("sync", errno);
  if (::close(fd) != 0 && errno != EINTR) {  // some filesystems report write errors only here
    err = errno;
    ::unlink(tmp.c_str());
    return failed("write", tmp, err) + kept;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    err = errno;
    ::unlink(tmp.c_str());
    return failed("rename " + tmp + " to", path, err) + kept;
  }
  sync_directory_of(path);
  return {};
}

}  // namespace

std::string write_file_atomic(const std::string& path, const std::function<void(std::ostream&)>& write, OutputMode mode,
                              OutputNames names) {
  // lstat: what the name itself is.  stat() followed links, and renaming
  // over a link to a file replaced the link and left the file stale (as
  // root, `-o /dev/stdout` replaced /dev/stdout with a plain file).
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return replace_atomically(path, nullptr, names, write, mode);
    return failed("write", path, errno);
  }
  if (S_ISDIR(st.st_mode)) return failed("write", path, EISDIR);
  if (S_ISREG(st.st_mode) && st.st_nlink == 1) return replace_atomically(path, &st, names, write, mode);
  if (mode == OutputMode::kThrough) return write_through(path, write);
  if (S_ISREG(st.st_mode))
    return fmt::format(
        "refusing to replace {}: it has {} hard links, which would keep the old contents; "
        "{} writes into it in place",
        path, st.st_nlink, names.through);
  return fmt::format("refusing to replace {}: it is {}, and {} replaces only regular files; {} {}", path,
                     kind_of(st.st_mode), names.replace, names.through,
                     S_ISLNK(st.st_mode) ? "writes to what the link points to" : "writes into it in place");
}

}  // namespace tools
