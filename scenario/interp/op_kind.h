// scenario/interp/op_kind.h: helpers the interpreter's files share (private
// to scenario/interp): an op's kind as a constant, and OpResult makers.
#pragma once

#include <cstddef>
#include <type_traits>
#include <variant>

#include "scenario/interp/interp.h"

namespace model {

template <class T, class V>
struct VariantIndex;
template <class T, class... Ts>
struct VariantIndex<T, std::variant<Ts...>> {
  static constexpr std::size_t value = [] {
    std::size_t i = 0;
    (void)((std::is_same_v<T, Ts> ? true : (++i, false)) || ...);
    return i;
  }();
};
// kOp<WaitpidOp>: the index of an op kind in OpBody, to compare with op.body.index().
template <class T>
constexpr std::size_t kOp = VariantIndex<T, OpBody>::value;

inline OpResult value_result(std::int64_t v) { return OpResult{v, ResultKind::Value, 0}; }
// A syscall's return value as an op's result: a negative one is an errno.
inline OpResult from_ret(std::int64_t ret) {
  return ret < 0 ? OpResult{-ret, ResultKind::Errno, 0} : value_result(ret);
}
inline OpResult none_result() { return OpResult{0, ResultKind::None, 0}; }

}  // namespace model
