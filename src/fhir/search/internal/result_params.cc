// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/internal/result_params.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include "fhir/search/internal/value_parser.h"

namespace mamori::fhir::search::internal {
namespace {

constexpr std::array<std::string_view, 9> kResultParameters = {
    "_count", "_sort",     "_include", "_revinclude", "_summary",
    "_total", "_elements", "_format",  "_pretty"};

core::Status Malformed(std::string what) { return core::InvalidArgumentError(std::move(what)); }
core::Status Unsupported(std::string what) { return core::UnimplementedError(std::move(what)); }

core::Status Duplicate(std::string_view code) {
  return Malformed(std::string(code) + " is given more than once");
}

core::Status ApplyCount(std::string_view value, const ParseOptions& options, SearchQuery& query) {
  if (query.count) return Duplicate("_count");
  uint64_t count = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), count);
  if (ec == std::errc::result_out_of_range && !value.empty() &&
      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    count = options.max_count;  // a huge page size is still a page size: clamp it
  } else if (ec != std::errc() || end != value.data() + value.size()) {
    return Malformed("_count takes a non-negative integer");
  }
  query.count = static_cast<uint32_t>(std::min<uint64_t>(count, options.max_count));
  return core::Status::Ok();
}

core::Status ApplySort(std::string_view value, SearchQuery& query) {
  if (!query.sort.empty()) return Duplicate("_sort");
  std::vector<SortKey> keys;
  for (std::string_view key : SplitUnescaped(value, ',')) {
    SortKey sort;
    if (key.starts_with('-')) {
      sort.descending = true;
      key.remove_prefix(1);
    }
    if (key.empty()) return Malformed("_sort has an empty key");
    sort.definition = Definitions::R4().FindSearchParameter(query.resource_type, key);
    if (sort.definition == nullptr || sort.definition->type == SearchParamType::kComposite ||
        sort.definition->type == SearchParamType::kSpecial || sort.definition->expression.empty()) {
      return Unsupported("_sort names a parameter that cannot be sorted on");
    }
    keys.push_back(sort);
  }
  query.sort = std::move(keys);
  return core::Status::Ok();
}

bool IsTargetOf(const SearchParameter& param, std::string_view type) {
  return param.target_types.empty() ||
         std::find(param.target_types.begin(), param.target_types.end(), type) !=
             param.target_types.end();
}

// Source:param[:Target] or *, for _include (reverse = false) or _revinclude.
core::Status ApplyInclude(std::string_view modifier, std::string_view value, bool reverse,
                          SearchQuery& query) {
  IncludeSpec spec;
  if (modifier == "iterate" || modifier == "recurse") {
    spec.iterate = true;
  } else if (!modifier.empty()) {
    return Unsupported("modifier is not supported on _include/_revinclude");
  }
  std::vector<std::string_view> parts = SplitUnescaped(value, ':');
  const Definitions& defs = Definitions::R4();
  if (parts.size() == 1 && parts[0] == "*") {
    spec.wildcard = true;
    spec.source_type = query.resource_type;
  } else {
    if (parts.size() < 2 || parts.size() > 3) {
      return Malformed("expected [type]:[parameter][:targettype] or *");
    }
    spec.source_type = parts[0];
    if (!defs.IsSupportedResourceType(spec.source_type)) {
      return Unsupported("include names an unsupported resource type");
    }
    if (parts[1] == "*") {
      spec.wildcard = true;
    } else {
      spec.param = defs.FindSearchParameter(spec.source_type, parts[1]);
      if (spec.param == nullptr || spec.param->type != SearchParamType::kReference) {
        return Unsupported("include names a parameter that is not a reference parameter");
      }
    }
    if (parts.size() == 3) {
      spec.target_type = parts[2];
      if (!defs.IsKnownResourceType(spec.target_type) ||
          (spec.param != nullptr && !IsTargetOf(*spec.param, spec.target_type))) {
        return Unsupported("include target type is not a target of the parameter");
      }
    }
  }
  // Without :iterate, _include starts from the matches and _revinclude must
  // point at them; :iterate lifts both rules (one level, applied by the planner).
  if (!spec.iterate) {
    if (!reverse && spec.source_type != query.resource_type) {
      return Unsupported("_include source type differs from the searched type (use :iterate)");
    }
    if (reverse && spec.param != nullptr && !IsTargetOf(*spec.param, query.resource_type)) {
      return Unsupported("_revinclude parameter does not point at the searched type");
    }
  }
  (reverse ? query.revincludes : query.includes).push_back(std::move(spec));
  return core::Status::Ok();
}

core::Status ApplySummary(std::string_view value, SearchQuery& query) {
  if (query.summary) return Duplicate("_summary");
  static constexpr std::array<std::pair<std::string_view, SummaryMode>, 5> kModes = {
      {{"true", SummaryMode::kTrue},
       {"text", SummaryMode::kText},
       {"data", SummaryMode::kData},
       {"count", SummaryMode::kCount},
       {"false", SummaryMode::kFalse}}};
  for (const auto& [name, mode] : kModes) {
    if (value == name) {
      query.summary = mode;
      return core::Status::Ok();
    }
  }
  return Malformed("_summary takes true, text, data, count or false");
}

core::Status ApplyTotal(std::string_view value, SearchQuery& query) {
  if (query.total) return Duplicate("_total");
  if (value == "none")
    query.total = TotalMode::kNone;
  else if (value == "estimate")
    query.total = TotalMode::kEstimate;
  else if (value == "accurate")
    query.total = TotalMode::kAccurate;
  else
    return Malformed("_total takes none, estimate or accurate");
  return core::Status::Ok();
}

bool IsElementName(std::string_view name) {
  if (name.empty() || !std::isalpha(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

core::Status ApplyElements(std::string_view value, SearchQuery& query) {
  if (!query.elements.empty()) return Duplicate("_elements");
  std::vector<std::string> elements;
  for (std::string_view element : SplitUnescaped(value, ',')) {
    // Some clients qualify names with the type ("Patient.name").
    if (element.starts_with(query.resource_type) && element.size() > query.resource_type.size() &&
        element[query.resource_type.size()] == '.') {
      element.remove_prefix(query.resource_type.size() + 1);
    }
    if (!IsElementName(element)) return Malformed("_elements takes element names");
    elements.emplace_back(element);
  }
  query.elements = std::move(elements);
  return core::Status::Ok();
}

core::Status ApplyPassThrough(std::string_view code, std::string_view value,
                              std::optional<std::string>& slot) {
  if (slot) return Duplicate(code);
  slot = std::string(value);
  return core::Status::Ok();
}

}  // namespace

bool IsResultParameter(std::string_view code) {
  return std::find(kResultParameters.begin(), kResultParameters.end(), code) !=
         kResultParameters.end();
}

core::Status ApplyResultParameter(std::string_view code, std::string_view modifier,
                                  std::string_view value, const ParseOptions& options,
                                  SearchQuery& query) {
  bool include = code == "_include" || code == "_revinclude";
  if (!include && !modifier.empty()) return Unsupported("modifier is not supported");
  if (code == "_count") return ApplyCount(value, options, query);
  if (code == "_sort") return ApplySort(value, query);
  if (include) return ApplyInclude(modifier, value, code == "_revinclude", query);
  if (code == "_summary") return ApplySummary(value, query);
  if (code == "_total") return ApplyTotal(value, query);
  if (code == "_elements") return ApplyElements(value, query);
  if (code == "_format") return ApplyPassThrough(code, value, query.format);
  return ApplyPassThrough(code, value, query.pretty);
}

}  // namespace mamori::fhir::search::internal
