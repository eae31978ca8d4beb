// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/extract.h"

#include <algorithm>

#include "fhir/search/internal/compiled_params.h"
#include "fhir/search/internal/fhirpath.h"
#include "fhir/search/internal/index_values.h"

namespace mamori::fhir::search {
namespace {

using internal::CompiledParam;
using internal::Item;

// Bound on the parts product of one composite item: the R4 composites pair a
// code with a value, so a few codings times three unit forms; more is noise.
constexpr size_t kMaxCompositeCombinations = 64;

bool Ranged(const IndexEntry& e) { return e.time.has_value() || e.number.has_value(); }

// For :missing, an element has a value unless it carries nothing but ids and
// extensions (search.html: "present with extensions, but no value" is
// missing). A text-only CodeableConcept or a contained reference has a value
// even when no index entry can be written for it.
bool HasValue(const Item& item) {
  if (item.object == nullptr) return true;
  return std::any_of(item.object->begin(), item.object->end(), [](const auto& member) {
    return member.key() != "id" && member.key() != "extension" &&
           member.key() != "modifierExtension";
  });
}

// Appends the product of `parts` (one entry per component) as kComposite
// entries; at most one part may carry a range, which the entry takes.
void AppendProduct(const std::vector<std::vector<IndexEntry>>& parts,
                   std::vector<IndexEntry>& out) {
  std::vector<size_t> pick(parts.size(), 0);
  for (size_t emitted = 0; emitted < kMaxCompositeCombinations; ++emitted) {
    std::vector<CompositePart> key;
    IndexEntry entry{.param = {}, .form = IndexForm::kComposite, .value = {}};
    bool valid = true;
    for (size_t i = 0; i < parts.size(); ++i) {
      const IndexEntry& part = parts[i][pick[i]];
      key.push_back({part.form, part.value});
      if (Ranged(part)) {
        valid = valid && !Ranged(entry);
        entry.time = part.time;
        entry.number = part.number;
      }
    }
    if (valid) {
      entry.value = CompositeKey(key);
      out.push_back(std::move(entry));
    }
    size_t i = 0;  // odometer step
    for (; i < parts.size() && ++pick[i] == parts[i].size(); ++i) pick[i] = 0;
    if (i == parts.size()) return;
  }
}

// Without full_composites a part keeps only the forms every query of its
// kind can look up: a coding's code (tc, not system|code) and a quantity's
// value (q, not its units). Each coding yields a tc when it yields a tsc, and
// each quantity a q, so no part becomes empty.
void KeepBroadestForms(std::vector<IndexEntry>& part) {
  std::erase_if(part, [](const IndexEntry& e) {
    return e.form == IndexForm::kTokenSystemCode || e.form == IndexForm::kQuantitySystemCode ||
           e.form == IndexForm::kQuantityCode;
  });
}

void CompositeEntries(const CompiledParam& compiled, const Item& root,
                      const ExtractOptions& options, std::vector<IndexEntry>& out) {
  for (const Item& item : internal::Evaluate(*compiled.expression, root)) {
    std::vector<std::vector<IndexEntry>> parts(compiled.components.size());
    bool complete = true;
    for (size_t i = 0; i < compiled.components.size() && complete; ++i) {
      for (const Item& value : internal::Evaluate(*compiled.components[i], item)) {
        internal::AppendItemEntries(compiled.component_params[i]->type, value, options,
                                    internal::Yield::kCompositePart, parts[i]);
      }
      if (!options.full_composites) KeepBroadestForms(parts[i]);
      complete = !parts[i].empty();
    }
    if (complete) AppendProduct(parts, out);
  }
}

std::vector<IndexEntry> Extract(const CompiledParam& compiled, const Item& root,
                                const ExtractOptions& options) {
  std::vector<IndexEntry> out;
  if (!compiled.expression) return out;
  bool present = false;
  if (compiled.param->type == SearchParamType::kComposite) {
    CompositeEntries(compiled, root, options, out);
  } else {
    for (const Item& item : internal::Evaluate(*compiled.expression, root)) {
      present = present || HasValue(item);
      internal::AppendItemEntries(compiled.param->type, item, options, internal::Yield::kFull, out);
    }
  }
  if (ValueIsRequired(*compiled.param)) {
    // Presence is the rule: index only its absence (ValueIsRequired).
    if (out.empty() && !present) {
      out.push_back(IndexEntry{.param = compiled.param->code,
                               .form = IndexForm::kPresent,
                               .value = std::string(kAbsentValue)});
    }
    for (IndexEntry& e : out) e.param = compiled.param->code;
    return out;
  }
  if (out.empty() && !present) return out;
  for (IndexEntry& e : out) e.param = compiled.param->code;
  // An ordered parameter's range entries share one hash, which says "has a
  // value" as well as kPresent would (PlanLookup looks up both for :missing);
  // kPresent is written only when no range entry could be (a malformed date).
  std::optional<IndexForm> ordered = PresenceForm(compiled.param->type);
  bool implied = ordered && std::any_of(out.begin(), out.end(), [&](const IndexEntry& e) {
                   return e.form == *ordered && e.value.empty();
                 });
  if (implied) return out;
  out.push_back(
      IndexEntry{.param = compiled.param->code, .form = IndexForm::kPresent, .value = {}});
  return out;
}

}  // namespace

core::Result<std::vector<IndexEntry>> ExtractIndexEntries(const boost::json::object& resource,
                                                          const ExtractOptions& options) {
  Item root = internal::RootItem(resource);
  if (root.type.empty() || !Definitions::R4().IsSupportedResourceType(root.type)) {
    return core::InvalidArgumentError("resourceType is missing or not a supported type");
  }
  std::vector<IndexEntry> entries;
  for (const CompiledParam& compiled : internal::CompiledParams(root.type)) {
    std::vector<IndexEntry> param_entries = Extract(compiled, root, options);
    std::move(param_entries.begin(), param_entries.end(), std::back_inserter(entries));
  }
  std::sort(entries.begin(), entries.end());
  entries.erase(std::unique(entries.begin(), entries.end()), entries.end());
  return entries;
}

std::vector<IndexEntry> ExtractParameter(const boost::json::object& resource,
                                         const SearchParameter& param,
                                         const ExtractOptions& options) {
  Item root = internal::RootItem(resource);
  const CompiledParam* compiled = internal::FindCompiledParam(root.type, param.code);
  if (compiled == nullptr) return {};
  return Extract(*compiled, root, options);
}

std::vector<std::string> ExtractStrings(const boost::json::object& resource,
                                        const SearchParameter& param) {
  Item root = internal::RootItem(resource);
  const CompiledParam* compiled = internal::FindCompiledParam(root.type, param.code);
  std::vector<std::string> out;
  if (compiled == nullptr || !compiled->expression) return out;
  for (const Item& item : internal::Evaluate(*compiled->expression, root)) {
    internal::AppendItemStrings(param.type, item, out);
  }
  return out;
}

}  // namespace mamori::fhir::search
