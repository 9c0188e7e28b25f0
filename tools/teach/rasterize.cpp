// tools/teach/rasterize.cpp: rsvg-convert run as a child (posix_spawnp).
#include "tools/teach/rasterize.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

extern char** environ;

namespace tools {
namespace {

// A file descriptor closed when it goes out of scope.
struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

bool write_all(int fd, const std::string& s) {
  std::size_t done = 0;
  while (done < s.size()) {
    const ssize_t n = ::write(fd, s.data() + done, s.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

// Everything a descriptor gives until end of file.
std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string failed(const char* what) { return fmt::format("{}: {}", what, std::strerror(errno)); }

}  // namespace

Rasterized rasterize_png(const std::string& svg) {
  Rasterized r;
  Fd in(::memfd_create("utsim-svg", MFD_CLOEXEC));
  if (in.fd < 0 || !write_all(in.fd, svg) || ::lseek(in.fd, 0, SEEK_SET) != 0) {
    r.error = failed("cannot hold the SVG in memory");
    return r;
  }
  // The PNG comes back through a pipe, read to its end; the child's
  // messages go to an in-memory file, so that a renderer that says a lot
  // can never block on a full pipe nobody reads.
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    r.error = failed("cannot make a pipe");
    return r;
  }
  Fd out_r(out_pipe[0]), out_w(out_pipe[1]);
  Fd err(::memfd_create("utsim-rsvg-err", MFD_CLOEXEC));
  if (err.fd < 0) {
    r.error = failed("cannot make a file for rsvg-convert's messages");
    return r;
  }

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, in.fd, STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&fa, out_w.fd, STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err.fd, STDERR_FILENO);
  // At twice the SVG's size: sharp on a projector, and text stays legible
  // when a slide scales the picture down.
  char arg0[] = "rsvg-convert", arg1[] = "--format", arg2[] = "png", arg3[] = "--zoom", arg4[] = "2";
  char* argv[] = {arg0, arg1, arg2, arg3, arg4, nullptr};
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, "rsvg-convert", &fa, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  out_w.reset();  // the child holds the write end now: EOF comes when it exits
  if (rc != 0) {
    r.error = rc == ENOENT ? std::string("rsvg-convert is not installed (Debian package librsvg2-bin)")
                           : fmt::format("cannot start rsvg-convert: {}", std::strerror(rc));
    return r;
  }
  std::string png = read_all(out_r.fd);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    ::lseek(err.fd, 0, SEEK_SET);
    std::string msg = read_all(err.fd);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == '\r')) msg.pop_back();
    r.error = WIFEXITED(status) ? fmt::format("rsvg-convert exited {}", WEXITSTATUS(status))
                                : fmt::format("rsvg-convert was killed by signal {}", WTERMSIG(status));
    if (!msg.empty()) r.error += ": " + msg;
    return r;
  }
  r.ok = true;
  r.png = std::move(png);
  return r;
}

}  // namespace tools
