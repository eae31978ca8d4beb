// SPDX-License-Identifier: Apache-2.0
// Boost.JSON 1.81 has no option to reject duplicate keys (boost::json::parser
// keeps the last one silently), so this file drives boost::json::basic_parser
// with its own handler: it forwards every event to a value_stack, as
// boost::json::parser does, and also keeps the keys of each open object, so
// a repeated key stops the parse at the offending byte. Objects with many
// keys switch from a linear scan to a hash set, so a hostile 100,000-key
// object costs O(n), not O(n^2).

#include "fhir/json_parser.h"

#include <cmath>
#include <new>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value_stack.hpp>

namespace mamori::fhir {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// The keys of each object being parsed, innermost last. Keys live in one
// arena string (offsets, not pointers, since it grows), truncated when an
// object ends, so a typical resource costs no allocation per key.
class KeyTracker {
 public:
  void BeginObject() {
    if (levels_.size() == depth_) levels_.emplace_back();
    Level& level = levels_[depth_++];
    level.first_key = keys_.size();
    level.arena_start = arena_.size();
    level.set.clear();
    level.hashed = false;
  }
  void EndObject() {
    const Level& level = levels_[--depth_];
    keys_.resize(level.first_key);
    arena_.resize(level.arena_start);
  }
  void AppendPart(std::string_view part) { partial_.append(part); }

  // Records the key that ends with `last`; false if the object already has it.
  bool AddKey(std::string_view last) {
    if (partial_.empty()) return Add(levels_[depth_ - 1], last);
    partial_.append(last);
    bool fresh = Add(levels_[depth_ - 1], partial_);
    partial_.clear();
    return fresh;
  }

 private:
  static constexpr size_t kLinearLimit = 32;

  struct Level {
    size_t first_key = 0;
    size_t arena_start = 0;
    std::unordered_set<std::string> set;  // once the object has many keys
    bool hashed = false;
  };
  struct Key {
    size_t offset;
    size_t size;
  };

  std::string_view View(const Key& k) const {
    return std::string_view(arena_).substr(k.offset, k.size);
  }

  bool Add(Level& level, std::string_view key) {
    if (level.hashed) return level.set.emplace(key).second;
    for (size_t i = level.first_key; i < keys_.size(); ++i) {
      if (View(keys_[i]) == key) return false;
    }
    keys_.push_back({arena_.size(), key.size()});
    arena_.append(key);
    if (keys_.size() - level.first_key > kLinearLimit) {
      for (size_t i = level.first_key; i < keys_.size(); ++i) level.set.emplace(View(keys_[i]));
      level.hashed = true;
    }
    return true;
  }

  std::vector<Level> levels_;
  std::vector<Key> keys_;
  std::string arena_;
  size_t depth_ = 0;
  std::string partial_;
};

// A basic_parser handler: boost::json::detail::handler plus KeyTracker.
struct Handler {
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();

  Handler() : st(json::storage_ptr(), temp, sizeof(temp)) { st.reset(); }

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }
  bool on_object_begin(error_code&) {
    keys.BeginObject();
    return true;
  }
  bool on_object_end(size_t n, error_code&) {
    keys.EndObject();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(error_code&) { return true; }
  bool on_array_end(size_t n, error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, size_t, error_code&) {
    keys.AppendPart(s);
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, size_t, error_code& ec) {
    if (!keys.AddKey(s)) {
      duplicate_key = true;
      ec = make_error_code(boost::system::errc::invalid_argument);
      return false;
    }
    st.push_key(s);
    return true;
  }
  // A NUL in a string is refused: FHIR strings cannot hold control
  // characters, and a leading NUL marks a decimal (fhir/json_number.h).
  bool on_string_part(json::string_view s, size_t, error_code& ec) {
    if (s.find('\0') != json::string_view::npos) return RefuseNul(ec);
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, size_t, error_code& ec) {
    if (s.find('\0') != json::string_view::npos) return RefuseNul(ec);
    st.push_string(s);
    return true;
  }
  bool RefuseNul(error_code& ec) {
    nul_in_string = true;
    ec = make_error_code(boost::system::errc::invalid_argument);
    return false;
  }
  bool on_number_part(json::string_view s, error_code&) {
    number_text.append(s.data(), s.size());
    return true;
  }
  bool on_int64(int64_t i, json::string_view, error_code&) {
    number_text.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, json::string_view, error_code&) {
    number_text.clear();
    st.push_uint64(u);
    return true;
  }
  // Fractions, exponents and integers beyond 64 bits keep their exact text
  // (fhir/json_number.h): a FHIR decimal is not a double.
  bool on_double(double d, json::string_view s, error_code& ec) {
    number_text.append(s.data(), s.size());
    if (!std::isfinite(d)) {  // 1e400: JSON allows it, FHIR decimals cannot hold it
      number_out_of_range = true;
      ec = make_error_code(boost::system::errc::result_out_of_range);
      return false;
    }
    std::string marked(1, '\0');
    marked += number_text;
    number_text.clear();
    st.push_string(marked);
    return true;
  }
  bool on_bool(bool b, error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, error_code&) { return true; }
  bool on_comment(json::string_view, error_code&) { return true; }

  // Scratch space for value_stack, as boost::json::parser has.
  unsigned char temp[4096];
  json::value_stack st;
  KeyTracker keys;
  bool duplicate_key = false;
  bool number_out_of_range = false;
  bool nul_in_string = false;
  std::string number_text;  // the current number's text, across parts
};

core::Status ParseError(size_t offset, std::string_view what) {
  return core::InvalidArgumentError("invalid JSON at byte " + std::to_string(offset) + ": " +
                                    std::string(what));
}

core::Result<json::value> RunParser(std::string_view bytes, size_t base_offset,
                                    const JsonLimits& limits) {
  json::parse_options options;
  options.max_depth = limits.max_depth;
  json::basic_parser<Handler> parser(options);
  error_code ec;
  size_t used = parser.write_some(false, bytes.data(), bytes.size(), ec);
  if (parser.handler().nul_in_string) {
    return ParseError(base_offset + used, "a string contains U+0000, which FHIR does not allow");
  }
  if (parser.handler().duplicate_key) return ParseError(base_offset + used, "duplicate object key");
  if (parser.handler().number_out_of_range)
    return ParseError(base_offset + used, "number out of range");

  if (ec == json::error::too_deep) {
    return ParseError(base_offset + used,
                      "nesting deeper than " + std::to_string(limits.max_depth));
  }
  // Boost's messages name the fault ("syntax error", "illegal UTF-8 ..."),
  // never the content.
  if (ec) return ParseError(base_offset + used, ec.message());
  if (used != bytes.size()) return ParseError(base_offset + used, "data after the JSON value");
  return parser.handler().st.release();
}

}  // namespace

core::Result<json::object> ParseResourceJson(std::string_view bytes, const JsonLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return core::ResourceExhaustedError("JSON document of " + std::to_string(bytes.size()) +
                                        " bytes exceeds the limit of " +
                                        std::to_string(limits.max_bytes));
  }
  size_t offset = 0;
  if (bytes.starts_with("\xEF\xBB\xBF")) offset = 3;
  json::value value;
  try {
    MAMORI_ASSIGN_OR_RETURN(value, RunParser(bytes.substr(offset), offset, limits));
  } catch (const std::bad_alloc&) {
    throw;  // fatal by STYLE rule 6
  } catch (const std::exception&) {
    // value_stack throws only on limits far beyond max_bytes; convert anyway
    // so no exception crosses the module boundary.
    return core::InvalidArgumentError("invalid JSON: value too large");
  }
  if (!value.is_object()) {
    return core::InvalidArgumentError("invalid JSON at byte " + std::to_string(offset) +
                                      ": the top-level value is not an object");
  }
  return std::move(value.get_object());
}

}  // namespace mamori::fhir
