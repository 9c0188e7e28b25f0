// scenario/load/ops_memory.cpp: litmus ops on the scenario's shared
// variables (extension, issue 12; docs/scenarios.md "Litmus programs"):
//
//   {"write_once": {"var": "x", "value": 1}}   {"read_once": "x"}
//   {"smp_store_release": {"var": "x", "value": 1}}   {"smp_load_acquire": "x"}
//   {"xchg": {"var": "x", "value": 1}}   (result: the old value)
//   {"smp_mb": {}}  {"smp_wmb": {}}  {"smp_rmb": {}}  {"smp_mb__after_spinlock": {}}
//   {"spin_lock": "s"}  {"spin_unlock": "s"}   (named spinlocks, created on first use)
#include "scenario/load/impl.h"

namespace model::loader {

void Loader::read_memory(std::string_view key, const Json& v, const std::string& ptr, const Ctx& ctx, Op& out) {
  (void)ctx;
  struct Kind {
    std::string_view key;
    MemOp::Kind kind;
  };
  static constexpr Kind kKinds[] = {
      {"write_once", MemOp::Kind::WriteOnce},
      {"read_once", MemOp::Kind::ReadOnce},
      {"smp_store_release", MemOp::Kind::StoreRelease},
      {"smp_load_acquire", MemOp::Kind::LoadAcquire},
      {"xchg", MemOp::Kind::Xchg},
      {"smp_mb", MemOp::Kind::Mb},
      {"smp_wmb", MemOp::Kind::Wmb},
      {"smp_rmb", MemOp::Kind::Rmb},
      {"smp_mb__after_spinlock", MemOp::Kind::MbAfterSpinlock},
      {"spin_lock", MemOp::Kind::SpinLock},
      {"spin_unlock", MemOp::Kind::SpinUnlock},
  };
  MemOp op;
  for (const Kind& k : kKinds)
    if (k.key == key) op.kind = k.kind;
  switch (op.kind) {
    case MemOp::Kind::WriteOnce:
    case MemOp::Kind::StoreRelease:
    case MemOp::Kind::Xchg: {
      auto a = args(key, v, ptr, "", {"var", "value"});
      if (!a) return;
      if (const Json* n = need(*a, key, "var"))
        if (auto s = string(*n, a->at("var"), "a shared variable")) op.var = var_slot(*s, a->at("var"));
      if (const Json* x = need(*a, key, "value"))
        if (auto i = integer(*x, a->at("value"), INT64_MIN, INT64_MAX, "the value stored")) op.value = *i;
      break;
    }
    case MemOp::Kind::ReadOnce:
    case MemOp::Kind::LoadAcquire: {
      auto a = args(key, v, ptr, "var", {"var"});
      if (!a) return;
      if (const Json* n = need(*a, key, "var"))
        if (auto s = string(*n, a->at("var"), "a shared variable")) op.var = var_slot(*s, a->at("var"));
      break;
    }
    case MemOp::Kind::SpinLock:
    case MemOp::Kind::SpinUnlock: {
      auto a = args(key, v, ptr, "lock", {"lock"});
      if (!a) return;
      if (const Json* n = need(*a, key, "lock")) {
        if (auto s = name(*n, a->at("lock"), "a spinlock")) {
          if (!spinlock_index_.count(*s) && sc_.spinlock_names.size() >= kMaxSpinlocks) {
            error("scenario.E068", a->at("lock"), "more than " + std::to_string(kMaxSpinlocks) + " spinlocks");
            return;
          }
          op.lock = intern(sc_.spinlock_names, spinlock_index_, *s);
        }
      }
      break;
    }
    default:  // the barriers: {} (null and true too, as for settle)
      if (v.is_object()) {
        if (!object(v, ptr, "the arguments of '" + std::string(key) + "'", {})) return;
      } else if (!(v.is_null() || (v.is_boolean() && v.get<bool>()))) {
        error("scenario.E055", ptr,
              "expected {} for '" + std::string(key) + "' (null and true are accepted too), got " +
                  (v.is_boolean() ? std::string("false") : type_name(v)));
        return;
      }
      break;
  }
  out.body = op;
}

}  // namespace model::loader
