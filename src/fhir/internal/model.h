// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/definitions.h" instead.
//
// The compiled form of r4_definitions.json: the public lookup tables behind
// fhir::Definitions, plus the node graph the validator walks. A Node is one
// JSON object shape (a resource, a datatype, or a backbone element); its
// children are keyed by JSON property name, with choice elements expanded
// ("value[x]" -> "valueQuantity", "valueString", ...), so validating a
// property is one hash lookup. Built once by BuildModel(); immutable after.
// Every pointer and string_view points into the Model itself.

#include <bitset>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include "core/status.h"
#include "fhir/definitions.h"

namespace mamori::fhir::internal {

// The primitive types, with kNone for complex types.
enum class Primitive : uint8_t {
  kNone,
  kBase64Binary,
  kBoolean,
  kCanonical,
  kCode,
  kDate,
  kDateTime,
  kDecimal,
  kId,
  kInstant,
  kInteger,
  kMarkdown,
  kOid,
  kPositiveInt,
  kString,
  kTime,
  kUnsignedInt,
  kUri,
  kUrl,
  kUuid,
  kXhtml,
};

// The enumerator for a FHIR primitive type name; kNone for anything else.
Primitive PrimitiveFromName(std::string_view name);

// Most children any one node has (ExplanationOfBenefit has 51).
inline constexpr size_t kMaxChildren = 128;

struct Node;

// The codes of one enforced required value set.
struct CodeSet {
  std::string_view url;
  boost::unordered_flat_set<std::string_view> codes;
};

// One JSON property a node accepts. A choice element has one Child per type.
struct Child {
  const ElementDefinition* def = nullptr;
  // Position of def among the node's elements: its bit in the seen mask.
  uint16_t index = 0;
  // The (chosen) type: a primitive, or a node for complex/backbone types, or
  // an embedded resource.
  Primitive primitive = Primitive::kNone;
  const Node* node = nullptr;
  bool is_resource = false;
  // Reference.reference: checked as a reference, not just a string.
  bool is_reference_string = false;
  std::string_view type_name;
  const CodeSet* codes = nullptr;
};

struct Node {
  enum class Kind { kResource, kDatatype, kBackbone };
  // Type name or backbone path: "Observation", "Quantity", "Observation.component".
  std::string_view name;
  Kind kind = Kind::kDatatype;
  // By JSON property name (without the leading '_' of primitive extensions).
  boost::unordered_flat_map<std::string_view, Child> children;
  // Element definitions by index.
  std::vector<const ElementDefinition*> elements;
  // Indices of elements with min >= 1.
  std::vector<uint16_t> required;
  // Extension: ext-1 needs exactly one of value[x] and extension.
  bool is_extension = false;
  int value_index = -1;
  int extension_index = -1;
};

using SeenMask = std::bitset<kMaxChildren>;

struct Model {
  std::string source;
  std::vector<std::string> supported_types;  // sorted
  boost::unordered_flat_set<std::string_view> supported;
  std::vector<std::string> known_types;  // sorted
  boost::unordered_flat_set<std::string_view> known;

  std::deque<ElementDefinition> elements;
  boost::unordered_flat_map<std::string_view, const ElementDefinition*> element_by_path;
  boost::unordered_flat_map<std::string_view, std::vector<const ElementDefinition*>>
      children_by_path;

  std::deque<PrimitiveDefinition> primitives;
  boost::unordered_flat_map<std::string_view, const PrimitiveDefinition*> primitive_by_name;

  std::deque<std::vector<std::string>> value_set_codes;
  std::deque<CodeSet> code_sets;
  boost::unordered_flat_map<std::string_view, const CodeSet*> code_set_by_url;
  boost::unordered_flat_map<std::string_view, const std::vector<std::string>*> codes_by_url;

  std::deque<SearchParameter> search_params;
  boost::unordered_flat_map<std::string_view, std::vector<const SearchParameter*>> search_by_type;

  std::deque<std::vector<std::string>> compartment_lists;
  boost::unordered_flat_map<std::string_view, const std::vector<std::string>*> compartment;

  // Validator graph.
  std::deque<Node> nodes;
  boost::unordered_flat_map<std::string_view, Node*> node_by_name;
  // Storage for strings the tables above point into (choice property names).
  std::deque<std::string> strings;

  // The node of a supported resource type, or nullptr.
  const Node* ResourceNode(std::string_view type) const;
  // The node for primitive extensions (`_given`): Element (id, extension).
  const Node* element_node = nullptr;
};

// Parses r4_definitions.json. kInvalidArgument names what is malformed.
core::Result<std::unique_ptr<const Model>> BuildModel(std::string_view json);

}  // namespace mamori::fhir::internal
