// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search/extract.h" instead.
//
// The syntax tree shared by the FHIRPath parser and evaluator.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "fhir/search/internal/fhirpath.h"

namespace mamori::fhir::search::internal {

struct Expr {
  enum class Kind {
    kIdentifier,  // name: a child, or the context when it names the context's type
    kFunction,    // name(args...)
    kString,      // 'text'
    kBoolean,     // true / false (in `boolean`)
    kInteger,     // 42 (in `integer`)
    kInvoke,      // args[0] . args[1]
    kIndex,       // args[0] [integer]
    kUnion,       // args[0] | args[1]
    kAnd,         // args[0] and args[1]
    kEqual,       // args[0] = args[1]
    kNotEqual,    // args[0] != args[1]
    kIs,          // args[0] is name
    kAs,          // args[0] as name
  };
  Kind kind = Kind::kIdentifier;
  std::string name;  // identifier, function, string literal, or type name (is/as)
  bool boolean = false;
  int64_t integer = 0;
  std::vector<std::unique_ptr<Expr>> args;
};

}  // namespace mamori::fhir::search::internal
