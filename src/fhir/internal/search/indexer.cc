// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/search/indexer.h"

#include "fhir/json_parser.h"
#include "fhir/search_index.h"

namespace mamori::fhir::internal {
namespace {

constexpr char kId[] = "_id";
constexpr char kLastUpdated[] = "_lastUpdated";

store::IndexEntry WithRange(std::string hash, const search::IndexEntry& e) {
  store::IndexEntry out{.hash = std::move(hash)};
  if (e.time) {
    out.range = store::IndexEntry::Range::kTime;
    out.time_low = e.time->low;
    out.time_high = e.time->high;
  } else if (e.number) {
    out.range = store::IndexEntry::Range::kNumber;
    out.number_low = e.number->low;
    out.number_high = e.number->high;
  }
  return out;
}

}  // namespace

// No :contains grams: they were 31% of a small Patient's entries and the
// strongest leak of the string forms (docs/SECURITY.md); :contains is answered
// by a scan with a recheck instead. Composites from their parts' broadest
// forms only: the full product was 15% of a Synthea resource's entries. No
// "|code" rows: a code without a system (status, gender) has its tc row.
const search::ExtractOptions& IndexExtractOptions() {
  static const search::ExtractOptions* options = new search::ExtractOptions{
      .contains_grams = false, .full_composites = false, .systemless_codes = false};
  return *options;
}

core::Result<std::string> IndexHash(store::Store& store, std::string_view type,
                                    std::string_view param, search::IndexForm form,
                                    std::string_view value) {
  return store.BlindIndex(search::HashInput(type, param, form, value));
}

core::Result<std::vector<store::IndexEntry>> ContentEntries(const std::string& type,
                                                            const boost::json::object& resource,
                                                            store::Store& store) {
  MAMORI_ASSIGN_OR_RETURN(std::vector<search::IndexEntry> entries,
                          search::ExtractIndexEntries(resource, IndexExtractOptions()));
  std::vector<store::IndexEntry> out;
  out.reserve(entries.size() + 4);
  for (const search::IndexEntry& e : entries) {
    if (e.param == kId || e.param == kLastUpdated) continue;  // the write decides these
    MAMORI_ASSIGN_OR_RETURN(std::string hash, store.BlindIndex(search::HashInput(type, e)));
    out.push_back(WithRange(std::move(hash), e));
  }
  return out;
}

core::Status AppendIdentityEntries(const std::string& type, const std::string& id,
                                   store::Store& store, std::vector<store::IndexEntry>& out) {
  using search::IndexForm;
  MAMORI_ASSIGN_OR_RETURN(std::string present, TypeHash(store, type));
  MAMORI_ASSIGN_OR_RETURN(std::string code, IndexHash(store, type, kId, IndexForm::kTokenCode, id));
  // No kPresent entry for _lastUpdated: every version has one, and its date
  // entry answers :missing (search::PresenceForm).
  MAMORI_ASSIGN_OR_RETURN(std::string updated,
                          IndexHash(store, type, kLastUpdated, IndexForm::kDate, ""));
  out.push_back({.hash = std::move(present)});
  out.push_back({.hash = std::move(code)});
  out.push_back({.hash = std::move(updated), .range = store::IndexEntry::Range::kWriteTime});
  return core::Status::Ok();
}

core::Result<std::string> TypeHash(store::Store& store, std::string_view type) {
  return IndexHash(store, type, kId, search::IndexForm::kPresent, "");
}

}  // namespace mamori::fhir::internal

namespace mamori::fhir {

core::Result<std::vector<store::IndexEntry>> IndexStoredResource(const store::ResourceVersion& v,
                                                                 store::Store& store) {
  MAMORI_ASSIGN_OR_RETURN(
      boost::json::object resource,
      ParseResourceJson(v.json, {.max_bytes = size_t{1} << 31, .max_depth = 128}));
  MAMORI_ASSIGN_OR_RETURN(std::vector<store::IndexEntry> entries,
                          internal::ContentEntries(v.type, resource, store));
  MAMORI_RETURN_IF_ERROR(internal::AppendIdentityEntries(v.type, v.id, store, entries));
  return entries;
}

}  // namespace mamori::fhir
