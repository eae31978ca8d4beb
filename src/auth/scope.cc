// SPDX-License-Identifier: Apache-2.0
#include "auth/scope.h"

namespace mamori::auth {
namespace {

constexpr size_t kMaxScopeSize = 128;

bool IsResourceTypeName(std::string_view t) {
  if (t == "*") return true;
  if (t.empty() || t.size() > 64 || t[0] < 'A' || t[0] > 'Z') return false;
  for (char c : t) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return true;
}

// "cruds" letters in order, each at most once; or a SMART v1 word.
core::Result<uint8_t> ParsePermissions(std::string_view p) {
  if (p == "read") return uint8_t{2 | 16};
  if (p == "write") return uint8_t{1 | 4 | 8};
  if (p == "*") return uint8_t{31};
  static constexpr std::string_view kOrder = "cruds";
  uint8_t bits = 0;
  size_t next = 0;
  for (char c : p) {
    size_t at = kOrder.find(c, next);
    if (at == std::string_view::npos) {
      return core::InvalidArgumentError("scope permissions must be letters of \"cruds\" in order");
    }
    bits |= static_cast<uint8_t>(1u << at);
    next = at + 1;
  }
  if (bits == 0) return core::InvalidArgumentError("scope has no permissions");
  return bits;
}

}  // namespace

bool Scope::Allows(std::string_view type, Permission p) const {
  return (resource_type == "*" || resource_type == type) &&
         (permissions & static_cast<uint8_t>(p)) != 0;
}

std::string Scope::ToString() const {
  std::string out = context == Context::kPatient ? "patient/"
                    : context == Context::kUser  ? "user/"
                                                 : "system/";
  out += resource_type + ".";
  static constexpr char kLetters[] = "cruds";
  for (int i = 0; i < 5; ++i) {
    if (permissions & (1u << i)) out.push_back(kLetters[i]);
  }
  return out;
}

core::Result<Scope> ParseScope(std::string_view text) {
  if (text.empty() || text.size() > kMaxScopeSize) {
    return core::InvalidArgumentError("scope must be 1 to 128 characters");
  }
  if (text.find('?') != std::string_view::npos) {
    return core::InvalidArgumentError("scopes with search restrictions (\"?\") are not supported");
  }
  size_t slash = text.find('/');
  size_t dot = text.rfind('.');
  if (slash == std::string_view::npos || dot == std::string_view::npos || dot < slash) {
    return core::InvalidArgumentError("scope must look like system/Observation.rs");
  }
  Scope scope;
  std::string_view context = text.substr(0, slash);
  if (context == "system") {
    scope.context = Scope::Context::kSystem;
  } else if (context == "user") {
    scope.context = Scope::Context::kUser;
  } else if (context == "patient") {
    scope.context = Scope::Context::kPatient;
  } else {
    return core::InvalidArgumentError("scope context must be system, user or patient");
  }
  std::string_view type = text.substr(slash + 1, dot - slash - 1);
  if (!IsResourceTypeName(type)) {
    return core::InvalidArgumentError("scope resource type must be a FHIR type name or *");
  }
  scope.resource_type = std::string(type);
  MAMORI_ASSIGN_OR_RETURN(scope.permissions, ParsePermissions(text.substr(dot + 1)));
  return scope;
}

core::Result<std::vector<Scope>> ParseScopes(std::string_view text) {
  std::vector<Scope> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) {
      MAMORI_ASSIGN_OR_RETURN(Scope s, ParseScope(text.substr(start, end - start)));
      out.push_back(std::move(s));
    }
    start = end + 1;
  }
  if (out.size() > 64) return core::InvalidArgumentError("at most 64 scopes");
  return out;
}

}  // namespace mamori::auth
