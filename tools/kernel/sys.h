// tools/kernel/sys.h: raw system calls for the scenario tasks of utsim-kernel.
//
// The tasks a scenario runs on the real kernel must make no system call but
// the ones their ops stand for (a tracer using PTRACE_SYSCALL sees every
// one), must not touch errno (threads made with clone() share the creator's
// TLS) and must be usable from a signal handler.  So: inline `syscall`
// instructions that return the kernel's value (-errno on failure).
#pragma once

#include <cstdint>

namespace ukern::sys {

inline long call6(long nr, long a = 0, long b = 0, long c = 0, long d = 0, long e = 0, long f = 0) {
  long ret;
  register long r10 __asm__("r10") = d;
  register long r8 __asm__("r8") = e;
  register long r9 __asm__("r9") = f;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                   : "rcx", "r11", "memory");
  return ret;
}

// x86_64 numbers (arch/x86/entry/syscalls/syscall_64.tbl).
namespace nr {
enum : long {
  read = 0,
  write = 1,
  open = 2,
  close = 3,
  rt_sigaction = 13,
  rt_sigprocmask = 14,
  sched_yield = 24,
  pause = 34,
  nanosleep = 35,
  setitimer = 38,
  getpid = 39,
  clone = 56,
  execve = 59,
  exit = 60,
  wait4 = 61,
  kill = 62,
  uname = 63,
  getcwd = 79,
  umask = 95,
  gettimeofday = 96,
  ptrace = 101,
  getuid = 102,
  getgid = 104,
  geteuid = 107,
  getegid = 108,
  setpgid = 109,
  getppid = 110,
  getpgrp = 111,
  getsid = 124,
  sync = 162,
  gettid = 186,
  tkill = 200,
  time = 201,
  futex = 202,
  exit_group = 231,
  tgkill = 234,
  openat = 257,
};
}  // namespace nr

[[noreturn]] inline void exit_group(int code) {
  for (;;) call6(nr::exit_group, code);
}
[[noreturn]] inline void exit_thread(int code) {
  for (;;) call6(nr::exit, code);
}

}  // namespace ukern::sys
