// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search/extract.h" instead.
//
// The FHIRPath subset that the R4 search parameter expressions use, over a
// resource held as Boost.JSON. Navigation is typed through
// fhir::Definitions: each item knows its FHIR type, so choice elements
// (Observation.value -> valueQuantity), content references
// (component.referenceRange) and ofType()/as/is work as the spec says.
//
// Grammar (precedence from loosest): and; = !=; |; is/as; postfix . and
// [n]; primary: (expr), 'string', true, false, integer, identifier,
// function(args). Functions: where(criteria), exists(), empty(), not(),
// first(), resolve(), ofType(T), as(T), is(T). Anything else fails to parse,
// so an unsupported expression is found when the definitions are compiled,
// never in the middle of indexing.
//
// resolve() does not read other resources: it yields the reference itself,
// typed as the resource type named by Reference.reference (or
// Reference.type), which is all `where(resolve() is Patient)` needs.

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "core/status.h"

namespace mamori::fhir::search::internal {

// One node of the evaluated collection.
struct Item {
  // The JSON behind the node: `object` for complex values (and the resource
  // root), `value` for primitives (and objects that live in a value).
  const boost::json::object* object = nullptr;
  const boost::json::value* value = nullptr;
  // FHIR type code ("HumanName", "dateTime", "BackboneElement", "Patient"),
  // empty when unknown.
  std::string_view type;
  // The definition path under which children are looked up: the datatype
  // name, or the backbone element's path ("Observation.component").
  std::string_view path;
  // Computed values (exists(), comparisons, literals), when value and object
  // are both null.
  std::variant<std::monostate, bool, std::string, int64_t> literal;
};

struct Expr;
struct ExprDeleter {
  void operator()(const Expr* expr) const;
};
using ExprPtr = std::unique_ptr<const Expr, ExprDeleter>;

// Compiles `text`. kInvalidArgument (naming the construct, e.g. "function
// 'memberOf' is not supported") for anything outside the subset.
core::Result<ExprPtr> ParseFhirPath(std::string_view text);

// The root item of a resource: typed by its resourceType.
Item RootItem(const boost::json::object& resource);

// Evaluates `expr` with `focus` as the context ($this and the resource).
std::vector<Item> Evaluate(const Expr& expr, const Item& focus);

// The primitive JSON of an item as a string: JSON strings as they are,
// booleans as "true"/"false", numbers in shortest form, literals likewise;
// empty for complex values.
std::string PrimitiveText(const Item& item);

}  // namespace mamori::fhir::search::internal
