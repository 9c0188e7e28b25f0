// tools/export/fd_buf.h: an output stream buffer over a file descriptor that
// remembers why a write failed.
//
// std::ofstream and the standard streams set badbit when a write fails but
// lose errno on the way; FdOutBuf keeps the errno of the first failure, so
// that "No space left on device" reaches the user.  It writes with write(2),
// going on after a short write, and takes EINTR as a failure: utsim installs
// no handler without SA_RESTART but its SIGINT/SIGTERM one
// (tools/cli/interrupt.h), so a write interrupted while blocked (a stalled
// pipe or FIFO) is one the user asked to stop.  The descriptor is not owned:
// it is neither closed nor synced.
#pragma once

#include <array>
#include <cstddef>
#include <ostream>
#include <streambuf>

namespace tools {

class FdOutBuf : public std::streambuf {
 public:
  explicit FdOutBuf(int fd);
  ~FdOutBuf() override;
  FdOutBuf(const FdOutBuf&) = delete;
  FdOutBuf& operator=(const FdOutBuf&) = delete;

  // The errno of the first failed write; 0 while none failed.  Once a write
  // failed, everything after it is dropped (and fails).
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  bool drain();                                  // writes the buffer out
  bool write_all(const char* p, std::size_t n);  // false, error_ set, on failure

  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> buf_{};
};

// Why `os` failed: its FdOutBuf's errno as text (strerror), or "write error"
// for another stream buffer, or "" when it did not fail.
const char* stream_error(const std::ostream& os);

}  // namespace tools
