// tools/export/fd_buf.cpp: an output stream buffer over a file descriptor
// (fd_buf.h).
#include "tools/export/fd_buf.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ostream>

namespace tools {

FdOutBuf::FdOutBuf(int fd) : fd_(fd) { setp(buf_.data(), buf_.data() + buf_.size()); }

FdOutBuf::~FdOutBuf() { drain(); }

bool FdOutBuf::write_all(const char* p, std::size_t n) {
  if (error_) return false;
  while (n > 0) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      error_ = errno;  // EINTR included: see fd_buf.h
      return false;
    }
    if (w == 0) {  // write(2) of a positive count does not return 0 on a file; never spin
      error_ = EIO;
      return false;
    }
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

bool FdOutBuf::drain() {
  const std::size_t n = static_cast<std::size_t>(pptr() - pbase());
  setp(buf_.data(), buf_.data() + buf_.size());
  return n == 0 || write_all(buf_.data(), n);
}

FdOutBuf::int_type FdOutBuf::overflow(int_type c) {
  if (!drain()) return traits_type::eof();
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  *pptr() = traits_type::to_char_type(c);
  pbump(1);
  return c;
}

std::streamsize FdOutBuf::xsputn(const char* s, std::streamsize n) {
  if (error_) return 0;
  const std::streamsize room = epptr() - pptr();
  if (n <= room) {
    std::memcpy(pptr(), s, static_cast<std::size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }
  // Larger than what is left: out with the buffer, then the text itself.
  if (!drain() || !write_all(s, static_cast<std::size_t>(n))) return 0;
  return n;
}

int FdOutBuf::sync() { return drain() ? 0 : -1; }

const char* stream_error(const std::ostream& os) {
  if (os.good()) return "";
  if (const auto* b = dynamic_cast<const FdOutBuf*>(os.rdbuf()); b && b->error()) return std::strerror(b->error());
  return "write error";
}

}  // namespace tools
