// SPDX-License-Identifier: Apache-2.0
// Walker: resources, objects and properties. Primitives, references and issue
// reporting are in walker_primitives.cc.

#include "fhir/internal/walker.h"

#include <utility>

namespace mamori::fhir::internal {
namespace {

namespace json = boost::json;

// Deeper than any real resource; bounds recursion for objects built in code
// (ParseResourceJson already bounds parsed input).
constexpr size_t kMaxPathDepth = 128;

// Keys are echoed in expressions only when they look like FHIR element names,
// so a key cannot smuggle patient data into an error message.
std::string_view SafeName(std::string_view key) {
  std::string_view name = key.starts_with('_') ? key.substr(1) : key;
  bool ok = !name.empty() && name.size() <= 64 &&
            ((name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z'));
  for (char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  }
  return ok ? key : std::string_view("(invalid name)");
}

// "value[x]" -> "value": the FHIRPath name of an element.
std::string_view PathName(const ElementDefinition& e) {
  std::string_view name = e.name;
  return name.ends_with("[x]") ? name.substr(0, name.size() - 3) : name;
}

}  // namespace

Walker::Walker(const Model& model, const ValidationOptions& options,
               std::vector<ValidationIssue>& issues)
    : model_(model),
      options_(options),
      issues_(issues),
      allow_conditional_(options.allow_conditional_references) {
  path_.reserve(32);
}

void Walker::Run(const json::object& resource) {
  ValidateResource(resource, Scope::kTopLevel);
  if (truncated_) {
    path_.clear();
    std::string diagnostics = "validation stopped after the first ";
    diagnostics += std::to_string(options_.max_issues);
    diagnostics += " issues";
    issues_.push_back(
        {IssueSeverity::kInformation, IssueCode::kTooCostly, "", std::move(diagnostics)});
  }
}

const Node* Walker::ResourceNodeOf(const json::object& resource) {
  const json::value* type = resource.if_contains("resourceType");
  bool root = path_.empty();
  if (type == nullptr || !type->is_string()) {
    if (root) Push("Resource");
    Report(type == nullptr ? IssueCode::kRequired : IssueCode::kStructure,
           "resourceType is required and must be a string naming a resource type");
    return nullptr;
  }
  std::string_view name = type->get_string();
  if (!model_.known.contains(name)) {
    if (root) Push("Resource");
    Report(IssueCode::kInvalid, "resourceType does not name an R4 resource type");
    return nullptr;
  }
  // `name` is a known type name from here on, so it may appear in messages.
  if (root) Push(name);
  const Node* node = model_.ResourceNode(name);
  if (node == nullptr) {
    Report(IssueCode::kNotSupported, "resource type ", name, " is not supported by this server");
  }
  return node;
}

void Walker::ValidateResource(const json::object& resource, Scope scope) {
  const Node* node = ResourceNodeOf(resource);
  if (node == nullptr) return;
  if (scope == Scope::kContained && resource.contains("contained")) {
    Report(IssueCode::kInvariant, "a contained resource must not contain resources (dom-2)");
  }
  // Each top-level or entry resource has its own contained resources.
  std::vector<std::string_view> saved_ids;
  bool saved_conditional = allow_conditional_;
  if (scope != Scope::kContained) {
    saved_ids.swap(contained_ids_);
    CollectContainedIds(resource);
  }
  if (node->name == "Bundle") {
    const json::value* type = resource.if_contains("type");
    if (type != nullptr && type->is_string() &&
        (type->get_string() == "transaction" || type->get_string() == "batch")) {
      allow_conditional_ = true;
    }
  }
  ValidateObject(resource, *node);
  allow_conditional_ = saved_conditional;
  if (scope != Scope::kContained) contained_ids_.swap(saved_ids);
}

void Walker::CollectContainedIds(const json::object& resource) {
  const json::value* contained = resource.if_contains("contained");
  if (contained == nullptr || !contained->is_array()) return;
  for (const json::value& item : contained->get_array()) {
    const json::object* object = item.if_object();
    const json::value* id = object != nullptr ? object->if_contains("id") : nullptr;
    if (id != nullptr && id->is_string()) contained_ids_.push_back(id->get_string());
  }
}

void Walker::ValidateObject(const json::object& object, const Node& node) {
  if (object.empty()) {
    Report(IssueCode::kStructure, "empty objects are not allowed in FHIR JSON");
    return;
  }
  if (path_.size() > kMaxPathDepth) {
    Report(IssueCode::kTooCostly, "nesting too deep to validate");
    return;
  }
  SeenMask seen;
  for (const auto& member : object) {
    if (Stop()) return;
    std::string_view key = member.key();
    if (node.kind == Node::Kind::kResource && key == "resourceType") continue;
    bool extension = key.starts_with('_');
    auto it = node.children.find(extension ? key.substr(1) : key);
    if (it == node.children.end()) {
      Push(SafeName(key));
      Report(IssueCode::kStructure, "unknown element for ", node.name);
      Pop();
      continue;
    }
    const Child& child = it->second;
    if (!extension && seen.test(child.index) && child.def->name.ends_with("[x]")) {
      Push(key);
      Report(IssueCode::kStructure, "only one type of ", child.def->path, " may be present");
      Pop();
    }
    seen.set(child.index);
    if (extension) {
      ValidatePrimitiveExtension(object, key, member.value(), child);
    } else {
      ValidateProperty(object, key, member.value(), child);
    }
  }
  CheckRequired(node, seen);
  if (node.is_extension) CheckExtensionInvariant(node, seen);
}

void Walker::ValidateProperty(const json::object& owner, std::string_view key,
                              const json::value& value, const Child& child) {
  Push(key);
  const json::array* array = value.if_array();
  if (!child.def->is_array()) {
    if (array != nullptr) {
      Report(IssueCode::kStructure, "must be a single value, not an array (max 1)");
    } else {
      ValidateValue(value, child);
    }
  } else if (array == nullptr) {
    std::string max =
        child.def->max == ElementDefinition::kUnbounded ? "*" : std::to_string(child.def->max);
    Report(IssueCode::kStructure, "must be an array (max ", max, ")");
  } else if (array->empty()) {
    Report(IssueCode::kStructure, "empty arrays are not allowed in FHIR JSON");
  } else {
    if (array->size() > child.def->max)
      Report(IssueCode::kStructure, "too many items for ", child.def->path);
    for (size_t i = 0; i < array->size() && !Stop(); ++i) {
      path_.back().index = static_cast<int>(i);
      if ((*array)[i].is_null()) {
        ValidateNullItem(owner, key, i, child);
      } else {
        ValidateValue((*array)[i], child);
      }
    }
  }
  Pop();
}

// A null in a primitive array is a placeholder for an item that has only
// extensions: `"given": [null, "B"], "_given": [{"extension": [...]}, null]`.
void Walker::ValidateNullItem(const json::object& owner, std::string_view key, size_t index,
                              const Child& child) {
  if (child.primitive != Primitive::kNone) {
    std::string ext_key(1, '_');
    ext_key += key;
    const json::value* ext = owner.if_contains(ext_key);
    const json::array* ext_array = ext != nullptr ? ext->if_array() : nullptr;
    if (ext_array != nullptr && index < ext_array->size() && (*ext_array)[index].is_object())
      return;
  }
  Report(IssueCode::kStructure,
         "null is only allowed in a primitive array whose _element has an item here");
}

// `key` is "_name": extensions and id of the primitive element `name`.
void Walker::ValidatePrimitiveExtension(const json::object& owner, std::string_view key,
                                        const json::value& value, const Child& child) {
  std::string_view name = key.substr(1);
  // FHIRPath has no underscore: Patient.name[0].given[1].extension[0].
  Push(name);
  if (child.primitive == Primitive::kNone) {
    path_.back().name = key;
    Report(IssueCode::kStructure, "only primitive elements have a _element form");
  } else if (!child.def->is_array()) {
    if (value.is_object()) {
      ValidateObject(value.get_object(), *model_.element_node);
    } else {
      Report(IssueCode::kStructure, "the _element form must be a JSON object");
    }
  } else if (!value.is_array() || value.get_array().empty()) {
    Report(IssueCode::kStructure, "the _element form of an array must be a non-empty array");
  } else {
    const json::array& items = value.get_array();
    const json::value* main = owner.if_contains(name);
    const json::array* main_items = main != nullptr ? main->if_array() : nullptr;
    if (main_items != nullptr && main_items->size() != items.size()) {
      Report(IssueCode::kStructure,
             "the _element array must have as many items as the element array");
    }
    for (size_t i = 0; i < items.size() && !Stop(); ++i) {
      path_.back().index = static_cast<int>(i);
      if (items[i].is_object()) {
        ValidateObject(items[i].get_object(), *model_.element_node);
      } else if (!items[i].is_null() || main_items == nullptr || i >= main_items->size() ||
                 (*main_items)[i].is_null()) {
        Report(IssueCode::kStructure,
               "each _element item must be an object, or null where the element has a value");
      }
    }
  }
  Pop();
}

void Walker::ValidateValue(const json::value& value, const Child& child) {
  if (child.primitive != Primitive::kNone) {
    ValidatePrimitive(value, child);
    return;
  }
  const json::object* object = value.if_object();
  if (object == nullptr) {
    Report(IssueCode::kStructure, "must be a JSON object (FHIR type ", child.type_name, ")");
    return;
  }
  if (child.is_resource) {
    ValidateResource(*object, child.def->name == "contained" ? Scope::kContained : Scope::kEntry);
    return;
  }
  const ElementDefinition* saved = reference_def_;
  if (child.node->name == "Reference") reference_def_ = child.def;
  ValidateObject(*object, *child.node);
  reference_def_ = saved;
}

void Walker::CheckRequired(const Node& node, const SeenMask& seen) {
  for (uint16_t index : node.required) {
    if (seen.test(index)) continue;
    Push(PathName(*node.elements[index]));
    Report(IssueCode::kRequired, "required element ", node.elements[index]->path, " is missing");
    Pop();
  }
}

void Walker::CheckExtensionInvariant(const Node& node, const SeenMask& seen) {
  bool has_value = node.value_index >= 0 && seen.test(static_cast<size_t>(node.value_index));
  bool has_extensions =
      node.extension_index >= 0 && seen.test(static_cast<size_t>(node.extension_index));
  if (has_value == has_extensions) {
    Report(IssueCode::kInvariant,
           "an extension must have either nested extensions or a value[x], not both (ext-1)");
  }
}

}  // namespace mamori::fhir::internal
