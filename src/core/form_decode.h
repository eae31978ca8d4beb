// SPDX-License-Identifier: Apache-2.0
#pragma once

// Decoding of application/x-www-form-urlencoded text, the form of URL query
// strings and of FHIR's If-None-Exist header: "%xx" becomes the byte xx and
// '+' a space; a '%' not followed by two hex digits stays as it is.
//
//   core::FormDecode("identifier=urn%3Aoid%3A1%7C42") == "identifier=urn:oid:1|42"
//   for (auto& [name, value] : core::SplitFormQuery(request.query)) ...

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mamori::core {

std::string FormDecode(std::string_view text);

// Splits "a=1&b=2" at '&' and the first '=' of each part and decodes both
// sides; empty parts are skipped, a part without '=' has an empty value.
std::vector<std::pair<std::string, std::string>> SplitFormQuery(std::string_view query);

// The inverse for links the server writes: unreserved bytes (and ':' ','
// which FHIR search values use) as they are, every other byte as "%XX".
std::string FormEncode(std::string_view text);

}  // namespace mamori::core
