// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/internal/reference_text.h"

namespace mamori::fhir::search::internal {

std::vector<std::string> ReferenceKeys(std::string_view reference, std::string_view base_url) {
  if (reference.empty() || reference.starts_with('#')) return {};
  while (base_url.ends_with('/')) base_url.remove_suffix(1);
  if (!base_url.empty() && reference.size() > base_url.size() + 1 &&
      reference.starts_with(base_url) && reference[base_url.size()] == '/') {
    reference.remove_prefix(base_url.size() + 1);
  }
  bool absolute = reference.find("://") != std::string_view::npos || reference.starts_with("urn:");
  if (size_t bar = reference.find('|'); absolute && bar != std::string_view::npos) {
    return {std::string(reference.substr(0, bar)), std::string(reference)};
  }
  if (size_t history = reference.find("/_history/"); history != std::string_view::npos) {
    return {std::string(reference.substr(0, history)), std::string(reference)};
  }
  return {std::string(reference)};
}

}  // namespace mamori::fhir::search::internal
