// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search/extract.h" instead.
//
// The kReference values of a reference as written in a resource, so that
// "Patient/1", "https://this.server/fhir/Patient/1" and
// "Patient/1/_history/3" all answer subject=Patient/1.

#include <string>
#include <string_view>
#include <vector>

namespace mamori::fhir::search::internal {

// For Reference.reference, canonical and uri values:
//   "#id" (contained) and ""        -> none
//   base_url + "/Type/id"           -> as "Type/id"
//   "Type/id/_history/v"            -> "Type/id", "Type/id/_history/v"
//   absolute "url|version" (canonical) -> "url", "url|version"
//   anything else                   -> itself
std::vector<std::string> ReferenceKeys(std::string_view reference, std::string_view base_url);

}  // namespace mamori::fhir::search::internal
