// model/linux/itimer.cpp: alarm(2) on ITIMER_REAL (kernel/itimer.c
// alarm_setitimer(), do_setitimer(), itimer_get_remtime(), it_real_fn()).
//
// Virtual time has no seconds: one second of alarm() is one tick of the
// engine's clock, the unit nanosleep's ticks are in.  signal->real_timer is
// an hrtimer; its callback runs in interrupt context, which the model plays
// with one daemon engine thread per thread group that ever armed it, on
// init's behalf (it never touches init: current() is only a name there).
#include <fmt/format.h>

#include "model/linux/kernel.h"

namespace model {

namespace {

// signal->real_timer as the explorers see it: one object, named after the
// task that armed it first (that task's Field::real_timer).
SharedObject real_timer(const SignalStruct& sig) {
  return SharedObject(Kernel::obj(*sig.real_timer_owner, Field::real_timer));
}

}  // namespace

// alarm_setitimer() -> do_setitimer(ITIMER_REAL, {seconds, 0}, &old): under
// siglock, read what is left (itimer_get_remtime()), cancel, restart.
sim::Co<unsigned> Kernel::alarm_setitimer(Task& cur, unsigned seconds) {
  SignalStruct& sig = *cur.signal;
  co_await cur.sighand->siglock.lock("do_setitimer");
  const std::uint64_t now = eng.now();
  unsigned old = 0;
  if (sig.real_expires) {
    // itimer_get_remtime(): an active timer whose time has come but whose
    // callback has not run yet reads as 1 usec, and alarm_setitimer() never
    // returns 0 for a pending alarm ("we'd better return too much than too
    // little"): round up to one second.
    const std::uint64_t left = sig.real_expires > now ? sig.real_expires - now : 1;
    old = left > 0xffffffffULL ? 0xffffffffu : static_cast<unsigned>(left);
  }
  // hrtimer_try_to_cancel() + hrtimer_start(HRTIMER_MODE_REL); 0 disarms.
  sig.real_expires = seconds ? now + seconds : 0;
  if (sig.real_timer_owner) real_timer(sig).touch("hrtimer_start");
  if (seconds && sig.real_timer_tid == sim::kNoTid) {
    // The timer thread is the model's, not the kernel's: when the engine's
    // thread limit leaves no room for it, say so rather than never firing.
    if (!eng.can_spawn())
      throw NotImplemented(
          fmt::format("alarm: no room for the timer of {} (the engine's limit of {} threads is reached)", comm(cur.pid),
                      eng.max_threads()));
    sig.real_timer_owner = &cur;
    sig.real_timer_tid = eng.spawn(it_real_fn(&sig), init, /*daemon=*/true);
  } else if (sig.real_timer_tid != sim::kNoTid) {
    eng.wake(sig.real_timer_tid);  // it reads the new expiry
  }
  cur.sighand->siglock.unlock();
  co_return old;
}

void Kernel::itimer_group_dead(SignalStruct& sig) {
  // do_exit(): if (group_dead) hrtimer_cancel(&tsk->signal->real_timer).
  sig.real_expires = 0;
  if (sig.real_timer_tid == sim::kNoTid) return;
  real_timer(sig).touch("hrtimer_cancel");
  eng.wake(sig.real_timer_tid);
}

// The hrtimer: sleep until the expiry; at expiry, it_real_fn():
// kill_pid_info(SIGALRM, SEND_SIG_PRIV, sig->leader_pid), HRTIMER_NORESTART.
sim::Co<void> Kernel::it_real_fn(SignalStruct* sp) {
  SignalStruct& sig = *sp;
  const sim::ObjId timer = real_timer(sig).id();
  for (;;) {
    if (sig.live == 0) co_return;  // the group is dead: cancelled for good
    const std::uint64_t expires = sig.real_expires;
    const sim::Keep keep(co_await sim::this_frame, expires);
    const bool fired = co_await sim::block(timer, "hrtimer: real_timer", expires ? expires : sim::kNever);
    // Woken early: re-armed or cancelled (do_setitimer(), do_exit()).
    if (!fired || sig.real_expires != expires || !expires) continue;
    sig.real_expires = 0;  // the timer is no longer active once its callback runs
    Task* leader = sig.threads.empty() ? nullptr : sig.threads.front()->group_leader;
    if (!leader || leader->released) continue;
    co_await group_send_sig_info(SIGALRM, Siginfo{SIGALRM, SI_KERNEL, 0, 0}, *leader, 0);
  }
}

}  // namespace model
