// SPDX-License-Identifier: Apache-2.0
#include "fhir/json_number.h"

#include <charconv>
#include <cstdio>
#include <cstdlib>

namespace mamori::fhir {

bool IsDecimal(const boost::json::value& value) {
  if (!value.is_string()) return false;
  const boost::json::string& s = value.get_string();
  return !s.empty() && s[0] == '\0';
}

std::string_view DecimalText(const boost::json::value& value) {
  std::string_view s = value.get_string();
  return s.substr(1);
}

boost::json::value MakeDecimal(std::string_view text) {
  std::string marked(1, '\0');
  marked += text;
  return boost::json::value(boost::json::string(marked));
}

bool IsJsonNumber(const boost::json::value& value) { return value.is_number() || IsDecimal(value); }

std::optional<double> NumberAsDouble(const boost::json::value& value) {
  if (value.is_int64()) return static_cast<double>(value.get_int64());
  if (value.is_uint64()) return static_cast<double>(value.get_uint64());
  if (value.is_double()) return value.get_double();
  if (!IsDecimal(value)) return std::nullopt;
  std::string_view text = DecimalText(value);
  double d = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() && ec != std::errc::result_out_of_range) return std::nullopt;
  (void)end;
  return d;
}

void AppendJsonString(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

void SerializeJsonTo(const boost::json::value& v, std::string& out) {
  char buf[32];
  switch (v.kind()) {
    case boost::json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& [key, child] : v.get_object()) {
        if (!first) out += ',';
        first = false;
        AppendJsonString(key, out);
        out += ':';
        SerializeJsonTo(child, out);
      }
      out += '}';
      return;
    }
    case boost::json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& child : v.get_array()) {
        if (!first) out += ',';
        first = false;
        SerializeJsonTo(child, out);
      }
      out += ']';
      return;
    }
    case boost::json::kind::string:
      if (IsDecimal(v)) {
        out += DecimalText(v);
      } else {
        AppendJsonString(v.get_string(), out);
      }
      return;
    case boost::json::kind::int64: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_int64());
      out.append(buf, end);
      return;
    }
    case boost::json::kind::uint64: {
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_uint64());
      out.append(buf, end);
      return;
    }
    case boost::json::kind::double_: {
      // Only values built in code get here (the parser makes decimals).
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.get_double());
      out.append(buf, end);
      return;
    }
    case boost::json::kind::bool_:
      out += v.get_bool() ? "true" : "false";
      return;
    case boost::json::kind::null:
      out += "null";
      return;
  }
}

std::string SerializeJson(const boost::json::value& value) {
  std::string out;
  out.reserve(1024);
  SerializeJsonTo(value, out);
  return out;
}

}  // namespace mamori::fhir
