// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/rest/conditional.h"

#include <algorithm>
#include <cctype>

#include "core/form_decode.h"
#include "fhir/internal/rest/resource_util.h"

namespace mamori::fhir::internal {
namespace {

core::Status AddEntry(store::Store& store, std::string_view text,
                      std::vector<store::IndexEntry>& out) {
  MAMORI_ASSIGN_OR_RETURN(std::string hash, store.BlindIndex(text));
  out.push_back({.param = "identifier", .hash = std::move(hash)});
  return core::Status::Ok();
}

}  // namespace

core::Result<std::vector<store::IndexEntry>> IdentifierIndexEntries(
    const boost::json::object& resource, store::Store& store) {
  std::vector<store::IndexEntry> entries;
  const boost::json::value* ids = resource.if_contains("identifier");
  if (ids == nullptr || !ids->is_array()) return entries;
  for (const boost::json::value& item : ids->get_array()) {
    if (!item.is_object()) continue;
    const boost::json::value* value = item.get_object().if_contains("value");
    if (value == nullptr || !value->is_string()) continue;
    std::string v(value->get_string());
    const boost::json::value* system = item.get_object().if_contains("system");
    std::string s = system != nullptr && system->is_string() ? std::string(system->get_string())
                                                             : std::string();
    MAMORI_RETURN_IF_ERROR(AddEntry(store, s + "|" + v, entries));
    MAMORI_RETURN_IF_ERROR(AddEntry(store, v, entries));
  }
  return entries;
}

QueryPairs SplitQuery(std::string_view query) { return core::SplitFormQuery(query); }

core::Result<Criteria> ParseCriteria(const QueryPairs& query, store::Store& store) {
  Criteria criteria;
  for (const auto& [name, value] : query) {
    if (name == "_format" || name == "_pretty" || name == "_summary" || name == "_elements") {
      continue;
    }
    if (name == "_id") {
      criteria.id = value;
    } else if (name == "identifier") {
      if (!criteria.param.empty()) {
        return core::InvalidArgumentError("only one identifier criterion is supported");
      }
      criteria.param = "identifier";
      MAMORI_ASSIGN_OR_RETURN(criteria.hash, store.BlindIndex(value));
    } else {
      bool plain = name.size() <= 40 && std::all_of(name.begin(), name.end(), [](char c) {
                     return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ||
                            c == ':' || c == '.';
                   });
      return core::InvalidArgumentError(
          "conditional criteria support identifier and _id only; unsupported parameter " +
          (plain ? "'" + name + "'" : std::string("(not shown)")));
    }
  }
  if (criteria.id.empty() && criteria.param.empty()) {
    return core::InvalidArgumentError("conditional criteria are empty");
  }
  return criteria;
}

core::Result<std::vector<std::string>> Match(store::Transaction& tx, const std::string& type,
                                             const Criteria& criteria) {
  std::vector<std::string> ids;
  if (!criteria.param.empty()) {
    MAMORI_ASSIGN_OR_RETURN(ids, tx.FindByIndex(type, criteria.param, criteria.hash, 2));
  }
  if (!criteria.id.empty()) {
    MAMORI_ASSIGN_OR_RETURN(auto current, tx.ReadCurrent(type, criteria.id));
    bool live = current.has_value() && !current.value().deleted;
    if (criteria.param.empty()) {
      if (live) ids.push_back(criteria.id);
    } else {
      std::erase_if(ids, [&](const std::string& id) { return id != criteria.id || !live; });
    }
  }
  return ids;
}

}  // namespace mamori::fhir::internal
