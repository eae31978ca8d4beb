// SPDX-License-Identifier: Apache-2.0
// Evaluator for the FHIRPath subset in fhirpath.h: typed navigation through
// fhir::Definitions, and the handful of functions the R4 definitions use.

#include <algorithm>
#include <array>
#include <charconv>
#include <optional>

#include "fhir/definitions.h"
#include "fhir/json_number.h"
#include "fhir/search/internal/fhirpath_ast.h"

namespace mamori::fhir::search::internal {
namespace {

using Collection = std::vector<Item>;

const Definitions& Defs() { return Definitions::R4(); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool OneOf(std::string_view type, std::initializer_list<std::string_view> types) {
  return std::find(types.begin(), types.end(), type) != types.end();
}

// FHIRPath `is`: the type itself or one of its FHIR specialisations. Names
// compare case-insensitively: the R4 definitions write ofType(DateTime).
bool TypeMatches(std::string_view type, std::string_view wanted) {
  if (type.empty()) return false;
  if (EqualsIgnoreCase(type, wanted)) return true;
  if (wanted == "Quantity") {
    return OneOf(type, {"Age", "Distance", "Duration", "Count", "SimpleQuantity", "MoneyQuantity"});
  }
  if (wanted == "string") return OneOf(type, {"code", "id", "markdown"});
  if (wanted == "uri") return OneOf(type, {"url", "canonical", "oid", "uuid"});
  if (wanted == "integer") return OneOf(type, {"positiveInt", "unsignedInt"});
  if (wanted == "Resource" || wanted == "DomainResource") return Defs().IsKnownResourceType(type);
  return false;
}

Item Literal(bool value) {
  Item item;
  item.literal = value;
  item.type = "boolean";
  return item;
}

// Appends `value` (flattening arrays) typed as `type` under element `element`.
void AppendTyped(const boost::json::value& value, std::string_view type,
                 const ElementDefinition* element, Collection& out) {
  if (value.is_array()) {
    for (const boost::json::value& v : value.get_array()) AppendTyped(v, type, element, out);
    return;
  }
  if (value.is_null()) return;  // placeholders in primitive arrays
  Item item;
  item.value = &value;
  item.object = value.if_object();
  item.type = type;
  item.path = type;
  if (element != nullptr && !element->content_reference.empty()) {
    item.type = "BackboneElement";
    item.path = element->content_reference;
  } else if (element != nullptr && (type == "BackboneElement" || type == "Element")) {
    item.type = "BackboneElement";
    item.path = element->path;
  } else if (type == "Resource" && item.object != nullptr) {
    const boost::json::value* resource_type = item.object->if_contains("resourceType");
    item.type = resource_type != nullptr && resource_type->is_string()
                    ? std::string_view(resource_type->get_string())
                    : std::string_view();
    item.path = item.type;
  }
  out.push_back(item);
}

std::string ChoiceKey(std::string_view name, std::string_view type) {
  std::string key(name);
  key += static_cast<char>(std::toupper(static_cast<unsigned char>(type[0])));
  key.append(type.substr(1));
  return key;
}

void AppendChildren(const Item& item, std::string_view name, Collection& out) {
  if (item.object == nullptr) return;
  const boost::json::object& object = *item.object;
  if (!item.path.empty()) {
    std::string path = std::string(item.path) + "." + std::string(name);
    if (const ElementDefinition* e = Defs().FindElement(path)) {
      if (const boost::json::value* v = object.if_contains(name)) {
        AppendTyped(*v, e->types.empty() ? std::string_view("BackboneElement") : e->types.front(),
                    e, out);
      }
      return;
    }
    if (const ElementDefinition* e = Defs().FindElement(path + "[x]")) {
      for (const std::string& type : e->types) {
        if (const boost::json::value* v = object.if_contains(ChoiceKey(name, type))) {
          AppendTyped(*v, type, e, out);
        }
      }
      return;
    }
  }
  // Outside the model (an untyped node, or a datatype not in the closure):
  // read the JSON untyped rather than lose the value.
  if (const boost::json::value* v = object.if_contains(name)) AppendTyped(*v, "", nullptr, out);
}

// The resource type a Reference points at: from "Type/id", ".../Type/id" or
// ".../Type/id/_history/v", else from Reference.type; empty when unknown.
std::string_view ReferencedType(const boost::json::object& reference) {
  if (const boost::json::value* ref = reference.if_contains("reference"); ref && ref->is_string()) {
    std::string_view text = ref->get_string();
    if (size_t history = text.find("/_history/"); history != std::string_view::npos) {
      text = text.substr(0, history);
    }
    size_t last = text.rfind('/');
    if (last != std::string_view::npos && last > 0) {
      size_t before = text.rfind('/', last - 1);
      std::string_view type =
          text.substr(before == std::string_view::npos ? 0 : before + 1,
                      last - (before == std::string_view::npos ? 0 : before + 1));
      if (Defs().IsKnownResourceType(type)) return type;
    }
  }
  if (const boost::json::value* type = reference.if_contains("type"); type && type->is_string()) {
    if (Defs().IsKnownResourceType(type->get_string())) return type->get_string();
  }
  return {};
}

Collection Resolve(const Collection& input) {
  Collection out;
  for (const Item& item : input) {
    Item resolved = item;
    if (Defs().IsKnownResourceType(item.type)) {
      out.push_back(resolved);  // an inline resource (Bundle.entry.resource)
      continue;
    }
    resolved.type = item.object != nullptr ? ReferencedType(*item.object) : std::string_view();
    resolved.path = resolved.type;
    out.push_back(resolved);
  }
  return out;
}

// The single boolean of a collection: empty -> nullopt; a single boolean ->
// its value; any other single item -> true (FHIRPath singleton evaluation).
std::optional<bool> AsBoolean(const Collection& c) {
  if (c.size() != 1) return c.empty() ? std::nullopt : std::optional<bool>(true);
  const Item& item = c.front();
  if (const bool* b = std::get_if<bool>(&item.literal)) return *b;
  if (item.value != nullptr && item.value->is_bool()) return item.value->get_bool();
  return true;
}

enum class PrimitiveKind { kNone, kBoolean, kString, kNumber };

PrimitiveKind KindOf(const Item& item) {
  if (std::holds_alternative<bool>(item.literal)) return PrimitiveKind::kBoolean;
  if (std::holds_alternative<std::string>(item.literal)) return PrimitiveKind::kString;
  if (std::holds_alternative<int64_t>(item.literal)) return PrimitiveKind::kNumber;
  if (item.value == nullptr) return PrimitiveKind::kNone;
  if (item.value->is_bool()) return PrimitiveKind::kBoolean;
  if (IsJsonNumber(*item.value)) return PrimitiveKind::kNumber;  // before strings: decimals
  if (item.value->is_string()) return PrimitiveKind::kString;
  return PrimitiveKind::kNone;
}

// FHIRPath `=` on two collections: empty if either is empty.
std::optional<bool> Equal(const Collection& a, const Collection& b) {
  if (a.empty() || b.empty()) return std::nullopt;
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    PrimitiveKind kind = KindOf(a[i]);
    if (kind == PrimitiveKind::kNone || kind != KindOf(b[i])) return false;
    if (PrimitiveText(a[i]) != PrimitiveText(b[i])) return false;
  }
  return true;
}

Collection FromOptional(std::optional<bool> value) {
  return value ? Collection{Literal(*value)} : Collection{};
}

Collection Eval(const Expr& expr, const Collection& input, const Item& focus, bool at_root);

Collection CallFunction(const Expr& expr, const Collection& input) {
  const std::string& name = expr.name;
  if (name == "exists") return {Literal(!input.empty())};
  if (name == "empty") return {Literal(input.empty())};
  if (name == "first") return input.empty() ? Collection{} : Collection{input.front()};
  if (name == "resolve") return Resolve(input);
  if (name == "not") {
    std::optional<bool> value = AsBoolean(input);
    return value ? Collection{Literal(!*value)} : Collection{};
  }
  if (name == "where") {
    Collection out;
    for (const Item& item : input) {
      if (AsBoolean(Eval(*expr.args[0], {item}, item, true)) == true) out.push_back(item);
    }
    return out;
  }
  const std::string& type = expr.args[0]->name;  // ofType, as, is
  if (name == "is") {
    return input.size() == 1 ? Collection{Literal(TypeMatches(input[0].type, type))} : Collection{};
  }
  Collection out;
  for (const Item& item : input) {
    if (TypeMatches(item.type, type)) out.push_back(item);
  }
  return out;
}

bool SameNode(const Item& a, const Item& b) {
  return a.value == b.value && a.object == b.object && a.type == b.type &&
         (a.value != nullptr || a.object != nullptr);
}

Collection Union(Collection left, const Collection& right) {
  for (const Item& item : right) {
    bool seen = std::any_of(left.begin(), left.end(),
                            [&](const Item& other) { return SameNode(item, other); });
    if (!seen) left.push_back(item);
  }
  return left;
}

// A name at the start of a path that names the focus's type is the focus
// (`Observation.code` on an Observation); otherwise it is a child.
Collection EvalIdentifier(const Expr& expr, const Collection& input, const Item& focus,
                          bool at_root) {
  bool names_focus =
      expr.name == focus.type || ((expr.name == "Resource" || expr.name == "DomainResource") &&
                                  Defs().IsKnownResourceType(focus.type));
  if (at_root && names_focus) return {focus};
  Collection out;
  for (const Item& item : input) AppendChildren(item, expr.name, out);
  return out;
}

Collection EvalLiteral(const Expr& expr) {
  Item item;
  if (expr.kind == Expr::Kind::kBoolean) return {Literal(expr.boolean)};
  if (expr.kind == Expr::Kind::kString) {
    item.literal = expr.name;
    item.type = "string";
  } else {
    item.literal = expr.integer;
    item.type = "integer";
  }
  return {item};
}

// and, =, != (three-valued: an empty operand gives an empty result, except
// that false and anything is false).
Collection EvalLogic(const Expr& expr, const Collection& left, const Collection& right) {
  if (expr.kind == Expr::Kind::kAnd) {
    std::optional<bool> a = AsBoolean(left);
    std::optional<bool> b = AsBoolean(right);
    if (a == false || b == false) return {Literal(false)};
    return FromOptional(a && b ? std::optional<bool>(true) : std::nullopt);
  }
  std::optional<bool> equal = Equal(left, right);
  if (equal && expr.kind == Expr::Kind::kNotEqual) equal = !*equal;
  return FromOptional(equal);
}

// is / as (the operators; the function forms are in CallFunction).
Collection EvalType(const Expr& expr, const Collection& operand) {
  if (expr.kind == Expr::Kind::kIs) {
    if (operand.size() != 1) return {};
    return {Literal(TypeMatches(operand[0].type, expr.name))};
  }
  Collection out;
  for (const Item& item : operand) {
    if (TypeMatches(item.type, expr.name)) out.push_back(item);
  }
  return out;
}

Collection Eval(const Expr& expr, const Collection& input, const Item& focus, bool at_root) {
  using K = Expr::Kind;
  auto operand = [&](size_t i) { return Eval(*expr.args[i], input, focus, at_root); };
  switch (expr.kind) {
    case K::kIdentifier:
      return EvalIdentifier(expr, input, focus, at_root);
    case K::kFunction:
      return CallFunction(expr, input);
    case K::kString:
    case K::kBoolean:
    case K::kInteger:
      return EvalLiteral(expr);
    case K::kInvoke:
      return Eval(*expr.args[1], operand(0), focus, false);
    case K::kIndex: {
      Collection all = operand(0);
      size_t index = static_cast<size_t>(expr.integer);
      return index < all.size() ? Collection{all[index]} : Collection{};
    }
    case K::kUnion:
      return Union(operand(0), operand(1));
    case K::kAnd:
    case K::kEqual:
    case K::kNotEqual:
      return EvalLogic(expr, operand(0), operand(1));
    case K::kIs:
    case K::kAs:
      return EvalType(expr, operand(0));
  }
  return {};
}

}  // namespace

Item RootItem(const boost::json::object& resource) {
  Item root;
  root.object = &resource;
  if (const boost::json::value* type = resource.if_contains("resourceType");
      type != nullptr && type->is_string() && Defs().IsKnownResourceType(type->get_string())) {
    root.type = type->get_string();
    root.path = root.type;
  }
  return root;
}

std::vector<Item> Evaluate(const Expr& expr, const Item& focus) {
  return Eval(expr, {focus}, focus, true);
}

std::string PrimitiveText(const Item& item) {
  if (const bool* b = std::get_if<bool>(&item.literal)) return *b ? "true" : "false";
  if (const std::string* s = std::get_if<std::string>(&item.literal)) return *s;
  if (const int64_t* n = std::get_if<int64_t>(&item.literal)) return std::to_string(*n);
  if (item.value == nullptr) return {};
  const boost::json::value& v = *item.value;
  if (IsDecimal(v)) return std::string(DecimalText(v));
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) {
    std::array<char, 32> buffer{};
    auto [end, ec] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), v.get_double());
    return ec == std::errc() ? std::string(buffer.data(), end) : std::string();
  }
  return {};
}

}  // namespace mamori::fhir::search::internal
