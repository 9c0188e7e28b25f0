// scenario/load/json.cpp: bytes -> JSON for the scenario loader.
//
// nlohmann's parser would accept duplicate keys silently (the last wins) and
// its DOM is built recursively by the caller's code, so the document is
// checked before parsing (size, nesting depth) and parsed with our own SAX
// handler, which builds the DOM iteratively, keeps the JSON pointer of the
// value being read (for syntax-error messages) and reports duplicate keys.
#include <algorithm>
#include <list>
#include <unordered_set>

#include "scenario/load/impl.h"
#include "scenario/printable.h"
#include "scenario/suggest.h"

namespace model::loader {

std::string ptr_append(const std::string& base, std::string_view token) {
  std::string out = base;
  out.reserve(base.size() + token.size() + 1);
  out += '/';
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string ptr_append(const std::string& base, std::size_t index) { return base + '/' + std::to_string(index); }

const char* type_name(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "an object";
    case Json::value_t::array: return "an array";
    case Json::value_t::string: return "a string";
    case Json::value_t::boolean: return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "an integer";
    case Json::value_t::number_float: return "a number";
    default: return "a value";
  }
}

namespace {

template <class Range>
std::string closest_in(std::string_view word, const Range& candidates) {
  std::string best;
  std::size_t best_d = 3;
  for (std::string_view c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_d) {
      best_d = d;
      best = std::string(c);
    }
  }
  return best;
}

}  // namespace

std::string closest(std::string_view word, std::initializer_list<std::string_view> candidates) {
  return closest_in(word, candidates);
}
std::string closest(std::string_view word, const std::vector<std::string_view>& candidates) {
  return closest_in(word, candidates);
}

void Diag::error(std::string_view id, std::string ptr, std::string message) {
  if (capped) return;
  if (errors.size() >= max_errors) {
    capped = true;
    errors.push_back(
        {"scenario.E009", "", "too many errors; the first " + std::to_string(max_errors) + " are shown", file});
    return;
  }
  errors.push_back({std::string(id), std::move(ptr), std::move(message), file});
}

namespace {

struct LineCol {
  std::size_t line = 1, column = 1;
};
LineCol line_col(std::string_view text, std::size_t offset) {
  LineCol lc;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++lc.line;
      lc.column = 1;
    } else {
      ++lc.column;
    }
  }
  return lc;
}

// The offset of the first bracket that opens level max_depth+1, if any.
// Brackets inside strings do not count.  Runs before the parser, so a file
// of 10,000 '[' costs a linear scan and nothing else.
std::optional<std::size_t> too_deep(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (escaped)
        escaped = false;
      else if (c == '\\')
        escaped = true;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

// The offset of the first byte that is not well-formed UTF-8 (RFC 3629), if any.
std::optional<std::size_t> bad_utf8(std::string_view text) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  for (std::size_t i = 0; i < text.size();) {
    unsigned c = byte(i);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    unsigned lo = 0x80, hi = 0xbf;  // range of the second byte
    if (c >= 0xc2 && c <= 0xdf)
      n = 1;
    else if (c == 0xe0)
      n = 2, lo = 0xa0;
    else if (c == 0xed)
      n = 2, hi = 0x9f;
    else if (c >= 0xe1 && c <= 0xef)
      n = 2;
    else if (c == 0xf0)
      n = 3, lo = 0x90;
    else if (c == 0xf4)
      n = 3, hi = 0x8f;
    else if (c >= 0xf1 && c <= 0xf3)
      n = 3;
    else
      return i;
    if (i + n >= text.size()) return i;  // truncated sequence
    unsigned c1 = byte(i + 1);
    if (c1 < lo || c1 > hi) return i;
    for (std::size_t k = 2; k <= n; ++k)
      if (byte(i + k) < 0x80 || byte(i + k) > 0xbf) return i;
    i += n + 1;
  }
  return std::nullopt;
}

// Builds an ordered_json DOM without recursion, like nlohmann's own
// json_sax_dom_parser, and reports duplicate keys (the first value is kept).
class DomBuilder : public nlohmann::json_sax<Json> {
 public:
  explicit DomBuilder(Diag& diag) : d_(diag) {}

  Json root;
  bool failed = false;
  std::string error_ptr;  // where parsing stopped
  std::string error_what;
  std::size_t error_offset = 0;

  bool null() override { return put(Json(nullptr)); }
  bool boolean(bool v) override { return put(Json(v)); }
  bool number_integer(number_integer_t v) override { return put(Json(v)); }
  bool number_unsigned(number_unsigned_t v) override { return put(Json(v)); }
  bool number_float(number_float_t v, const string_t&) override { return put(Json(v)); }
  bool string(string_t& v) override { return put(Json(std::move(v))); }
  bool binary(binary_t&) override { return false; }  // never produced by the JSON parser

  bool start_object(std::size_t) override { return open(Json::object()); }
  bool start_array(std::size_t) override { return open(Json::array()); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    Frame& f = stack_.back();
    f.key = k;
    if (!f.keys.insert(k).second) {
      d_.error("scenario.E008", ptr_append(container_pointer(), k),
               "duplicate key '" + k + "' (each key may appear once in an object)");
      discards_.emplace_back();
      slot_ = &discards_.back();
      return true;
    }
    // The key is new (checked above): append without ordered_map's linear
    // lookup, which would make a 500,000-key object quadratic.
    auto& members = f.value->get_ref<Json::object_t&>();
    slot_ = &members.Container::emplace_back(k, nullptr).second;
    return true;
  }

  bool parse_error(std::size_t position, const std::string&, const nlohmann::detail::exception& ex) override {
    failed = true;
    error_offset = position;
    error_ptr = pointer();
    error_what = ex.what();
    return false;
  }

 private:
  struct Frame {
    Json* value;
    std::string token;  // how the parent reaches this container
    std::string key;    // objects: the key being read
    std::unordered_set<std::string> keys;
  };

  // The innermost open container's JSON pointer.
  std::string container_pointer() const {
    std::string p;
    for (std::size_t i = 1; i < stack_.size(); ++i) p = ptr_append(p, stack_[i].token);
    return p;
  }
  // Where the next value goes; its JSON pointer.
  std::string pointer() const {
    std::string p = container_pointer();
    if (!stack_.empty()) {
      const Frame& top = stack_.back();
      if (top.value->is_array())
        p = ptr_append(p, top.value->size());
      else if (slot_)
        p = ptr_append(p, top.key);
    }
    return p;
  }

  Json* place(Json&& v) {
    if (stack_.empty()) {
      root = std::move(v);
      return &root;
    }
    Json* top = stack_.back().value;
    if (top->is_array()) {
      top->push_back(std::move(v));
      return &top->back();
    }
    Json* s = slot_;
    slot_ = nullptr;
    *s = std::move(v);
    return s;
  }
  bool put(Json&& v) {
    place(std::move(v));
    return true;
  }
  bool open(Json&& v) {
    std::string token;
    if (!stack_.empty()) {
      const Frame& top = stack_.back();
      token = top.value->is_array() ? std::to_string(top.value->size()) : top.key;
    }
    Json* where = place(std::move(v));
    stack_.push_back(Frame{where, std::move(token), {}, {}});
    return true;
  }
  bool close() {
    stack_.pop_back();
    slot_ = nullptr;
    return true;
  }

  Diag& d_;
  std::vector<Frame> stack_;
  Json* slot_ = nullptr;      // the member the next value goes to
  std::list<Json> discards_;  // values of duplicate keys (stable addresses)
};

std::string strip_nlohmann_prefix(std::string what) {
  // "[json.exception.parse_error.101] parse error at line 1, column 5: ..."
  if (!what.empty() && what.front() == '[') {
    auto end = what.find("] ");
    if (end != std::string::npos) what.erase(0, end + 2);
  }
  // Its "last read: '...'" quotes the input's bytes, possibly half a UTF-8
  // sequence: a message must be valid UTF-8 (check --json writes it).
  return printable(what);
}

}  // namespace

std::optional<Json> parse_document(std::string_view text, const LoadLimits& limits, Diag& diag) {
  if (text.size() > limits.max_bytes) {
    diag.error("scenario.E003", "",
               "file too large: " + std::to_string(text.size()) + " bytes (the limit is " +
                   std::to_string(limits.max_bytes) + ")");
    return std::nullopt;
  }
  // Our own walks recurse over the document; keep them far from the stack's end
  // even when a caller raises the limit.
  std::size_t max_depth = std::min<std::size_t>(limits.max_depth, 1000);
  if (auto at = too_deep(text, max_depth)) {
    LineCol lc = line_col(text, *at);
    diag.error("scenario.E004", "",
               "nesting deeper than " + std::to_string(max_depth) + " levels at line " + std::to_string(lc.line) +
                   ", column " + std::to_string(lc.column));
    return std::nullopt;
  }
  // A UTF-8 byte order mark (EF BB BF) at the very start is ignored, as RFC
  // 8259 allows (nlohmann's lexer skips it); anywhere else it is a syntax
  // error outside a string and U+FEFF inside one.  Offsets and columns in
  // messages count it.  docs/scenarios.md "The file (utsim)".  One before the
  // document but not first (a second one, or after whitespace) gets a message
  // that says so rather than nlohmann's "invalid literal".
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  const std::size_t start = text.substr(0, 3) == kBom ? 3 : 0;
  if (const std::size_t first = text.find_first_not_of(" \t\r\n", start);
      first != std::string_view::npos && text.substr(first, 3) == kBom) {
    LineCol lc = line_col(text, first);
    diag.error("scenario.E001", "",
               "not valid JSON: a UTF-8 byte order mark at line " + std::to_string(lc.line) + ", column " +
                   std::to_string(lc.column) + " (byte " + std::to_string(first) +
                   "); one is ignored only as the file's first three bytes");
    return std::nullopt;
  }
  DomBuilder dom(diag);
  bool ok = Json::sax_parse(text.begin(), text.end(), &dom, nlohmann::detail::input_format_t::json,
                            /*strict=*/true, /*ignore_comments=*/false);
  if (!ok || dom.failed) {
    // nlohmann checks UTF-8 inside strings, and any non-ASCII byte outside one
    // is a syntax error; a bad sequence before the stop is the real cause.
    auto at = bad_utf8(text);
    if (at && *at <= dom.error_offset) {
      LineCol lc = line_col(text, *at);
      diag.error("scenario.E002", dom.error_ptr,
                 "not valid UTF-8: byte " + std::to_string(*at) + " (line " + std::to_string(lc.line) + ", column " +
                     std::to_string(lc.column) + ") does not start a well-formed sequence; scenario files are UTF-8");
    } else if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos && nul <= dom.error_offset) {
      // nlohmann says "unexpected end of input" for a NUL outside a string.
      LineCol lc = line_col(text, nul);
      diag.error("scenario.E001", dom.error_ptr,
                 "not valid JSON: a NUL byte at line " + std::to_string(lc.line) + ", column " +
                     std::to_string(lc.column) + " (byte " + std::to_string(nul) +
                     "); JSON text cannot hold one (in a string, write \\u0000)");
    } else {
      diag.error("scenario.E001", dom.error_ptr, "not valid JSON: " + strip_nlohmann_prefix(dom.error_what));
    }
    return std::nullopt;
  }
  // nlohmann's lexer takes a NUL byte outside a string for the end of the
  // input (it also parses C strings), so "{...}\0garbage" parsed.  A NUL
  // inside a string is a syntax error, so after a successful parse the first
  // NUL is where the parser stopped: the document ended there and bytes
  // follow it.
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos) {
    LineCol lc = line_col(text, nul);
    diag.error("scenario.E001", "",
               "not valid JSON: text after the document: a NUL byte at line " + std::to_string(lc.line) + ", column " +
                   std::to_string(lc.column) + " (byte " + std::to_string(nul) + ", " +
                   std::to_string(text.size() - nul) + (text.size() - nul == 1 ? " byte" : " bytes") +
                   " to the end); only whitespace may follow the document");
    return std::nullopt;
  }
  return std::move(dom.root);
}

}  // namespace model::loader
