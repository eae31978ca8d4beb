// SPDX-License-Identifier: Apache-2.0
// Walker: primitive values, references and issue reporting. Every message
// names the type, format or value set expected, never the value received.

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "fhir/internal/primitive_format.h"
#include "fhir/internal/reference_format.h"
#include "fhir/internal/walker.h"
#include "fhir/json_number.h"

namespace mamori::fhir::internal {
namespace {

namespace json = boost::json;

constexpr int64_t kMaxInt32 = 2147483647;
constexpr int64_t kMinInt32 = -2147483647 - 1;
// FHIR string and markdown: at most 1 MiB (string.value maxLength).
constexpr size_t kMaxStringBytes = 1024 * 1024;

std::string_view FormatHint(Primitive type) {
  switch (type) {
    case Primitive::kId:
      return "1 to 64 characters from A-Z a-z 0-9 - .";
    case Primitive::kDate:
      return "YYYY, YYYY-MM or YYYY-MM-DD, a real calendar date";
    case Primitive::kDateTime:
      return "YYYY, YYYY-MM, YYYY-MM-DD or YYYY-MM-DDThh:mm:ss[.fff] with Z or +hh:mm";
    case Primitive::kInstant:
      return "YYYY-MM-DDThh:mm:ss[.fff] with Z or +hh:mm";
    case Primitive::kTime:
      return "hh:mm:ss[.fff]";
    case Primitive::kCode:
      return "no leading, trailing or repeated whitespace";
    case Primitive::kUri:
    case Primitive::kUrl:
    case Primitive::kCanonical:
      return "no whitespace";
    case Primitive::kOid:
      return "urn:oid: followed by a dotted OID";
    case Primitive::kUuid:
      return "urn:uuid: followed by a lowercase UUID";
    case Primitive::kBase64Binary:
      return "base64 characters in groups of four, '=' only as final padding";
    case Primitive::kXhtml:
      return "an XHTML <div> element";
    default:
      return "no control characters other than tab, CR and LF";
  }
}

bool IsIntegerType(Primitive p) {
  return p == Primitive::kInteger || p == Primitive::kPositiveInt || p == Primitive::kUnsignedInt;
}

}  // namespace

void Walker::ValidatePrimitive(const json::value& value, const Child& child) {
  Primitive type = child.primitive;
  if (type == Primitive::kBoolean) {
    if (!value.is_bool())
      Report(IssueCode::kStructure, "must be a JSON boolean (FHIR type boolean)");
  } else if (IsIntegerType(type)) {
    ValidateInteger(value, child);
  } else if (type == Primitive::kDecimal) {
    std::optional<double> number = NumberAsDouble(value);
    if (!number) {
      Report(IssueCode::kStructure, "must be a JSON number (FHIR type decimal)");
    } else if (!std::isfinite(*number)) {
      Report(IssueCode::kValue, "decimal out of range");
    }
  } else if (!value.is_string() || IsDecimal(value)) {
    Report(IssueCode::kStructure, "must be a JSON string (FHIR type ", child.type_name, ")");
  } else {
    ValidateStringPrimitive(value.get_string(), child);
  }
}

void Walker::ValidateInteger(const json::value& value, const Child& child) {
  if (!IsJsonNumber(value)) {
    Report(IssueCode::kStructure, "must be a JSON number (FHIR type ", child.type_name, ")");
    return;
  }
  if (value.is_double() || IsDecimal(value)) {
    Report(IssueCode::kValue, "must be a whole number without fraction or exponent (FHIR type ",
           child.type_name, ")");
    return;
  }
  int64_t low = child.primitive == Primitive::kInteger       ? kMinInt32
                : child.primitive == Primitive::kPositiveInt ? 1
                                                             : 0;
  bool in_range =
      value.is_int64() ? value.get_int64() >= low && value.get_int64() <= kMaxInt32 : false;
  if (!in_range) {
    Report(IssueCode::kValue, "out of range for FHIR type ", child.type_name, " (", low, " to ",
           kMaxInt32, ")");
  }
}

void Walker::ValidateStringPrimitive(std::string_view text, const Child& child) {
  if (text.empty()) {
    Report(IssueCode::kValue, "empty strings are not allowed in FHIR JSON");
    return;
  }
  bool limited = child.primitive == Primitive::kString || child.primitive == Primitive::kMarkdown;
  if (limited && text.size() > kMaxStringBytes) {
    Report(IssueCode::kValue, "longer than the 1 MiB FHIR allows for a ", child.type_name);
    return;
  }
  if (!IsValidStringPrimitive(child.primitive, text)) {
    Report(IssueCode::kValue, "not a valid ", child.type_name, " (expected ",
           FormatHint(child.primitive), ")");
    return;
  }
  if (child.codes != nullptr && !child.codes->codes.contains(text)) {
    Report(IssueCode::kCodeInvalid, "code is not in the required value set ", child.codes->url);
    return;
  }
  if (child.is_reference_string) CheckReference(text);
}

void Walker::CheckReference(std::string_view reference) {
  ParsedReference parsed = ParseReference(reference);
  switch (parsed.kind) {
    case ReferenceKind::kInvalid:
      Report(IssueCode::kValue,
             "not a valid reference (expected Type/id, an absolute URL, urn:uuid:, urn:oid: or "
             "#contained-id)");
      return;
    case ReferenceKind::kConditional:
      if (!allow_conditional_) {
        Report(IssueCode::kValue,
               "conditional references are allowed only in transaction and batch Bundles");
        return;
      }
      [[fallthrough]];
    case ReferenceKind::kRelative: {
      if (!model_.known.contains(parsed.type)) {
        Report(IssueCode::kValue, "the reference does not start with an R4 resource type");
        return;
      }
      const std::vector<std::string>* targets =
          reference_def_ != nullptr ? &reference_def_->target_types : nullptr;
      if (targets != nullptr && !targets->empty() &&
          std::find(targets->begin(), targets->end(), parsed.type) == targets->end()) {
        std::string allowed;
        for (const std::string& t : *targets) {
          if (!allowed.empty()) allowed += ", ";
          allowed += t;
        }
        Report(IssueCode::kInvalid, "the reference must point to one of: ", allowed);
      }
      return;
    }
    case ReferenceKind::kContained:
      if (!parsed.id.empty() && std::find(contained_ids_.begin(), contained_ids_.end(),
                                          parsed.id) == contained_ids_.end()) {
        Report(IssueCode::kInvalid, "no contained resource has the id this reference points to");
      }
      return;
    default:
      return;
  }
}

void Walker::AddIssue(IssueCode code, std::string diagnostics) {
  issues_.push_back({IssueSeverity::kError, code, RenderPath(), std::move(diagnostics)});
}

std::string Walker::RenderPath() const {
  std::string out;
  out.reserve(64);
  for (size_t i = 0; i < path_.size(); ++i) {
    if (i != 0) out += '.';
    out += path_[i].name;
    if (path_[i].index >= 0) {
      out += '[';
      out += std::to_string(path_[i].index);
      out += ']';
    }
  }
  return out;
}

}  // namespace mamori::fhir::internal
