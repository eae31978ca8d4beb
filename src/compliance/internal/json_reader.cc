// SPDX-License-Identifier: Apache-2.0

#include "compliance/internal/json_reader.h"

#include <utility>

namespace mamori::compliance::internal {

ObjectReader::ObjectReader(const boost::json::object& object, std::string where)
    : object_(object), where_(std::move(where)) {}

core::Status ObjectReader::Error(std::string_view key, std::string_view problem) const {
  return core::InvalidArgumentError(where_ + ": field '" + std::string(key) +
                                    "': " + std::string(problem));
}

const boost::json::value* ObjectReader::Take(std::string_view key) {
  const boost::json::value* v = object_.if_contains(key);
  if (v != nullptr) taken_.emplace(key);
  return v;
}

core::Result<std::string> ObjectReader::String(std::string_view key) {
  MAMORI_ASSIGN_OR_RETURN(std::optional<std::string> s, OptionalString(key));
  if (!s) return Error(key, "missing");
  return *std::move(s);
}

core::Result<std::optional<std::string>> ObjectReader::OptionalString(std::string_view key) {
  const boost::json::value* v = Take(key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return Error(key, "expected a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

core::Result<std::vector<std::string>> ObjectReader::StringArray(std::string_view key) {
  MAMORI_ASSIGN_OR_RETURN(auto items, OptionalStringArray(key));
  if (!items) return Error(key, "missing");
  return *std::move(items);
}

core::Result<std::optional<std::vector<std::string>>> ObjectReader::OptionalStringArray(
    std::string_view key) {
  const boost::json::value* v = Take(key);
  if (v == nullptr) return std::optional<std::vector<std::string>>();
  if (!v->is_array()) return Error(key, "expected an array of strings");
  std::vector<std::string> out;
  for (const boost::json::value& item : v->get_array()) {
    if (!item.is_string()) return Error(key, "expected an array of strings");
    out.emplace_back(item.get_string());
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

core::Result<const boost::json::array*> ObjectReader::Array(std::string_view key) {
  const boost::json::value* v = Take(key);
  if (v == nullptr) return Error(key, "missing");
  if (!v->is_array()) return Error(key, "expected an array");
  return &v->get_array();
}

core::Result<const boost::json::object*> ObjectReader::OptionalObject(std::string_view key) {
  const boost::json::value* v = Take(key);
  if (v == nullptr) return static_cast<const boost::json::object*>(nullptr);
  if (!v->is_object()) return Error(key, "expected an object");
  return &v->get_object();
}

core::Result<std::optional<int64_t>> ObjectReader::OptionalInt(std::string_view key) {
  const boost::json::value* v = Take(key);
  if (v == nullptr) return std::optional<int64_t>();
  if (v->is_int64()) return std::optional<int64_t>(v->get_int64());
  if (v->is_uint64() && v->get_uint64() <= INT64_MAX) {
    return std::optional<int64_t>(static_cast<int64_t>(v->get_uint64()));
  }
  return Error(key, "expected an integer");
}

core::Result<std::optional<bool>> ObjectReader::OptionalBool(std::string_view key) {
  const boost::json::value* v = Take(key);
  if (v == nullptr) return std::optional<bool>();
  if (!v->is_bool()) return Error(key, "expected true or false");
  return std::optional<bool>(v->get_bool());
}

core::Status ObjectReader::Finish() const {
  for (const auto& kv : object_) {
    if (!taken_.contains(std::string_view(kv.key()))) {
      return core::InvalidArgumentError(where_ + ": unknown field '" + std::string(kv.key()) + "'");
    }
  }
  return core::Status::Ok();
}

core::Result<boost::json::value> ParseJson(std::string_view text) {
  boost::json::error_code ec;
  boost::json::parse_options options;
  options.max_depth = 16;  // the catalogue nests four levels; deeper input is not a catalogue
  boost::json::value v = boost::json::parse(text, ec, {}, options);
  if (ec) return core::InvalidArgumentError("catalogue is not valid JSON: " + ec.message());
  return v;
}

}  // namespace mamori::compliance::internal
