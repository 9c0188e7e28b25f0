/* tests/kernel/linux_scenarios.c: every scenario of scenarios/linux/, replayed
 * on the real kernel of this machine.  One case per scenario, with the
 * scenario's name; see README.md.
 *
 *   cc -O1 -Wall -pthread -o linux_scenarios linux_scenarios.c
 *   ./linux_scenarios              # every case
 *   ./linux_scenarios NAME...      # some
 *   ./linux_scenarios --list
 */
#include "ktest.h"

#include <pthread.h>

struct kshared *S;
char self_exe[4096];

/* ---- the images execve runs (argv[1] == "--exec") ------------------------------------ */

/* --exec exit N | raise-usr1 PID PPID | wait-fd FD N | ids TGID N */
static int exec_image(int argc, char **argv) {
  if (argc >= 4 && !strcmp(argv[2], "exit")) _exit(atoi(argv[3]));
  if (argc >= 5 && !strcmp(argv[2], "raise-usr1")) {
    /* exec-resets-handlers: same pid and parent; SIGUSR1 back to SIG_DFL */
    if (getpid() != atoi(argv[3])) _exit(100);
    if (getppid() != atoi(argv[4])) _exit(101);
    tgkill_self(SIGUSR1);
    _exit(5);
  }
  if (argc >= 5 && !strcmp(argv[2], "wait-fd")) {
    char b;
    if (read(atoi(argv[3]), &b, 1) != 1) _exit(102);
    _exit(atoi(argv[4]));
  }
  if (argc >= 5 && !strcmp(argv[2], "ids")) {
    /* exec-from-thread: getpid() == gettid() == the old leader's pid */
    const pid_t want = atoi(argv[3]);
    say("  (new image) getpid %d gettid %d, expect %d", getpid(), gettid_(), want);
    if (getpid() != want) _exit(103);
    if (gettid_() != want) _exit(104);
    _exit(atoi(argv[4]));
  }
  _exit(127);
}

static void exec_self(const char *a, const char *b, const char *c, const char *d) {
  char *argv[] = {self_exe, (char *)"--exec", (char *)a, (char *)b, (char *)c, (char *)d, NULL};
  execv(self_exe, argv);
  say("  execv: %s MISMATCH", strerror(errno));
  verdict(0);
}

/* ---- fork-exit-waitpid -------------------------------------------------------------------- */

static void fork_exit_waitpid_C(void) { _exit(42); }
static void fork_exit_waitpid_P(void) {
  pid_t c = spawn(C, fork_exit_waitpid_C);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x2a00);
  check_state("C after waitpid", c, 0, "");
}
static void fork_exit_waitpid(void) { spawn(P, fork_exit_waitpid_P); }

/* ---- waitpid-wnohang --------------------------------------------------------------------- */

static void waitpid_wnohang_C(void) {
  check("C: pause()", R(pause()), -EINTR);
  _exit(3);
}
static void waitpid_wnohang_P(void) {
  set_handler(SIGUSR1, noop_handler, 0);
  pid_t c = spawn(C, waitpid_wnohang_C);
  WAIT_CHECK("waitpid(C, WNOHANG) while C lives", c, WNOHANG, 0, -1);
  await_state("C", c, 0, SLEEPING);
  check("kill(C, SIGUSR1)", R(kill(c, SIGUSR1)), 0);
  await_state("C", c, 0, "Z");
  WAIT_CHECK("waitpid(C, WNOHANG) once C is a zombie", c, WNOHANG, c, 0x300);
}
static void waitpid_wnohang(void) { spawn(P, waitpid_wnohang_P); }

/* ---- waitpid-echild ---------------------------------------------------------------------- */

static struct completion done;
static void waitpid_echild_P(void) {
  WAIT_CHECK("waitpid(-1, 0) with no children", -1, 0, -ECHILD, -1);
  WAIT_CHECK("waitpid(Q, 0), Q a sibling", S->pid[Q], 0, -ECHILD, -1);
  WAIT_CHECK("waitpid(Q, WNOHANG)", S->pid[Q], WNOHANG, -ECHILD, -1);
  complete(&done);
}
static void waitpid_echild_Q(void) {
  wait_for_completion(&done);
  _exit(0);
}
static void waitpid_echild(void) {
  init_completion(&done);
  spawn(Q, waitpid_echild_Q);
  spawn(P, waitpid_echild_P);
}

/* ---- sigkill-running-child, sigterm-default --------------------------------------------------- */

static void spin_C(void) {
  for (volatile unsigned long i = 0;; ++i) {
  }
}
static void spin_getpid_C(void) {
  for (;;) getpid();
}
static void sigkill_running_child_P(void) {
  pid_t c = spawn(C, spin_C);
  check("kill(C, SIGKILL)", R(kill(c, SIGKILL)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x9);
}
static void sigkill_running_child(void) { spawn(P, sigkill_running_child_P); }

static void sigterm_default_P(void) {
  pid_t c = spawn(C, spin_getpid_C);
  check("kill(C, SIGTERM)", R(kill(c, SIGTERM)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0xf);
}
static void sigterm_default(void) { spawn(P, sigterm_default_P); }

/* ---- sigkill-sleeping-child ---------------------------------------------------------------- */

static void pause_then_99_C(void) {
  pause();
  _exit(99);
}
static void pause_forever_C(void) {
  for (;;) pause();
}
static void sigkill_sleeping_child_P(void) {
  pid_t c = spawn(C, pause_then_99_C);
  await_state("C", c, 0, SLEEPING);
  check("kill(C, SIGKILL)", R(kill(c, SIGKILL)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x9);
}
static void sigkill_sleeping_child(void) { spawn(P, sigkill_sleeping_child_P); }

/* ---- handler-interrupts-pause ---------------------------------------------------------------- */

static void pause_eintr_5_C(void) {
  check("C: pause()", R(pause()), -EINTR);
  _exit(5);
}
static void handler_interrupts_pause_P(void) {
  set_handler(SIGUSR1, noop_handler, 0);
  pid_t c = spawn(C, pause_eintr_5_C);
  await_state("C", c, 0, SLEEPING);
  check("kill(C, SIGUSR1)", R(kill(c, SIGUSR1)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x500);
}
static void handler_interrupts_pause(void) { spawn(P, handler_interrupts_pause_P); }

/* ---- waitpid-sa-restart, waitpid-eintr -------------------------------------------------------- */

static void sa_restart_C(void) {
  const pid_t p = getppid();
  await_state("P", p, 0, "S");
  check("C: kill(P, SIGUSR1)", R(kill(p, SIGUSR1)), 0);
  msleep(20);
  await_state("P (in waitpid again)", p, 0, "S");
  _exit(7);
}
static void waitpid_sa_restart_P(void) {
  set_handler(SIGUSR1, noop_handler, SA_RESTART);
  pid_t c = spawn(C, sa_restart_C);
  WAIT_CHECK("waitpid(C, 0), SA_RESTART handler", c, 0, c, 0x700);
}
static void waitpid_sa_restart(void) { spawn(P, waitpid_sa_restart_P); }

static void eintr_C(void) {
  const pid_t p = getppid();
  await_state("P", p, 0, "S");
  check("C: kill(P, SIGUSR1)", R(kill(p, SIGUSR1)), 0);
  pause();
  _exit(99);
}
static void waitpid_eintr_P(void) {
  set_handler(SIGUSR1, noop_handler, 0);
  pid_t c = spawn(C, eintr_C);
  WAIT_CHECK("waitpid(C, 0), handler without SA_RESTART", c, 0, -EINTR, -1);
  check("kill(C, SIGKILL)", R(kill(c, SIGKILL)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x9);
}
static void waitpid_eintr(void) { spawn(P, waitpid_eintr_P); }

/* ---- nanosleep-eintr ------------------------------------------------------------------------- */

static void nanosleep_C(void) {
  struct timespec ts = {1000, 0};
  check("C: nanosleep(1000 s)", R(nanosleep(&ts, &ts)), -EINTR);
  _exit(0);
}
static void nanosleep_eintr_P(void) {
  set_handler(SIGUSR1, noop_handler, SA_RESTART);
  pid_t c = spawn(C, nanosleep_C);
  await_state("C", c, 0, SLEEPING);
  check("kill(C, SIGUSR1)", R(kill(c, SIGUSR1)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0);
}
static void nanosleep_eintr(void) { spawn(P, nanosleep_eintr_P); }

/* ---- sig-ign ------------------------------------------------------------------------------------ */

static void sig_ign_P(void) {
  set_handler(SIGUSR1, SIG_IGN, 0);
  pid_t c = spawn(C, pause_then_99_C);
  check("kill(C, SIGUSR1), SIG_IGN", R(kill(c, SIGUSR1)), 0);
  settle();
  check_state("C still in pause()", c, 0, "S");
  WAIT_CHECK("waitpid(C, WNOHANG)", c, WNOHANG, 0, -1);
  check("kill(C, SIGTERM)", R(kill(c, SIGTERM)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0xf);
}
static void sig_ign(void) { spawn(P, sig_ign_P); }

/* ---- sigprocmask-block-unblock --------------------------------------------------------------------- */

static struct completion blocked, sent;
static void exit9_handler(int sig) {
  (void)sig;
  _exit(9);
}
static void sigprocmask_C(void) {
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGUSR1);
  check("C: sigprocmask(SIG_BLOCK, {SIGUSR1})", R(sigprocmask(SIG_BLOCK, &m, NULL)), 0);
  complete(&blocked);
  wait_for_completion(&sent);
  check("C: getpid() while SIGUSR1 is pending, blocked", R(getpid()), S->pid[C]);
  sigprocmask(SIG_UNBLOCK, &m, NULL);
  _exit(0);
}
static void sigprocmask_block_unblock_P(void) {
  init_completion(&blocked);
  init_completion(&sent);
  set_handler(SIGUSR1, exit9_handler, 0);
  pid_t c = spawn(C, sigprocmask_C);
  wait_for_completion(&blocked);
  check("kill(C, SIGUSR1)", R(kill(c, SIGUSR1)), 0);
  complete(&sent);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x900);
}
static void sigprocmask_block_unblock(void) { spawn(P, sigprocmask_block_unblock_P); }

/* ---- sa-resethand ------------------------------------------------------------------------------ */

static void resethand_C(void) {
  check("C: first pause()", R(pause()), -EINTR);
  pause();
  _exit(99);
}
static void sa_resethand_P(void) {
  set_handler(SIGUSR1, noop_handler, SA_RESETHAND);
  pid_t c = spawn(C, resethand_C);
  await_state("C", c, 0, SLEEPING);
  check("kill(C, SIGUSR1) (handler)", R(kill(c, SIGUSR1)), 0);
  msleep(20);
  await_state("C (second pause)", c, 0, SLEEPING);
  check("kill(C, SIGUSR1) (now SIG_DFL)", R(kill(c, SIGUSR1)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0xa);
}
static void sa_resethand(void) { spawn(P, sa_resethand_P); }

/* ---- raise-in-handler-deferred, nodefer-nested-signal ---------------------------------------------- */

static void deferred_handler(int sig) {
  (void)sig;
  check("C: raise(SIGUSR1) in its handler", R(tgkill_self(SIGUSR1)), 0);
  check("C: getpid() after it, still in the handler", R(getpid()), S->pid[C]);
}
static void deferred_C(void) {
  set_handler(SIGUSR1, deferred_handler, SA_RESETHAND);
  tgkill_self(SIGUSR1);
  _exit(99);
}
static void raise_in_handler_deferred_P(void) {
  pid_t c = spawn(C, deferred_C);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0xa);
}
static void raise_in_handler_deferred(void) { spawn(P, raise_in_handler_deferred_P); }

static void nodefer_handler(int sig) {
  (void)sig;
  tgkill_self(SIGUSR1);
  _exit(42);
}
static void nodefer_C(void) {
  set_handler(SIGUSR1, nodefer_handler, SA_RESETHAND | SA_NODEFER);
  tgkill_self(SIGUSR1);
  _exit(99);
}
static void nodefer_nested_signal_P(void) {
  pid_t c = spawn(C, nodefer_C);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0xa);
}
static void nodefer_nested_signal(void) { spawn(P, nodefer_nested_signal_P); }

/* ---- job control --------------------------------------------------------------------------------- */

static void sigstop_sigcont_wait_P(void) {
  pid_t c = spawn(C, pause_then_99_C);
  check("kill(C, SIGSTOP)", R(kill(c, SIGSTOP)), 0);
  WAIT_CHECK("waitpid(C, WUNTRACED)", c, WUNTRACED, c, 0x137f);
  check_state("C stopped", c, 0, "T");
  WAIT_CHECK("waitpid(C, WUNTRACED|WNOHANG) (reported once)", c, WUNTRACED | WNOHANG, 0, -1);
  check("kill(C, SIGCONT)", R(kill(c, SIGCONT)), 0);
  WAIT_CHECK("waitpid(C, WCONTINUED)", c, WCONTINUED, c, 0xffff);
  WAIT_CHECK("waitpid(C, WCONTINUED|WNOHANG)", c, WCONTINUED | WNOHANG, 0, -1);
  await_state("C (pause restarted)", c, 0, SLEEPING);
  check("kill(C, SIGKILL)", R(kill(c, SIGKILL)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x9);
}
static void sigstop_sigcont_wait(void) { spawn(P, sigstop_sigcont_wait_P); }

static void sigtstp_default_stop_P(void) {
  pid_t c = spawn(C, pause_then_99_C);
  check("kill(C, SIGTSTP)", R(kill(c, SIGTSTP)), 0);
  WAIT_CHECK("waitpid(C, WUNTRACED)", c, WUNTRACED, c, 0x147f);
  check_state("C stopped", c, 0, "T");
  check("kill(C, SIGKILL)", R(kill(c, SIGKILL)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x9);
}
static void sigtstp_default_stop(void) { spawn(P, sigtstp_default_stop_P); }

static void sigcont_not_stopped_P(void) {
  pid_t c = spawn(C, pause_then_99_C);
  await_state("C", c, 0, SLEEPING);
  check("kill(C, SIGCONT)", R(kill(c, SIGCONT)), 0);
  settle();
  check_state("C still in pause()", c, 0, "S");
  WAIT_CHECK("waitpid(C, WCONTINUED|WUNTRACED|WNOHANG)", c, WCONTINUED | WUNTRACED | WNOHANG, 0, -1);
  check("kill(C, SIGKILL)", R(kill(c, SIGKILL)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x9);
}
static void sigcont_not_stopped(void) { spawn(P, sigcont_not_stopped_P); }

static void sigkill_stopped_P(void) {
  pid_t c = spawn(C, pause_forever_C);
  check("kill(C, SIGSTOP)", R(kill(c, SIGSTOP)), 0);
  WAIT_CHECK("waitpid(C, WUNTRACED)", c, WUNTRACED, c, 0x137f);
  check("kill(C, SIGKILL)", R(kill(c, SIGKILL)), 0);
  WAIT_CHECK("waitpid(C, WUNTRACED|WCONTINUED)", c, WUNTRACED | WCONTINUED, c, 0x9);
}
static void sigkill_stopped(void) { spawn(P, sigkill_stopped_P); }

/* ---- zombies, orphans ------------------------------------------------------------------------------ */

static void exit4_C(void) { _exit(4); }
static void zombie_until_reaped_P(void) {
  pid_t c = spawn(C, exit4_C);
  await_state("C", c, 0, "Z");
  settle();
  check_state("C after a while", c, 0, "Z");
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x400);
  check_state("C after waitpid", c, 0, "");
  WAIT_CHECK("waitpid(C, WNOHANG)", c, WNOHANG, -ECHILD, -1);
}
static void zombie_until_reaped(void) { spawn(P, zombie_until_reaped_P); }

static void orphan_G(void) {
  await_state("C", S->pid[C], 0, "Z");
  /* The model's init is pid 1; here the case's process is the subreaper that plays it. */
  check("G: getppid() (init, or this test's init stand-in)", R(getppid()), S->pid[INIT]);
  _exit(3);
}
static void orphan_C(void) {
  spawn(G, orphan_G);
  _exit(0);
}
static void orphan_reparent_init_P(void) {
  pid_t c = spawn(C, orphan_C);
  while (!S->pid[G]) msleep(1);
  await_state("G (reaped by init)", S->pid[G], 0, "");
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0);
  WAIT_CHECK("waitpid(-1, WNOHANG)", -1, WNOHANG, -ECHILD, -1);
}
static void orphan_reparent_init(void) { spawn(P, orphan_reparent_init_P); }

/* ---- vfork ----------------------------------------------------------------------------------------- */

static void vfork_exit_P(void) {
  pid_t c = vfork();
  if (c == 0) {
    const pid_t p = getppid();
    await_state("P (in vfork)", p, 0, "D");
    msleep(50);
    check_state("C: P still asleep in vfork", p, 0, "D");
    _exit(7);
  }
  check("vfork() in P returns C", c > 0, 1);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x700);
}
static void vfork_exit(void) { spawn(P, vfork_exit_P); }

static struct completion go;
static void vfork_exec_P(void) {
  char fd[16];
  init_completion(&go);
  snprintf(fd, sizeof fd, "%d", go.fd[0]);
  pid_t c = vfork();
  if (c == 0) {
    const pid_t p = getppid();
    await_state("P (in vfork)", p, 0, "D");
    msleep(20);
    check_state("C: P still asleep in vfork", p, 0, "D");
    exec_self("wait-fd", fd, "8", NULL);
    _exit(99);
  }
  complete(&go); /* only reached once C has exec'd: else C would wait forever */
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x800);
}
static void vfork_exec(void) { spawn(P, vfork_exec_P); }

static struct completion killed;
static void vfork_unkillable_P(void) {
  pid_t c = vfork();
  if (c == 0) {
    const pid_t p = getppid();
    S->pid[C] = getpid();
    wait_for_completion(&killed);
    msleep(100);
    const char s = proc_state(p, 0);
    /* 2.6.32: 'D', P still in vfork.  3.4+: SIGKILL ended the wait: P is a zombie or reaped. */
    const int modern = kernel_at_least(3, 4);
    const int ok = modern ? (s == 'Z' || s == 0) : s == 'D';
    say("  %-52s = %-10c 2.6.32 expects D (asleep), 3.4+ gives Z or gone: %s", "C: P's state after K's SIGKILL",
        s ? s : '-', ok ? (modern ? "ok (modern behaviour)" : "ok") : "MISMATCH");
    verdict(ok);
    _exit(0);
  }
  _exit(99);
}
static void vfork_unkillable_K(void) {
  await_state("P (in vfork)", S->pid[P], 0, "D");
  check("K: kill(P, SIGKILL)", R(kill(S->pid[P], SIGKILL)), 0);
  complete(&killed);
}
static void vfork_parent_unkillable(void) {
  init_completion(&killed);
  spawn(P, vfork_unkillable_P);
  spawn(K, vfork_unkillable_K);
}

/* ---- exec ----------------------------------------------------------------------------------------- */

static void exec_replaces_C(void) {
  exec_self("exit", "5", NULL, NULL);
  _exit(99);
}
static void exec_replaces_program_P(void) {
  pid_t c = spawn(C, exec_replaces_C);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x500);
}
static void exec_replaces_program(void) { spawn(P, exec_replaces_program_P); }

static void exec_resets_C(void) {
  char pid[16], ppid[16];
  set_handler(SIGUSR1, noop_handler, 0);
  snprintf(pid, sizeof pid, "%d", getpid());
  snprintf(ppid, sizeof ppid, "%d", getppid());
  exec_self("raise-usr1", pid, ppid, NULL);
  _exit(99);
}
static void exec_resets_handlers_P(void) {
  pid_t c = spawn(C, exec_resets_C);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0xa);
}
static void exec_resets_handlers(void) { spawn(P, exec_resets_handlers_P); }

/* ---- threads ------------------------------------------------------------------------------------------- */

static void *pause_thread(void *arg) {
  (void)arg;
  S->pid[T] = gettid_();
  for (;;) pause();
  return NULL;
}
static void exit_group_C(void) {
  pthread_t th;
  pthread_create(&th, NULL, pause_thread, NULL);
  while (!S->pid[T]) msleep(1);
  await_state("T", getpid(), S->pid[T], "S");
  sys_exit_group(6);
  _exit(99);
}
static void exit_group_threads_P(void) {
  pid_t c = spawn(C, exit_group_C);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x600);
  check_state("T after waitpid", c, S->pid[T], "");
}
static void exit_group_threads(void) { spawn(P, exit_group_threads_P); }

static void *unblock_pause_thread(void *arg) {
  sigset_t m;
  (void)arg;
  sigemptyset(&m);
  sigaddset(&m, SIGTERM);
  check("T: sigprocmask(SIG_UNBLOCK, {SIGTERM})", -pthread_sigmask(SIG_UNBLOCK, &m, NULL), 0);
  S->pid[T] = gettid_();
  for (;;) pause();
  return NULL;
}
static void fatal_signal_C(void) {
  pthread_t th;
  sigset_t m;
  sigemptyset(&m);
  sigaddset(&m, SIGTERM);
  check("C: sigprocmask(SIG_BLOCK, {SIGTERM})", R(sigprocmask(SIG_BLOCK, &m, NULL)), 0);
  pthread_create(&th, NULL, unblock_pause_thread, NULL);
  for (;;) pause();
}
static void fatal_signal_threads_P(void) {
  pid_t c = spawn(C, fatal_signal_C);
  while (!S->pid[T]) msleep(1);
  await_state("T", c, S->pid[T], "S");
  check("kill(C, SIGTERM)", R(kill(c, SIGTERM)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0xf);
  check_state("T after waitpid", c, S->pid[T], "");
}
static void fatal_signal_threads(void) { spawn(P, fatal_signal_threads_P); }

static void *leader_exit_thread(void *arg) {
  (void)arg;
  S->pid[T] = gettid_();
  wait_for_completion(&go);
  sys_exit(5);
  return NULL;
}
static void leader_exit_C(void) {
  pthread_t th;
  pthread_create(&th, NULL, leader_exit_thread, NULL);
  sys_exit(3); /* the leader alone */
}
static void leader_exit_delayed_P(void) {
  init_completion(&go);
  pid_t c = spawn(C, leader_exit_C);
  await_state("C", c, 0, "Z");
  WAIT_CHECK("waitpid(C, WNOHANG), T alive", c, WNOHANG, 0, -1);
  complete(&go);
  int st = 0;
  long r = R(waitpid(c, &st, 0));
  /* 6.x: synchronize_group_exit() makes the last thread's code the group's */
  check_status_modern("waitpid(C, 0)", r, st, c, 0x300, 0x500, 6, 0);
  check_state("T after waitpid", c, S->pid[T], "");
}
static void leader_exit_delayed(void) { spawn(P, leader_exit_delayed_P); }

static void *exec_thread(void *arg) {
  char pid[16];
  (void)arg;
  snprintf(pid, sizeof pid, "%d", S->pid[C]);
  exec_self("ids", pid, "11", NULL);
  return NULL;
}
static void exec_from_thread_C(void) {
  pthread_t th;
  pthread_create(&th, NULL, exec_thread, NULL);
  for (;;) pause();
}
static void exec_from_thread_P(void) {
  pid_t c = spawn(C, exec_from_thread_C);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0xb00);
  WAIT_CHECK("waitpid(-1, __WALL)", -1, __WALL, -ECHILD, -1);
}
static void exec_from_thread(void) { spawn(P, exec_from_thread_P); }

/* ---- clone children with exit signal 0 ------------------------------------------------------------------- */

static char clone_stack[65536] __attribute__((aligned(16)));
static int exit8_fn(void *arg) {
  (void)arg;
  return 8; /* glibc's clone() then calls exit(8) */
}
static void wclone_wall_P(void) {
  pid_t c = clone(exit8_fn, clone_stack + sizeof clone_stack, 0 /* exit signal 0 */, NULL);
  S->pid[C] = c;
  await_state("C", c, 0, "Z");
  WAIT_CHECK("waitpid(C, 0)", c, 0, -ECHILD, -1);
  WAIT_CHECK("waitpid(-1, WNOHANG)", -1, WNOHANG, -ECHILD, -1);
  check_state("C still a zombie", c, 0, "Z");
  WAIT_CHECK("waitpid(C, __WALL)", c, __WALL, c, 0x800);
}
static void wclone_wall(void) { spawn(P, wclone_wall_P); }

static int exec_wait9_fn(void *arg) {
  char fd[16];
  (void)arg;
  snprintf(fd, sizeof fd, "%d", go.fd[0]);
  exec_self("wait-fd", fd, "9", NULL);
  return 99;
}
static void wclone_exec_sigchld_P(void) {
  init_completion(&go);
  pid_t c = clone(exec_wait9_fn, clone_stack + sizeof clone_stack, 0 /* exit signal 0 */, NULL);
  S->pid[C] = c;
  await_state("C (exec'd, waiting for go)", c, 0, "S");
  int st = 0;
  long r = R(waitpid(c, &st, WNOHANG));
  check_modern("waitpid(C, WNOHANG), C alive after its exec", r, -ECHILD, 0, 3, 0);
  complete(&go);
  await_state("C", c, 0, "Z");
  WAIT_CHECK("waitpid(C, 0) once C exited", c, 0, c, 0x900);
}
static void wclone_exec_sigchld(void) { spawn(P, wclone_exec_sigchld_P); }

static int exec4_fn(void *arg) {
  (void)arg;
  exec_self("exit", "4", NULL, NULL);
  return 99;
}
static void exec_unshares_sighand_P(void) {
  set_handler(SIGUSR1, noop_handler, 0);
  pid_t c = clone(exec4_fn, clone_stack + sizeof clone_stack, CLONE_VM | CLONE_SIGHAND | SIGCHLD, NULL);
  S->pid[C] = c;
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x400);
  check("P: raise(SIGUSR1), the handler kept", R(tgkill_self(SIGUSR1)), 0);
}
static void exec_unshares_sighand(void) { spawn(P, exec_unshares_sighand_P); }

static void wclone_threads_C(void) {
  pthread_t th;
  pthread_create(&th, NULL, pause_thread, NULL);
  for (;;) pause();
}
static void wclone_ignores_threads_P(void) {
  pid_t c = spawn(C, wclone_threads_C);
  while (!S->pid[T]) msleep(1);
  await_state("T", c, S->pid[T], "S");
  WAIT_CHECK("waitpid(-1, __WCLONE|WNOHANG)", -1, __WCLONE | WNOHANG, -ECHILD, -1);
  WAIT_CHECK("waitpid(-1, __WALL|WNOHANG)", -1, __WALL | WNOHANG, 0, -1);
  check("kill(C, SIGKILL)", R(kill(c, SIGKILL)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0x9);
}
static void wclone_ignores_threads(void) { spawn(P, wclone_ignores_threads_P); }

/* ---- SIGCHLD ignored, kill 0 -------------------------------------------------------------------------------- */

static void compute_exit3_C(void) {
  for (volatile int i = 0; i < 100000; ++i) {
  }
  _exit(3);
}
static void sigchld_ignored_autoreap_P(void) {
  set_handler(SIGCHLD, SIG_IGN, 0);
  pid_t c = spawn(C, compute_exit3_C);
  WAIT_CHECK("waitpid(C, 0), SIGCHLD ignored", c, 0, -ECHILD, -1);
  check_state("C after waitpid", c, 0, "");
  WAIT_CHECK("waitpid(-1, 0)", -1, 0, -ECHILD, -1);
}
static void sigchld_ignored_autoreap(void) { spawn(P, sigchld_ignored_autoreap_P); }

static void pause_eintr_0_C(void) {
  check("C: pause()", R(pause()), -EINTR);
  _exit(0);
}
static void kill_zero_probe_P(void) {
  set_handler(SIGUSR1, noop_handler, 0);
  pid_t c = spawn(C, pause_eintr_0_C);
  check("kill(C, 0), alive", R(kill(c, 0)), 0);
  await_state("C", c, 0, SLEEPING);
  check("kill(C, SIGUSR1)", R(kill(c, SIGUSR1)), 0);
  await_state("C", c, 0, "Z");
  check("kill(C, 0), zombie", R(kill(c, 0)), 0);
  WAIT_CHECK("waitpid(C, 0)", c, 0, c, 0);
  check("kill(C, 0), reaped", R(kill(c, 0)), -ESRCH);
}
static void kill_zero_probe(void) { spawn(P, kill_zero_probe_P); }

/* ---- the cases --------------------------------------------------------------------------------------------- */

struct outcome {
  int slot, status;
};
struct kcase {
  const char *name;
  void (*run)(void);
  struct outcome out[3]; /* statuses init must have reaped (status 0 with slot 0: none) */
};

#define EXITED(n) ((n) << 8)
static const struct kcase cases[] = {
    {"fork-exit-waitpid", fork_exit_waitpid, {{P, 0}}},
    {"waitpid-wnohang", waitpid_wnohang, {{P, 0}}},
    {"waitpid-echild", waitpid_echild, {{P, 0}, {Q, 0}}},
    {"sigkill-running-child", sigkill_running_child, {{P, 0}}},
    {"sigkill-sleeping-child", sigkill_sleeping_child, {{P, 0}}},
    {"sigterm-default", sigterm_default, {{P, 0}}},
    {"handler-interrupts-pause", handler_interrupts_pause, {{P, 0}}},
    {"waitpid-sa-restart", waitpid_sa_restart, {{P, 0}}},
    {"waitpid-eintr", waitpid_eintr, {{P, 0}}},
    {"nanosleep-eintr", nanosleep_eintr, {{P, 0}}},
    {"sig-ign", sig_ign, {{P, 0}}},
    {"sigprocmask-block-unblock", sigprocmask_block_unblock, {{P, 0}}},
    {"sa-resethand", sa_resethand, {{P, 0}}},
    {"raise-in-handler-deferred", raise_in_handler_deferred, {{P, 0}}},
    {"nodefer-nested-signal", nodefer_nested_signal, {{P, 0}}},
    {"sigstop-sigcont-wait", sigstop_sigcont_wait, {{P, 0}}},
    {"sigtstp-default-stop", sigtstp_default_stop, {{P, 0}}},
    {"sigcont-not-stopped", sigcont_not_stopped, {{P, 0}}},
    {"sigkill-stopped", sigkill_stopped, {{P, 0}}},
    {"zombie-until-reaped", zombie_until_reaped, {{P, 0}}},
    {"orphan-reparent-init", orphan_reparent_init, {{P, 0}, {G, EXITED(3)}}},
    {"vfork-exit", vfork_exit, {{P, 0}}},
    {"vfork-exec", vfork_exec, {{P, 0}}},
    {"vfork-parent-unkillable", vfork_parent_unkillable, {{P, SIGKILL}, {C, 0}, {K, 0}}},
    {"exec-replaces-program", exec_replaces_program, {{P, 0}}},
    {"exec-resets-handlers", exec_resets_handlers, {{P, 0}}},
    {"exit-group-threads", exit_group_threads, {{P, 0}}},
    {"fatal-signal-threads", fatal_signal_threads, {{P, 0}}},
    {"leader-exit-delayed", leader_exit_delayed, {{P, 0}}},
    {"exec-from-thread", exec_from_thread, {{P, 0}}},
    {"wclone-wall", wclone_wall, {{P, 0}}},
    {"wclone-exec-sigchld", wclone_exec_sigchld, {{P, 0}}},
    {"wclone-ignores-threads", wclone_ignores_threads, {{P, 0}}},
    {"exec-unshares-sighand", exec_unshares_sighand, {{P, 0}}},
    {"sigchld-ignored-autoreap", sigchld_ignored_autoreap, {{P, 0}}},
    {"kill-zero-probe", kill_zero_probe, {{P, 0}}},
};
#define NCASES (sizeof cases / sizeof cases[0])

/* The case's init: run the case (it forks the top-level tasks), then reap
 * every child, orphans included, as pid 1 does in the model. */
static void case_init(const struct kcase *kc) {
  setpgid(0, 0);
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  S->pid[INIT] = getpid();
  kc->run();
  for (;;) {
    int st;
    pid_t p = waitpid(-1, &st, __WALL);
    if (p < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int s = 1; s < NSLOTS; ++s)
      if (S->pid[s] == p && S->status[s] < 0) S->status[s] = st;
  }
  for (int i = 0; i < 3; ++i)
    if (kc->out[i].slot) check_outcome(kc->out[i].slot, kc->out[i].status);
  _exit(0);
}

static volatile sig_atomic_t timed_out;
static void on_alarm(int sig) {
  (void)sig;
  timed_out = 1;
}

static int run_case(const struct kcase *kc) {
  memset(S, 0, sizeof *S);
  for (int s = 0; s < NSLOTS; ++s) S->status[s] = -1;
  say("== %s", kc->name);
  pid_t init = fork();
  if (init == 0) case_init(kc);
  timed_out = 0;
  alarm(30);
  int st;
  while (waitpid(init, &st, 0) < 0) {
    if (timed_out) {
      say("  TIMEOUT: killing the case");
      kill(-init, SIGKILL);
      kill(init, SIGKILL);
      __atomic_fetch_add(&S->failures, 1, __ATOMIC_SEQ_CST);
      timed_out = 0;
    }
  }
  alarm(0);
  kill(-init, SIGKILL); /* leftovers of a failed case */
  say("   %s: %d checks, %d mismatches", S->failures ? "FAIL" : "pass", S->checks, S->failures);
  return S->failures;
}

int main(int argc, char **argv) {
  ssize_t n = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
  if (n < 0) return 2;
  self_exe[n] = 0;
  if (argc > 1 && !strcmp(argv[1], "--exec")) return exec_image(argc, argv);
  if (argc > 1 && !strcmp(argv[1], "--list")) {
    for (size_t i = 0; i < NCASES; ++i) puts(cases[i].name);
    return 0;
  }
  S = mmap(NULL, sizeof *S, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (S == MAP_FAILED) return 2;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, NULL);
  struct utsname u;
  uname(&u);
  say("kernel %s %s", u.sysname, u.release);

  int failed = 0, ran = 0;
  for (size_t i = 0; i < NCASES; ++i) {
    int want = argc == 1;
    for (int a = 1; a < argc; ++a)
      if (!strcmp(argv[a], cases[i].name)) want = 1;
    if (!want) continue;
    ++ran;
    if (run_case(&cases[i])) ++failed;
  }
  say("%d cases, %d failed", ran, failed);
  return failed ? 1 : 0;
}
