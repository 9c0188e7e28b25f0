// fuzz/schedule_fuzz.cpp: bytes -> sim::decode_schedule, and back.
//
// What must hold (sim/schedule.h): a string either decodes, to at most
// max_len choices, or fails with an offset inside the string and a message;
// a decoded schedule re-encodes to a string that decodes to the same
// choices, and encoding is canonical (encoding that again gives the same
// string).  A hostile repeat count must not allocate more than max_len.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sim/schedule.h"

namespace {

constexpr std::size_t kMaxLen = 1 << 16;

[[noreturn]] void finding(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz_schedule: %s (input of %zu bytes)\n", what, input.size());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  sim::ScheduleError err;
  const auto choices = sim::decode_schedule(text, &err, kMaxLen);
  if (!choices) {
    if (err.offset >= text.size()) finding("error offset outside the string", text);
    if (err.message.empty()) finding("error without a message", text);
    return 0;
  }
  if (choices->size() > kMaxLen) finding("more choices than max_len", text);
  const std::string encoded = sim::encode_schedule(*choices);
  sim::ScheduleError err2;
  const auto again = sim::decode_schedule(encoded, &err2, kMaxLen);
  if (!again) finding("an encoded schedule does not decode", text);
  if (*again != *choices) finding("encode/decode round trip changed the choices", text);
  if (sim::encode_schedule(*again) != encoded) finding("encoding is not canonical", text);
  if (sim::count_switches(*choices) >= choices->size() && !choices->empty())
    finding("more switches than choices", text);
  return 0;
}
