// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/query.h"

#include <algorithm>
#include <array>

#include "fhir/search/internal/result_params.h"
#include "fhir/search/internal/value_parser.h"

namespace mamori::fhir::search {
namespace {

// Internal convention: kUnimplemented marks "unsupported" (strict: an error,
// lenient: ignored); kInvalidArgument marks a malformed value (always an error).
core::Status Unsupported(std::string what) { return core::UnimplementedError(std::move(what)); }
core::Status Malformed(std::string what) { return core::InvalidArgumentError(std::move(what)); }

constexpr std::array<std::string_view, 11> kModifierNames = {
    "",           "missing", "not",   "exact", "contains", "text",
    "identifier", "[type]",  "above", "below", "of-type"};

// The parameter name as it may appear in a message: names come from the
// client, so at most 64 printable ASCII bytes (DESIGN invariant 5: a name is
// not a value, but nothing unbounded or unprintable reaches an operator log).
std::string SafeName(std::string_view name) {
  constexpr size_t kMax = 64;
  std::string out;
  for (char c : name.substr(0, kMax)) out += (c >= 0x20 && c < 0x7F && c != '\'') ? c : '?';
  if (name.size() > kMax) out += "...";
  return out;
}

struct ParsedName {
  std::string_view code;
  std::string_view modifier;  // empty when none
};

// code[:modifier]; a second ':' is not part of any supported syntax.
core::Result<ParsedName> SplitName(std::string_view name) {
  size_t colon = name.find(':');
  if (colon == std::string_view::npos) return ParsedName{name, {}};
  std::string_view modifier = name.substr(colon + 1);
  if (modifier.empty() || modifier.find(':') != std::string_view::npos) {
    return Unsupported("parameter has an unsupported modifier");
  }
  return ParsedName{name.substr(0, colon), modifier};
}

bool IsSearchable(const SearchParameter& param) {
  return param.type != SearchParamType::kSpecial && !param.expression.empty();
}

bool IsTarget(const SearchParameter& param, std::string_view type) {
  return param.target_types.empty() ||
         std::find(param.target_types.begin(), param.target_types.end(), type) !=
             param.target_types.end();
}

// Which modifiers each parameter type accepts (search.html "Modifiers"),
// restricted to those the index can answer.
bool ModifierAllowed(Modifier modifier, SearchParamType type) {
  using T = SearchParamType;
  switch (modifier) {
    case Modifier::kNone:
      return true;
    case Modifier::kMissing:
      return type != T::kComposite;
    case Modifier::kNot:
    case Modifier::kText:
    case Modifier::kOfType:
      return type == T::kToken;
    case Modifier::kExact:
    case Modifier::kContains:
      return type == T::kString;
    case Modifier::kIdentifier:
    case Modifier::kType:
      return type == T::kReference;
    case Modifier::kAbove:
    case Modifier::kBelow:
      return type == T::kUri;
  }
  return false;
}

core::Status ParseModifier(std::string_view text, const SearchParameter& param,
                           SearchClause& clause) {
  if (text.empty()) return core::Status::Ok();
  for (size_t i = 1; i < kModifierNames.size(); ++i) {
    if (text == kModifierNames[i] && i != static_cast<size_t>(Modifier::kType)) {
      clause.modifier = static_cast<Modifier>(i);
      if (!ModifierAllowed(clause.modifier, param.type)) {
        return Unsupported("modifier is not supported on this parameter");
      }
      return core::Status::Ok();
    }
  }
  // name:[type] on references.
  if (param.type == SearchParamType::kReference && Definitions::R4().IsKnownResourceType(text) &&
      IsTarget(param, text)) {
    clause.modifier = Modifier::kType;
    clause.type_modifier = std::string(text);
    return core::Status::Ok();
  }
  return Unsupported("modifier is not supported on this parameter");
}

// The targets of a chain through `reference` to parameter `code`: the types
// named by the :[type] modifier, or every supported target type defining
// `code`. All must agree on the parameter's type.
core::Result<ChainLink> ResolveChain(const SearchParameter& reference, std::string_view type,
                                     std::string_view code) {
  const Definitions& defs = Definitions::R4();
  std::vector<std::string> candidates;
  if (!type.empty()) {
    candidates.emplace_back(type);
  } else if (!reference.target_types.empty()) {
    candidates = reference.target_types;
  } else {
    auto all = defs.SupportedResourceTypes();
    candidates.assign(all.begin(), all.end());
  }
  ChainLink link{.reference = &reference, .targets = {}};
  for (const std::string& candidate : candidates) {
    const SearchParameter* target = defs.FindSearchParameter(candidate, code);
    if (target == nullptr || !IsSearchable(*target)) continue;
    if (!link.targets.empty() && link.targets.front().second->type != target->type) {
      return Unsupported("chained parameter has different types on the target types");
    }
    link.targets.emplace_back(candidate, target);
  }
  if (link.targets.empty()) return Unsupported("no target type defines the chained parameter");
  return link;
}

// subject[:Type].param[:modifier]
core::Status ParseChainedName(std::string_view type, std::string_view head, std::string_view tail,
                              SearchClause& clause) {
  if (tail.find('.') != std::string_view::npos) {
    return Unsupported("chains longer than one level are not supported");
  }
  MAMORI_ASSIGN_OR_RETURN(ParsedName left, SplitName(head));
  const SearchParameter* reference = Definitions::R4().FindSearchParameter(type, left.code);
  if (reference == nullptr || reference->type != SearchParamType::kReference) {
    return Unsupported("chain does not start at a reference parameter");
  }
  std::string_view target_type;
  if (!left.modifier.empty()) {
    if (!Definitions::R4().IsSupportedResourceType(left.modifier) ||
        !IsTarget(*reference, left.modifier)) {
      return Unsupported("chain type modifier is not a supported target type");
    }
    target_type = left.modifier;
  }
  MAMORI_ASSIGN_OR_RETURN(ParsedName right, SplitName(tail));
  MAMORI_ASSIGN_OR_RETURN(ChainLink link, ResolveChain(*reference, target_type, right.code));
  clause.definition = link.targets.front().second;
  clause.chain = std::move(link);
  return ParseModifier(right.modifier, *clause.definition, clause);
}

// _has:Type:reference:param[:modifier]
core::Status ParseHasName(std::string_view type, std::string_view name, SearchClause& clause) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t colon = name.find(':', start);
    parts.push_back(name.substr(start, colon - start));
    if (colon == std::string_view::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 4 || parts.size() > 5) {
    return Unsupported("_has takes _has:[type]:[reference]:[parameter]");
  }
  const Definitions& defs = Definitions::R4();
  if (!defs.IsSupportedResourceType(parts[1])) return Unsupported("_has names an unsupported type");
  const SearchParameter* reference = defs.FindSearchParameter(parts[1], parts[2]);
  if (reference == nullptr || reference->type != SearchParamType::kReference ||
      !IsTarget(*reference, type)) {
    return Unsupported("_has reference parameter does not point at the searched type");
  }
  if (parts[3] == "_has" || parts[3].find('.') != std::string_view::npos) {
    return Unsupported("_has is supported one level deep, without chains");
  }
  clause.definition = defs.FindSearchParameter(parts[1], parts[3]);
  if (clause.definition == nullptr || !IsSearchable(*clause.definition)) {
    return Unsupported("_has names an unknown parameter");
  }
  clause.has = HasLink{.type = std::string(parts[1]), .reference = reference};
  return ParseModifier(parts.size() == 5 ? parts[4] : std::string_view(), *clause.definition,
                       clause);
}

core::Status ParseClauseName(std::string_view type, std::string_view name, SearchClause& clause) {
  if (name.starts_with("_has:")) return ParseHasName(type, name, clause);
  size_t dot = name.find('.');
  if (dot != std::string_view::npos) {
    return ParseChainedName(type, name.substr(0, dot), name.substr(dot + 1), clause);
  }
  MAMORI_ASSIGN_OR_RETURN(ParsedName parsed, SplitName(name));
  clause.definition = Definitions::R4().FindSearchParameter(type, parsed.code);
  if (clause.definition == nullptr) return Unsupported("unknown search parameter");
  if (!IsSearchable(*clause.definition)) return Unsupported("search parameter is not supported");
  return ParseModifier(parsed.modifier, *clause.definition, clause);
}

core::Status ParseClauseValues(std::string_view value, const ParseOptions& options,
                               SearchClause& clause) {
  std::vector<std::string_view> items = internal::SplitUnescaped(value, ',');
  if (items.size() > options.max_values) return Malformed("too many values");
  if (items.size() > 1 && !clause.definition->multiple_or) {
    return Malformed("parameter does not take several values");
  }
  internal::ValueContext context{.param = clause.definition,
                                 .modifier = clause.modifier,
                                 .type_modifier = clause.type_modifier,
                                 .base_url = options.base_url,
                                 .default_offset_minutes = options.default_offset_minutes};
  for (std::string_view item : items) {
    if (item.empty()) return Malformed("empty value in a comma-separated list");
    MAMORI_ASSIGN_OR_RETURN(SearchValue parsed, internal::ParseValue(item, context));
    clause.values.push_back(std::move(parsed));
  }
  return core::Status::Ok();
}

// Parses one (name, value) pair into `query`.
core::Status ParsePair(std::string_view name, std::string_view value, const ParseOptions& options,
                       SearchQuery& query) {
  MAMORI_ASSIGN_OR_RETURN(ParsedName parsed, SplitName(name.starts_with("_has:") ? "_has" : name));
  if (internal::IsResultParameter(parsed.code)) {
    return internal::ApplyResultParameter(parsed.code, parsed.modifier, value, options, query);
  }
  SearchClause clause;
  clause.name = std::string(name);
  MAMORI_RETURN_IF_ERROR(ParseClauseName(query.resource_type, name, clause));
  if (!clause.definition->multiple_and && !clause.chain && !clause.has &&
      std::any_of(query.clauses.begin(), query.clauses.end(), [&](const SearchClause& c) {
        return c.definition == clause.definition && !c.chain && !c.has;
      })) {
    return Malformed("parameter may not be repeated");
  }
  MAMORI_RETURN_IF_ERROR(ParseClauseValues(value, options, clause));
  query.clauses.push_back(std::move(clause));
  return core::Status::Ok();
}

}  // namespace

std::string_view PrefixName(Prefix prefix) {
  static constexpr std::array<std::string_view, 9> kNames = {"eq", "ne", "gt", "lt", "ge",
                                                             "le", "sa", "eb", "ap"};
  return kNames[static_cast<size_t>(prefix)];
}

std::string_view ModifierName(Modifier modifier) {
  return kModifierNames[static_cast<size_t>(modifier)];
}

core::Result<SearchQuery> ParseSearchQuery(std::string_view resource_type, QueryPairs params,
                                           const ParseOptions& options) {
  if (!Definitions::R4().IsSupportedResourceType(resource_type)) {
    return core::NotFoundError("unsupported resource type " + SafeName(resource_type));
  }
  if (params.size() > options.max_parameters) {
    return core::InvalidArgumentError("too many search parameters (at most " +
                                      std::to_string(options.max_parameters) + ")");
  }
  SearchQuery query;
  query.resource_type = std::string(resource_type);
  for (const auto& [name, value] : params) {
    if (name.empty() && value.empty()) continue;  // "a=1&&b=2"
    if (name.empty()) return core::InvalidArgumentError("a search parameter has no name");
    if (value.empty()) {  // "name=": nothing to match; not an error
      query.ignored.push_back(name);
      continue;
    }
    core::Status status = ParsePair(name, value, options, query);
    if (status.ok()) continue;
    if (status.code() == core::StatusCode::kUnimplemented && options.lenient) {
      query.ignored.push_back(name);
      continue;
    }
    return core::InvalidArgumentError("search parameter '" + SafeName(name) + "' on " +
                                      query.resource_type + ": " + status.message());
  }
  return query;
}

}  // namespace mamori::fhir::search
