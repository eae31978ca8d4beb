// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/internal/value_parser.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>

#include "fhir/search/internal/fhir_time.h"
#include "fhir/search/normalize.h"

namespace mamori::fhir::search::internal {
namespace {

constexpr std::array<std::pair<std::string_view, Prefix>, 9> kPrefixes = {{
    {"eq", Prefix::kEq},
    {"ne", Prefix::kNe},
    {"gt", Prefix::kGt},
    {"lt", Prefix::kLt},
    {"ge", Prefix::kGe},
    {"le", Prefix::kLe},
    {"sa", Prefix::kSa},
    {"eb", Prefix::kEb},
    {"ap", Prefix::kAp},
}};

core::Status Malformed(std::string what) { return core::InvalidArgumentError(std::move(what)); }

// Result<From> -> Result<To> for a variant To that holds From.
template <typename To, typename From>
core::Result<To> Widen(core::Result<From> result) {
  if (!result.ok()) return std::move(result).status();
  return To(std::move(result).value());
}

// Rejects a prefix the parameter's definition does not list.
core::Status CheckPrefix(Prefix prefix, const ValueContext& context) {
  if (context.param == nullptr || context.param->comparators.empty()) return core::Status::Ok();
  const std::vector<std::string>& allowed = context.param->comparators;
  if (std::find(allowed.begin(), allowed.end(), PrefixName(prefix)) != allowed.end()) {
    return core::Status::Ok();
  }
  return Malformed("prefix '" + std::string(PrefixName(prefix)) + "' is not allowed");
}

core::Result<std::string> UnescapeOrError(std::string_view text) {
  std::optional<std::string> out = Unescape(text);
  if (!out) return Malformed("invalid backslash escape (only \\, \\| \\$ \\\\ are allowed)");
  return std::move(*out);
}

core::Result<StringValue> ParseString(std::string_view item) {
  MAMORI_ASSIGN_OR_RETURN(std::string raw, UnescapeOrError(item));
  std::string normalized = NormalizeString(raw);
  return StringValue{.raw = std::move(raw), .normalized = std::move(normalized)};
}

core::Result<UriValue> ParseUri(std::string_view item) {
  MAMORI_ASSIGN_OR_RETURN(std::string uri, UnescapeOrError(item));
  return UriValue{.uri = std::move(uri)};
}

core::Result<MissingValue> ParseMissing(std::string_view item) {
  if (item == "true") return MissingValue{.missing = true};
  if (item == "false") return MissingValue{.missing = false};
  return Malformed(":missing takes true or false");
}

bool IsAbsolute(std::string_view value) {
  return value.find("://") != std::string_view::npos || value.starts_with("urn:");
}

bool IsTarget(const SearchParameter& param, std::string_view type) {
  return param.target_types.empty() ||
         std::find(param.target_types.begin(), param.target_types.end(), type) !=
             param.target_types.end();
}

// Type/id, Type/id/_history/v or id, relative to this server.
core::Result<ReferenceValue> ParseRelativeReference(std::string_view path,
                                                    const ValueContext& context) {
  std::vector<std::string_view> parts;
  for (size_t start = 0;;) {
    size_t slash = path.find('/', start);
    parts.push_back(path.substr(start, slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  ReferenceValue out;
  if (parts.size() == 1) {
    out.id = parts[0];
    out.type = context.type_modifier;
  } else if (parts.size() == 2 || (parts.size() == 4 && parts[2] == "_history")) {
    out.type = parts[0];
    out.id = parts[1];
    if (parts.size() == 4) out.version = parts[3];
    if (!context.type_modifier.empty() && out.type != context.type_modifier) {
      return Malformed("reference type differs from the :type modifier");
    }
  } else {
    return Malformed("expected [type]/[id], [id] or an absolute URL");
  }
  if (!IsValidId(out.id) || (parts.size() == 4 && !IsValidId(out.version))) {
    return Malformed("expected a resource id ([A-Za-z0-9-.]{1,64})");
  }
  if (!out.type.empty()) {
    if (!Definitions::R4().IsKnownResourceType(out.type)) {
      return Malformed("reference names an unknown resource type");
    }
    if (context.param != nullptr && !IsTarget(*context.param, out.type)) {
      return Malformed("reference type is not a target of the parameter");
    }
  }
  return out;
}

// Half a unit of the last significant digit: mantissa "100.00" with exponent
// 0 has its last digit at 10^-2.
double HalfUnit(int fraction_digits, int exponent) {
  return 0.5 * std::pow(10.0, exponent - fraction_digits);
}

}  // namespace

std::vector<std::string_view> SplitUnescaped(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;  // whatever follows is escaped (Unescape checks it is legal)
    } else if (text[i] == separator) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (i + 1 == text.size()) return std::nullopt;
    char next = text[++i];
    if (next != ',' && next != '$' && next != '|' && next != '\\') return std::nullopt;
    out += next;
  }
  return out;
}

Prefix ReadPrefix(std::string_view& text) {
  if (text.size() >= 2) {
    for (const auto& [name, prefix] : kPrefixes) {
      if (text.starts_with(name)) {
        text.remove_prefix(2);
        return prefix;
      }
    }
  }
  return Prefix::kEq;
}

bool IsValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.';
  });
}

std::optional<NumberValue> ParseDecimal(std::string_view text) {
  // -?digits[.digits][(e|E)[+-]digits], as search.html "number" allows.
  size_t pos = 0;
  if (pos < text.size() && (text[pos] == '-' || text[pos] == '+')) ++pos;
  size_t int_start = pos;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  size_t int_digits = pos - int_start;
  int fraction_digits = 0;
  if (pos < text.size() && text[pos] == '.') {
    size_t frac_start = ++pos;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
    fraction_digits = static_cast<int>(pos - frac_start);
    if (fraction_digits == 0) return std::nullopt;
  }
  if (int_digits == 0) return std::nullopt;  // FHIR decimals start with a digit: "0.5", not ".5"
  int exponent = 0;
  if (pos < text.size() && (text[pos] == 'e' || text[pos] == 'E')) {
    std::string_view exp_text = text.substr(pos + 1);
    if (exp_text.starts_with('+')) exp_text.remove_prefix(1);
    auto [end, ec] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
    if (ec != std::errc() || end != exp_text.data() + exp_text.size() || std::abs(exponent) > 300) {
      return std::nullopt;
    }
    pos = text.size();
  }
  if (pos != text.size() || fraction_digits > 300) return std::nullopt;
  std::string_view number = text.starts_with('+') ? text.substr(1) : text;
  double value = 0;
  auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
  if (ec != std::errc() || end != number.data() + number.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  double half = HalfUnit(fraction_digits, exponent);
  return NumberValue{
      .prefix = Prefix::kEq, .value = value, .low = value - half, .high = value + half};
}

core::Result<TokenValue> ParseToken(std::string_view item, bool of_type) {
  std::vector<std::string_view> parts = SplitUnescaped(item, '|');
  TokenValue out;
  if (of_type) {
    if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
      return Malformed(":of-type takes [system]|[code]|[value], all three present");
    }
    MAMORI_ASSIGN_OR_RETURN(out.system, UnescapeOrError(parts[0]));
    MAMORI_ASSIGN_OR_RETURN(out.code, UnescapeOrError(parts[1]));
    MAMORI_ASSIGN_OR_RETURN(out.value, UnescapeOrError(parts[2]));
    out.form = TokenValue::Form::kSystemAndCode;
    return out;
  }
  if (parts.size() > 2) return Malformed("expected [system]|[code], [code], |[code] or [system]|");
  if (parts.size() == 1) {
    MAMORI_ASSIGN_OR_RETURN(out.code, UnescapeOrError(parts[0]));
    out.form = TokenValue::Form::kCode;
    return out;
  }
  if (parts[0].empty() && parts[1].empty()) return Malformed("a token needs a system or a code");
  MAMORI_ASSIGN_OR_RETURN(out.system, UnescapeOrError(parts[0]));
  MAMORI_ASSIGN_OR_RETURN(out.code, UnescapeOrError(parts[1]));
  out.form = parts[0].empty()   ? TokenValue::Form::kNoSystem
             : parts[1].empty() ? TokenValue::Form::kSystemOnly
                                : TokenValue::Form::kSystemAndCode;
  return out;
}

core::Result<DateValue> ParseDate(std::string_view item, const ValueContext& context) {
  Prefix prefix = ReadPrefix(item);
  MAMORI_RETURN_IF_ERROR(CheckPrefix(prefix, context));
  TimeParseOptions options{.default_offset_minutes = context.default_offset_minutes,
                           .allow_minutes = true,
                           .plus_as_space = true};
  std::optional<ParsedTime> parsed = ParseFhirTime(item, options);
  if (!parsed) return Malformed("expected a date: yyyy[-mm[-dd[Thh:mm[:ss[.s]][Z|(+|-)hh:mm]]]]");
  return DateValue{.prefix = prefix, .range = {parsed->low_us, parsed->high_us}};
}

core::Result<NumberValue> ParseNumber(std::string_view item, const ValueContext& context) {
  Prefix prefix = ReadPrefix(item);
  MAMORI_RETURN_IF_ERROR(CheckPrefix(prefix, context));
  std::optional<NumberValue> number = ParseDecimal(item);
  if (!number) return Malformed("expected a decimal number");
  number->prefix = prefix;
  return *number;
}

core::Result<QuantityValue> ParseQuantity(std::string_view item, const ValueContext& context) {
  std::vector<std::string_view> parts = SplitUnescaped(item, '|');
  if (parts.size() != 1 && parts.size() != 3) {
    return Malformed("expected [prefix][number] or [prefix][number]|[system]|[code]");
  }
  QuantityValue out;
  MAMORI_ASSIGN_OR_RETURN(out.number, ParseNumber(parts[0], context));
  if (parts.size() == 3) {
    MAMORI_ASSIGN_OR_RETURN(out.system, UnescapeOrError(parts[1]));
    MAMORI_ASSIGN_OR_RETURN(out.code, UnescapeOrError(parts[2]));
  }
  return out;
}

core::Result<ReferenceValue> ParseReference(std::string_view item, const ValueContext& context) {
  std::vector<std::string_view> parts = SplitUnescaped(item, '|');
  if (parts.size() > 2) return Malformed("expected a reference or [url]|[version]");
  MAMORI_ASSIGN_OR_RETURN(std::string value, UnescapeOrError(parts[0]));
  if (value.empty()) return Malformed("expected a reference");
  std::string_view base = context.base_url;
  if (base.ends_with('/')) base.remove_suffix(1);
  if (IsAbsolute(value) && !base.empty() && value.size() > base.size() + 1 &&
      value.starts_with(base) && value[base.size()] == '/') {
    value.erase(0, base.size() + 1);  // on this server: read as relative
  }
  if (!IsAbsolute(value)) {
    if (parts.size() == 2) return Malformed("a |version needs an absolute canonical URL");
    return ParseRelativeReference(value, context);
  }
  ReferenceValue out;
  out.url = std::move(value);
  if (parts.size() == 2) {
    MAMORI_ASSIGN_OR_RETURN(out.version, UnescapeOrError(parts[1]));
  }
  return out;
}

namespace {

core::Result<ComponentValue> ParseComponent(std::string_view item, const SearchParameter& param,
                                            const ValueContext& outer) {
  ValueContext context = outer;
  context.param = &param;
  context.modifier = Modifier::kNone;
  switch (param.type) {
    case SearchParamType::kToken:
      return Widen<ComponentValue>(ParseToken(item, false));
    case SearchParamType::kString:
      return Widen<ComponentValue>(ParseString(item));
    case SearchParamType::kDate:
      return Widen<ComponentValue>(ParseDate(item, context));
    case SearchParamType::kNumber:
      return Widen<ComponentValue>(ParseNumber(item, context));
    case SearchParamType::kQuantity:
      return Widen<ComponentValue>(ParseQuantity(item, context));
    case SearchParamType::kReference:
      return Widen<ComponentValue>(ParseReference(item, context));
    case SearchParamType::kUri:
      return Widen<ComponentValue>(ParseUri(item));
    default:
      return Malformed("composite component of an unsupported type");
  }
}

core::Result<CompositeValue> ParseComposite(std::string_view item, const ValueContext& context) {
  const SearchParameter& param = *context.param;
  std::vector<std::string_view> parts = SplitUnescaped(item, '$');
  if (parts.size() != param.components.size()) {
    return Malformed("expected " + std::to_string(param.components.size()) +
                     " composite parts separated by $");
  }
  CompositeValue out;
  for (size_t i = 0; i < parts.size(); ++i) {
    const SearchParameter* component =
        Definitions::R4().FindSearchParameter(param.base, param.components[i].code);
    if (component == nullptr) return Malformed("composite component is not defined");
    MAMORI_ASSIGN_OR_RETURN(ComponentValue value, ParseComponent(parts[i], *component, context));
    // Composite entries keep each part's exact forms only (index.h), so
    // "any code of a system" cannot be answered inside a composite.
    if (const auto* token = std::get_if<TokenValue>(&value);
        token != nullptr && token->form == TokenValue::Form::kSystemOnly) {
      return core::UnimplementedError("a composite part cannot be [system]| alone");
    }
    out.components.push_back(std::move(value));
  }
  return out;
}

}  // namespace

core::Result<SearchValue> ParseValue(std::string_view item, const ValueContext& context) {
  if (context.modifier == Modifier::kMissing) return Widen<SearchValue>(ParseMissing(item));
  switch (context.param->type) {
    case SearchParamType::kToken:
      if (context.modifier == Modifier::kText) return Widen<SearchValue>(ParseString(item));
      return Widen<SearchValue>(ParseToken(item, context.modifier == Modifier::kOfType));
    case SearchParamType::kString:
      return Widen<SearchValue>(ParseString(item));
    case SearchParamType::kDate:
      return Widen<SearchValue>(ParseDate(item, context));
    case SearchParamType::kNumber:
      return Widen<SearchValue>(ParseNumber(item, context));
    case SearchParamType::kQuantity:
      return Widen<SearchValue>(ParseQuantity(item, context));
    case SearchParamType::kReference:
      if (context.modifier == Modifier::kIdentifier)
        return Widen<SearchValue>(ParseToken(item, false));
      return Widen<SearchValue>(ParseReference(item, context));
    case SearchParamType::kUri:
      return Widen<SearchValue>(ParseUri(item));
    case SearchParamType::kComposite:
      return Widen<SearchValue>(ParseComposite(item, context));
    case SearchParamType::kSpecial:
      break;
  }
  return Malformed("parameter type is not searchable");
}

}  // namespace mamori::fhir::search::internal
