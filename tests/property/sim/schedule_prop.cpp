// Schedule strings round-trip: decode(encode(v)) == v for any choice list.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>
#include <vector>

#include "sim/schedule.h"

namespace {

using sim::Tid;

// Thread ids from every part of the alphabet: letters (0..51), small and
// huge {n}, the largest valid id.
rc::Gen<Tid> gen_tid() {
  return rc::gen::weightedOneOf<Tid>({
      {4, rc::gen::inRange<Tid>(0, 52)},
      {2, rc::gen::inRange<Tid>(52, 1000)},
      {1, rc::gen::inRange<Tid>(1000, sim::kNoTid)},
      {1, rc::gen::element<Tid>(0, 25, 26, 51, 52, sim::kNoTid - 1)},
  });
}

// Choice lists made of runs, some of them long (counts of many digits).
rc::Gen<std::vector<Tid>> gen_choices() {
  auto run = rc::gen::pair(gen_tid(), rc::gen::weightedOneOf<std::size_t>({
                                          {6, rc::gen::inRange<std::size_t>(1, 4)},
                                          {2, rc::gen::inRange<std::size_t>(4, 40)},
                                          {1, rc::gen::inRange<std::size_t>(40, 5000)},
                                      }));
  return rc::gen::map(rc::gen::container<std::vector<std::pair<Tid, std::size_t>>>(run),
                      [](const std::vector<std::pair<Tid, std::size_t>>& runs) {
                        std::vector<Tid> v;
                        for (auto [t, n] : runs) v.insert(v.end(), n, t);
                        return v;
                      });
}

RC_GTEST_PROP(SimScheduleProp, DecodeEncodeRoundTrips, ()) {
  const std::vector<Tid> v = *gen_choices();
  const std::string s = sim::encode_schedule(v);
  RC_CLASSIFY(s.find('{') != std::string::npos, "ids > 51");
  RC_CLASSIFY(v.size() >= 1000, "1000+ choices");
  sim::ScheduleError err;
  const auto back = sim::decode_schedule(s, &err);
  RC_ASSERT(back.has_value());
  RC_ASSERT(*back == v);
  // Printable, and no longer than needed: at most one symbol per choice.
  for (char c : s)
    RC_ASSERT((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '{' || c == '}');
  RC_ASSERT(sim::count_switches(*back) == sim::count_switches(v));
}

RC_GTEST_PROP(SimScheduleProp, EncodingIsCanonical, ()) {
  // encode(decode(s)) is a fixed point: re-encoding a decoded string gives
  // the same string, whatever spelling ("a2" vs "aa", "{3}" vs "d") s used.
  const std::vector<Tid> v = *gen_choices();
  const std::string s = sim::encode_schedule(v);
  RC_ASSERT(sim::encode_schedule(*sim::decode_schedule(s)) == s);
}

RC_GTEST_PROP(SimScheduleProp, ArbitraryTextNeverCrashesAndErrorsPointInside, (const std::string& text)) {
  sim::ScheduleError err;
  const auto v = sim::decode_schedule(text, &err, 100'000);
  if (v) {
    RC_ASSERT(v->size() <= 100'000u);
  } else {
    RC_ASSERT(err.offset < text.size());
    RC_ASSERT(!err.message.empty());
  }
}

RC_GTEST_PROP(SimScheduleProp, MaxLenIsRespected, ()) {
  const std::vector<Tid> v = *gen_choices();
  const std::size_t max_len = *rc::gen::inRange<std::size_t>(0, v.size() + 2);
  const auto back = sim::decode_schedule(sim::encode_schedule(v), nullptr, max_len);
  RC_ASSERT(back.has_value() == (v.size() <= max_len));
}

}  // namespace
