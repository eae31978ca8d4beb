// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/rest_api.h" instead.

#include <string>

#include <boost/json/value.hpp>

namespace mamori::fhir::internal {

// JSON with two-space indentation (FHIR _pretty=true). Boost.JSON 1.81 has no
// pretty printer; this one reuses its serializer for every scalar.
std::string PrettyJson(const boost::json::value& value);

}  // namespace mamori::fhir::internal
