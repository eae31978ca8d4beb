// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to compliance: include "compliance/catalogue.h" instead.
//
// A strict reader over one Boost.JSON object: every field is taken by name
// with its expected type, and Finish() reports any field nobody took, so a
// misspelt or unexpected field in the catalogue is an error rather than
// silently ignored (issue 9: unknown fields give a clear error).
//
// Borrows the object; it must outlive the reader. Not thread-safe.
//
//   ObjectReader r(obj, "requirements[3] (GOV-04)");
//   MAMORI_ASSIGN_OR_RETURN(std::string id, r.String("id"));
//   MAMORI_ASSIGN_OR_RETURN(auto note, r.OptionalString("patterns_note"));
//   MAMORI_RETURN_IF_ERROR(r.Finish());

#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "core/status.h"

namespace mamori::compliance::internal {

class ObjectReader {
 public:
  // `where` names the object in error messages, e.g. "requirements[3] (GOV-04)".
  ObjectReader(const boost::json::object& object, std::string where);

  // Each returns kInvalidArgument naming `where` and the key when the field is
  // missing (non-optional forms) or has the wrong type.
  core::Result<std::string> String(std::string_view key);
  core::Result<std::optional<std::string>> OptionalString(std::string_view key);
  core::Result<std::vector<std::string>> StringArray(std::string_view key);
  core::Result<std::optional<std::vector<std::string>>> OptionalStringArray(std::string_view key);
  core::Result<const boost::json::array*> Array(std::string_view key);
  core::Result<const boost::json::object*> OptionalObject(std::string_view key);
  core::Result<std::optional<int64_t>> OptionalInt(std::string_view key);
  core::Result<std::optional<bool>> OptionalBool(std::string_view key);

  // kInvalidArgument naming the first field that was never read.
  core::Status Finish() const;

  const std::string& where() const { return where_; }
  core::Status Error(std::string_view key, std::string_view problem) const;

 private:
  const boost::json::value* Take(std::string_view key);

  const boost::json::object& object_;
  std::string where_;
  std::set<std::string, std::less<>> taken_;
};

// Parses JSON text with Boost.JSON's error_code API (no exceptions).
// kInvalidArgument with the parser's message on malformed JSON.
core::Result<boost::json::value> ParseJson(std::string_view text);

}  // namespace mamori::compliance::internal
