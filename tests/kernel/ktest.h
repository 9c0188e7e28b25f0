/* tests/kernel/ktest.h: a tiny harness to replay scenarios/linux/ on the
 * real kernel of this machine.
 *
 * Each case runs in a fresh process that plays the scenario's init: it is a
 * child subreaper (so orphans come back to it, as they go to pid 1 in the
 * model), forks the scenario's top-level tasks, and reaps every child until
 * none is left, remembering each status.  The model's synchronisation ops
 * become polling of /proc/PID/stat (await/assert_state), pipes
 * (complete/wait_for_completion) and short sleeps (settle).
 *
 * Every check prints one line: what was done, what the kernel returned
 * (values, -ERRNO, wait statuses in hex) and what the scenario expects.
 * Checks run in any process of the case; the counters live in shared memory.
 */
#ifndef KTEST_H
#define KTEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef __WALL
#define __WALL 0x40000000
#endif
#ifndef __WCLONE
#define __WCLONE 0x80000000
#endif

/* Scenario task names -> slots in shared memory. */
enum { INIT, P, C, G, T, Q, K, NSLOTS };
static const char *const slot_name[NSLOTS] = {"init", "P", "C", "G", "T", "Q", "K"};

struct kshared {
  int checks, failures;
  pid_t pid[NSLOTS];  /* tid for threads */
  int status[NSLOTS]; /* wait status recorded by init, -1 = not reaped */
};
extern struct kshared *S;

/* ---- output ------------------------------------------------------------------ */

static inline void say(const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > (int)sizeof buf - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  ssize_t w = write(1, buf, n); /* one write: lines of different processes do not mix */
  (void)w;
}

static inline const char *errname(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    default: return "E?";
  }
}

/* A syscall result in the scenarios' notation: a value, or -ERRNO. */
static inline const char *rstr(long r, char *buf, size_t n) {
  if (r < 0)
    snprintf(buf, n, "-%s", errname((int)-r));
  else
    snprintf(buf, n, "%ld", r);
  return buf;
}
#define R(expr)                 \
  ({                            \
    long r_ = (long)(expr);     \
    r_ < 0 ? -(long)errno : r_; \
  })

static inline const char *wdesc(int st, char *buf, size_t n) {
  if (WIFEXITED(st))
    snprintf(buf, n, "exited %d", WEXITSTATUS(st));
  else if (WIFSIGNALED(st))
    snprintf(buf, n, "killed by %s%s", sigabbrev_np(WTERMSIG(st)) ? sigabbrev_np(WTERMSIG(st)) : "?",
             WCOREDUMP(st) ? " (core)" : "");
  else if (WIFSTOPPED(st))
    snprintf(buf, n, "stopped by SIG%s", sigabbrev_np(WSTOPSIG(st)) ? sigabbrev_np(WSTOPSIG(st)) : "?");
  else if (WIFCONTINUED(st))
    snprintf(buf, n, "continued");
  else
    snprintf(buf, n, "?");
  return buf;
}

static inline void verdict(int ok) {
  __atomic_fetch_add(&S->checks, 1, __ATOMIC_SEQ_CST);
  if (!ok) __atomic_fetch_add(&S->failures, 1, __ATOMIC_SEQ_CST);
}

/* A plain result: value or -errno. */
static inline void check(const char *what, long got, long want) {
  char g[32], w[32];
  say("  %-52s = %-10s expect %-10s %s", what, rstr(got, g, sizeof g), rstr(want, w, sizeof w),
      got == want ? "ok" : "MISMATCH");
  verdict(got == want);
}

/* A waitpid result: the pid and status, or -errno; want_status -1: any (WNOHANG 0). */
static inline void check_wait(const char *what, long got, int st, long want, int want_status) {
  char g[32], w[32], d[48];
  int ok = got == want && (got <= 0 || want_status < 0 || st == want_status);
  if (got > 0)
    say("  %-52s = %ld status %#x (%s), expect %s status %#x %s", what, got, st, wdesc(st, d, sizeof d),
        rstr(want, w, sizeof w), want_status, ok ? "ok" : "MISMATCH");
  else
    say("  %-52s = %-10s expect %-10s %s", what, rstr(got, g, sizeof g), rstr(want, w, sizeof w),
        ok ? "ok" : "MISMATCH");
  verdict(ok);
}

/* waitpid(pid, &status, options), then check_wait() on what it returned. */
#define WAIT_CHECK(what, pid, options, want, want_status) \
  do {                                                    \
    int st_ = 0;                                          \
    long r_ = R(waitpid((pid), &st_, (options)));         \
    check_wait((what), r_, st_, (want), (want_status));   \
  } while (0)

/* Where 2.6.32 and this kernel differ: the scenario expects `want_2632`;
 * kernels from `since` on give `want_modern` (the scenario's expect_modern). */
static inline int kernel_at_least(int maj, int min) {
  struct utsname u;
  int a = 0, b = 0;
  if (uname(&u) == 0) sscanf(u.release, "%d.%d", &a, &b);
  return a > maj || (a == maj && b >= min);
}
static inline void check_modern(const char *what, long got, long want_2632, long want_modern, int since_maj,
                                int since_min) {
  char g[32], w1[32], w2[32];
  const int modern = kernel_at_least(since_maj, since_min);
  const long want = modern ? want_modern : want_2632;
  say("  %-52s = %-10s 2.6.32 expects %s, %d.%d+ gives %s: %s", what, rstr(got, g, sizeof g),
      rstr(want_2632, w1, sizeof w1), since_maj, since_min, rstr(want_modern, w2, sizeof w2),
      got == want ? (modern ? "ok (modern behaviour)" : "ok") : "MISMATCH");
  verdict(got == want);
}

/* A waitpid status that differs: 2.6.32 gives want_2632, `since`+ want_modern. */
static inline void check_status_modern(const char *what, long got, int st, long want, int want_2632, int want_modern,
                                       int since_maj, int since_min) {
  char d[48];
  const int modern = kernel_at_least(since_maj, since_min);
  const int ok = got == want && st == (modern ? want_modern : want_2632);
  say("  %-52s = %ld status %#x (%s), 2.6.32 expects %#x, %d.%d+ gives %#x: %s", what, got, st, wdesc(st, d, sizeof d),
      want_2632, since_maj, since_min, want_modern, ok ? (modern ? "ok (modern behaviour)" : "ok") : "MISMATCH");
  verdict(ok);
}

/* ---- task states (/proc) ----------------------------------------------------------- */

/* The state letter of a task (R S D T Z t X ...), 0 when it is gone. */
static inline char proc_state(pid_t tgid, pid_t tid) {
  char path[64], buf[512];
  if (tid && tid != tgid)
    snprintf(path, sizeof path, "/proc/%d/task/%d/stat", tgid, tid);
  else
    snprintf(path, sizeof path, "/proc/%d/stat", tgid);
  int fd = open(path, O_RDONLY);
  if (fd < 0) return 0;
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  if (n <= 0) return 0;
  buf[n] = 0;
  char *p = strrchr(buf, ')');
  return p && p[1] == ' ' ? p[2] : 0;
}

static inline void msleep(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
  }
}

/* await: until the task's state letter is one of `states` ("" = gone). */
static inline void await_state(const char *who, pid_t tgid, pid_t tid, const char *states) {
  for (int i = 0; i < 10000; ++i) {
    char s = proc_state(tgid, tid);
    if (s ? strchr(states, s) != NULL : states[0] == 0) return;
    msleep(1);
  }
  say("  await %s in [%s]: TIMEOUT (state %c) MISMATCH", who, states, proc_state(tgid, tid));
  verdict(0);
}
#define SLEEPING "SD"
/* settle: the other tasks have run until they block. */
static inline void settle(void) { msleep(100); }

static inline void check_state(const char *what, pid_t tgid, pid_t tid, const char *states) {
  char s = proc_state(tgid, tid);
  int ok = s ? strchr(states, s) != NULL : states[0] == 0;
  say("  %-52s = %-10c expect [%s] %s", what, s ? s : '-', states[0] ? states : "gone", ok ? "ok" : "MISMATCH");
  verdict(ok);
}

/* ---- completions ---------------------------------------------------------------------- */

struct completion {
  int fd[2];
};
static inline void init_completion(struct completion *c) {
  if (pipe(c->fd) < 0) _exit(120);
}
static inline void complete(struct completion *c) {
  if (write(c->fd[1], "x", 1) != 1) _exit(121);
}
static inline void wait_for_completion(struct completion *c) {
  char b;
  while (read(c->fd[0], &b, 1) < 0 && errno == EINTR) {
  }
}

/* ---- tasks -------------------------------------------------------------------------------- */

static inline pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }
static inline int tgkill_self(int sig) { return (int)syscall(SYS_tgkill, getpid(), gettid_(), sig); }
static inline void sys_exit(int code) { syscall(SYS_exit, code); }
static inline void sys_exit_group(int code) { syscall(SYS_exit_group, code); }

/* Fork a top-level task (or a child) that runs fn and then exits 0. */
static inline pid_t spawn(int slot, void (*fn)(void)) {
  pid_t pid = fork();
  if (pid == 0) {
    S->pid[slot] = getpid();
    fn();
    _exit(0);
  }
  if (pid > 0) S->pid[slot] = pid;
  return pid;
}

static inline void set_handler(int sig, void (*h)(int), int flags) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = h;
  sa.sa_flags = flags;
  sigemptyset(&sa.sa_mask);
  if (sigaction(sig, &sa, NULL) < 0) {
    say("  sigaction(%d): %s MISMATCH", sig, strerror(errno));
    verdict(0);
  }
}
static inline void noop_handler(int sig) { (void)sig; }

/* Outcome: the status init (this case's process) reaped for a task. */
static inline void check_outcome(int slot, int want_status) {
  char d[48], w[48];
  const int st = S->status[slot];
  const int ok = st == want_status;
  char what[64];
  snprintf(what, sizeof what, "outcome %s", slot_name[slot]);
  say("  %-52s = %-10s (%#x) expect %s (%#x) %s", what, st < 0 ? "not reaped" : wdesc(st, d, sizeof d), st,
      wdesc(want_status, w, sizeof w), want_status, ok ? "ok" : "MISMATCH");
  verdict(ok);
}

/* The image run by execve (the `exec` op's new program): argv[0] "--exec". */
extern char self_exe[];

#endif
