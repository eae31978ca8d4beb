// SPDX-License-Identifier: Apache-2.0
#pragma once

// http::Headers: the header fields of a Request or a Response, in arrival
// order, with names compared case-insensitively (RFC 9110 section 5.1). It is a
// plain value type with no Beast types, so handlers and tests build it freely.
//
// Thread-safety: a value; one object needs external synchronisation.
//
//   http::Headers h;
//   h.Add("Accept", "application/fhir+json");
//   if (auto v = h.Get("accept")) { ... }          // finds "Accept"
//   h.Set("Cache-Control", "no-store");            // replaces every earlier value

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mamori::http {

// ASCII case-insensitive equality, as header names and methods need.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

class Headers {
 public:
  using Entry = std::pair<std::string, std::string>;

  // Appends a field; an existing field of the same name is kept.
  void Add(std::string name, std::string value);
  // Removes every field named `name`, then appends one.
  void Set(std::string name, std::string value);
  // Removes every field named `name`.
  void Remove(std::string_view name);

  // The first value of `name`, or nullopt. The view lives as long as the field.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every value of `name` in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Contains(std::string_view name) const { return Get(name).has_value(); }

  const std::vector<Entry>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }

 private:
  std::vector<Entry> entries_;
};

}  // namespace mamori::http
