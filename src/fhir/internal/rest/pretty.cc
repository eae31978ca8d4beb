// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/rest/pretty.h"

#include "fhir/json_number.h"

namespace mamori::fhir::internal {
namespace {

void Indent(std::string& out, int depth) { out.append(static_cast<size_t>(depth) * 2, ' '); }

void Write(const boost::json::value& v, int depth, std::string& out) {
  if (v.is_object()) {
    const auto& obj = v.get_object();
    if (obj.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    size_t i = 0;
    for (const auto& [key, child] : obj) {
      Indent(out, depth + 1);
      AppendJsonString(key, out);
      out += ": ";
      Write(child, depth + 1, out);
      out += ++i < obj.size() ? ",\n" : "\n";
    }
    Indent(out, depth);
    out += "}";
  } else if (v.is_array()) {
    const auto& arr = v.get_array();
    if (arr.empty()) {
      out += "[]";
      return;
    }
    out += "[\n";
    for (size_t i = 0; i < arr.size(); ++i) {
      Indent(out, depth + 1);
      Write(arr[i], depth + 1, out);
      out += i + 1 < arr.size() ? ",\n" : "\n";
    }
    Indent(out, depth);
    out += "]";
  } else {
    SerializeJsonTo(v, out);  // scalars, decimals with their text
  }
}

}  // namespace

std::string PrettyJson(const boost::json::value& value) {
  std::string out;
  Write(value, 0, out);
  out += "\n";
  return out;
}

}  // namespace mamori::fhir::internal
