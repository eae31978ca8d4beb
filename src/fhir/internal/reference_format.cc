// SPDX-License-Identifier: Apache-2.0

#include "fhir/internal/reference_format.h"

#include "fhir/internal/primitive_format.h"

namespace mamori::fhir::internal {
namespace {

bool IsTypeName(std::string_view s) {
  if (s.empty() || s[0] < 'A' || s[0] > 'Z') return false;
  for (char c : s) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

// RFC 3986 scheme followed by ':'; returns the scheme length or 0.
size_t SchemeLength(std::string_view s) {
  if (s.empty() || !((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) return 0;
  for (size_t i = 1; i < s.size(); ++i) {
    char c = s[i];
    if (c == ':') return i;
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '-' || c == '.';
    if (!ok) return 0;
  }
  return 0;
}

ParsedReference Relative(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return {};
  std::string_view type = s.substr(0, slash);
  std::string_view rest = s.substr(slash + 1);
  std::string_view id = rest;
  if (size_t h = rest.find('/'); h != std::string_view::npos) {
    id = rest.substr(0, h);
    std::string_view history = rest.substr(h);
    constexpr std::string_view kHistory = "/_history/";
    if (!history.starts_with(kHistory) || !IsValidId(history.substr(kHistory.size()))) return {};
  }
  if (!IsTypeName(type) || !IsValidId(id)) return {};
  return {ReferenceKind::kRelative, type, id};
}

ParsedReference Conditional(std::string_view s) {
  size_t q = s.find('?');
  std::string_view type = s.substr(0, q);
  if (!IsTypeName(type) || q + 1 >= s.size() || !IsValidUri(s.substr(q + 1))) return {};
  return {ReferenceKind::kConditional, type, {}};
}

}  // namespace

ParsedReference ParseReference(std::string_view s) {
  if (s.empty()) return {};
  if (s[0] == '#') {
    std::string_view id = s.substr(1);
    if (!id.empty() && !IsValidId(id)) return {};
    return {ReferenceKind::kContained, {}, id};
  }
  if (s.starts_with("urn:uuid:"))
    return {IsValidUuid(s) ? ReferenceKind::kUrnUuid : ReferenceKind::kInvalid};
  if (s.starts_with("urn:oid:"))
    return {IsValidOid(s) ? ReferenceKind::kUrnOid : ReferenceKind::kInvalid};
  if (s.find('?') != std::string_view::npos && SchemeLength(s) == 0) return Conditional(s);
  size_t scheme = SchemeLength(s);
  if (scheme != 0) {
    bool ok = scheme + 1 < s.size() && IsValidUri(s);
    return {ok ? ReferenceKind::kAbsolute : ReferenceKind::kInvalid};
  }
  return Relative(s);
}

}  // namespace mamori::fhir::internal
