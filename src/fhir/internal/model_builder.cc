// SPDX-License-Identifier: Apache-2.0
// Builds internal::Model from r4_definitions.json (layout in ../FORMAT.md).

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <optional>
#include <utility>

#include <boost/json.hpp>

#include "fhir/internal/model.h"

namespace mamori::fhir::internal {
namespace {

namespace json = boost::json;

constexpr std::array<std::pair<std::string_view, Primitive>, 20> kPrimitives = {{
    {"base64Binary", Primitive::kBase64Binary},
    {"boolean", Primitive::kBoolean},
    {"canonical", Primitive::kCanonical},
    {"code", Primitive::kCode},
    {"date", Primitive::kDate},
    {"dateTime", Primitive::kDateTime},
    {"decimal", Primitive::kDecimal},
    {"id", Primitive::kId},
    {"instant", Primitive::kInstant},
    {"integer", Primitive::kInteger},
    {"markdown", Primitive::kMarkdown},
    {"oid", Primitive::kOid},
    {"positiveInt", Primitive::kPositiveInt},
    {"string", Primitive::kString},
    {"time", Primitive::kTime},
    {"unsignedInt", Primitive::kUnsignedInt},
    {"uri", Primitive::kUri},
    {"url", Primitive::kUrl},
    {"uuid", Primitive::kUuid},
    {"xhtml", Primitive::kXhtml},
}};

// R4 resources that derive from Resource rather than DomainResource: they
// take the Resource search parameters but not _text.
constexpr std::array<std::string_view, 3> kNotDomainResources = {"Binary", "Bundle", "Parameters"};

core::Status Malformed(std::string_view what) {
  return core::InvalidArgumentError("r4_definitions.json: malformed " + std::string(what));
}

const json::object* ObjectAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->if_object() : nullptr;
}

std::string StringAt(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::vector<std::string> StringsAt(const json::object& o, std::string_view key) {
  std::vector<std::string> out;
  const json::value* v = o.if_contains(key);
  if (v == nullptr || !v->is_array()) return out;
  for (const json::value& item : v->get_array()) {
    if (item.is_string()) out.emplace_back(item.get_string());
  }
  return out;
}

uint32_t ParseMax(const json::object& o) {
  std::string max = StringAt(o, "max");
  if (max.empty()) return 1;
  if (max == "*") return ElementDefinition::kUnbounded;
  uint32_t value = 1;
  std::from_chars(max.data(), max.data() + max.size(), value);
  return value;
}

std::string_view ParentPath(std::string_view path) {
  size_t dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view() : path.substr(0, dot);
}

std::optional<SearchParamType> SearchTypeFromName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(SearchParamType::kSpecial); ++i) {
    auto type = static_cast<SearchParamType>(i);
    if (SearchParamTypeName(type) == name) return type;
  }
  return std::nullopt;
}

class ModelBuilder {
 public:
  explicit ModelBuilder(Model& model) : m_(model) {}

  core::Status Build(const json::object& root) {
    MAMORI_RETURN_IF_ERROR(LoadTypeLists(root));
    MAMORI_RETURN_IF_ERROR(LoadPrimitives(root));
    MAMORI_RETURN_IF_ERROR(LoadValueSets(root));
    MAMORI_RETURN_IF_ERROR(LoadElements(root));
    MAMORI_RETURN_IF_ERROR(LoadSearchParameters(root));
    MAMORI_RETURN_IF_ERROR(LoadCompartment(root));
    return BuildNodes();
  }

 private:
  core::Status LoadTypeLists(const json::object& root) {
    const json::object* source = ObjectAt(root, "source");
    if (source == nullptr) return Malformed("source");
    m_.source = StringAt(*source, "package") + " " + StringAt(*source, "version") + " (FHIR " +
                StringAt(*source, "fhirVersion") + ")";
    m_.supported_types = StringsAt(root, "supportedResourceTypes");
    m_.known_types = StringsAt(root, "allResourceTypes");
    if (m_.supported_types.empty() || m_.known_types.empty()) return Malformed("type lists");
    for (const std::string& t : m_.supported_types) m_.supported.insert(t);
    for (const std::string& t : m_.known_types) m_.known.insert(t);
    return core::Status::Ok();
  }

  core::Status LoadPrimitives(const json::object& root) {
    const json::object* prims = ObjectAt(root, "primitives");
    if (prims == nullptr) return Malformed("primitives");
    for (const auto& [name, value] : *prims) {
      if (!value.is_object()) return Malformed("primitive");
      const json::object& o = value.get_object();
      PrimitiveDefinition& p = m_.primitives.emplace_back();
      p.name = name;
      std::string kind = StringAt(o, "json");
      p.json = kind == "number"    ? PrimitiveDefinition::Json::kNumber
               : kind == "boolean" ? PrimitiveDefinition::Json::kBoolean
                                   : PrimitiveDefinition::Json::kString;
      p.regex = StringAt(o, "regex");
      if (const json::value* max = o.if_contains("maxLength"); max != nullptr && max->is_int64()) {
        p.max_length = static_cast<uint64_t>(max->get_int64());
      }
      m_.primitive_by_name[p.name] = &p;
    }
    return core::Status::Ok();
  }

  core::Status LoadValueSets(const json::object& root) {
    const json::object* sets = ObjectAt(root, "valueSets");
    if (sets == nullptr) return Malformed("valueSets");
    for (const auto& [url, value] : *sets) {
      std::vector<std::string>& codes = m_.value_set_codes.emplace_back(StringsAt(*sets, url));
      CodeSet& set = m_.code_sets.emplace_back();
      set.url = m_.strings.emplace_back(url);
      for (const std::string& code : codes) set.codes.insert(code);
      m_.code_set_by_url[set.url] = &set;
      m_.codes_by_url[set.url] = &codes;
    }
    return core::Status::Ok();
  }

  core::Status LoadElements(const json::object& root) {
    const json::object* types = ObjectAt(root, "types");
    if (types == nullptr) return Malformed("types");
    for (const auto& [type, value] : *types) {
      const json::object* elements =
          value.is_object() ? ObjectAt(value.get_object(), "elements") : nullptr;
      if (elements == nullptr) return Malformed("type");
      type_names_.push_back(m_.strings.emplace_back(type));
      for (const auto& [rel, def] : *elements) {
        if (!def.is_object()) return Malformed("element");
        AddElement(std::string(type) + "." + std::string(rel), def.get_object());
      }
    }
    return core::Status::Ok();
  }

  void AddElement(std::string path, const json::object& o) {
    ElementDefinition& e = m_.elements.emplace_back();
    e.path = std::move(path);
    e.name = e.path.substr(e.path.rfind('.') + 1);
    e.types = StringsAt(o, "type");
    const json::value* min = o.if_contains("min");
    e.min = min != nullptr && min->is_int64() ? static_cast<uint32_t>(min->get_int64()) : 0;
    e.max = ParseMax(o);
    e.content_reference = StringAt(o, "contentReference");
    e.target_types = StringsAt(o, "targets");
    e.required_binding = StringAt(o, "binding");
    const json::value* summary = o.if_contains("summary");
    e.is_summary = summary != nullptr && summary->is_bool() && summary->get_bool();
    m_.element_by_path[e.path] = &e;
    m_.children_by_path[ParentPath(e.path)].push_back(&e);
  }

  SearchParameter ParseSearchParameter(std::string_view base, std::string_view code,
                                       const json::object& o, core::Status& status) {
    SearchParameter p;
    p.code = code;
    p.base = base;
    std::optional<SearchParamType> type = SearchTypeFromName(StringAt(o, "type"));
    if (!type) status = Malformed("search parameter type");
    p.type = type.value_or(SearchParamType::kSpecial);
    p.expression = StringAt(o, "expression");
    p.target_types = StringsAt(o, "target");
    if (const json::value* v = o.if_contains("multipleOr"); v != nullptr && v->is_bool())
      p.multiple_or = v->get_bool();
    if (const json::value* v = o.if_contains("multipleAnd"); v != nullptr && v->is_bool())
      p.multiple_and = v->get_bool();
    p.comparators = StringsAt(o, "comparator");
    if (const json::value* v = o.if_contains("component"); v != nullptr && v->is_array()) {
      for (const json::value& c : v->get_array()) {
        if (!c.is_object()) continue;
        p.components.push_back(
            {StringAt(c.get_object(), "code"), StringAt(c.get_object(), "expression")});
      }
    }
    return p;
  }

  core::Status LoadSearchParameters(const json::object& root) {
    const json::object* all = ObjectAt(root, "searchParameters");
    if (all == nullptr) return Malformed("searchParameters");
    core::Status status;
    boost::unordered_flat_map<std::string_view, std::vector<const SearchParameter*>> by_base;
    for (const auto& [base, params] : *all) {
      if (!params.is_object()) return Malformed("search parameters");
      std::string_view base_name = m_.strings.emplace_back(base);
      for (const auto& [code, def] : params.get_object()) {
        if (!def.is_object()) return Malformed("search parameter");
        m_.search_params.push_back(ParseSearchParameter(base_name, code, def.get_object(), status));
        by_base[base_name].push_back(&m_.search_params.back());
      }
    }
    MAMORI_RETURN_IF_ERROR(status);
    for (const std::string& type : m_.supported_types) {
      std::vector<const SearchParameter*>& list = m_.search_by_type[type];
      auto append = [&](std::string_view base) {
        auto it = by_base.find(base);
        if (it != by_base.end()) list.insert(list.end(), it->second.begin(), it->second.end());
      };
      append(type);
      append("Resource");
      if (std::find(kNotDomainResources.begin(), kNotDomainResources.end(), type) ==
          kNotDomainResources.end()) {
        append("DomainResource");
      }
      std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return a->code < b->code; });
    }
    return core::Status::Ok();
  }

  core::Status LoadCompartment(const json::object& root) {
    const json::object* comp = ObjectAt(root, "patientCompartment");
    if (comp == nullptr) return Malformed("patientCompartment");
    for (const auto& [type, params] : *comp) {
      const std::vector<std::string>& list =
          m_.compartment_lists.emplace_back(StringsAt(*comp, type));
      m_.compartment[m_.strings.emplace_back(type)] = &list;
    }
    return core::Status::Ok();
  }

  core::Status BuildNodes() {
    for (std::string_view type : type_names_) {
      AddNode(type, m_.supported.contains(type) ? Node::Kind::kResource : Node::Kind::kDatatype);
    }
    for (const auto& [path, children] : m_.children_by_path) {
      if (!m_.node_by_name.contains(path)) AddNode(path, Node::Kind::kBackbone);
    }
    for (Node& node : m_.nodes) MAMORI_RETURN_IF_ERROR(FillNode(node));
    auto element = m_.node_by_name.find(std::string_view("Element"));
    if (element == m_.node_by_name.end()) return Malformed("Element type");
    m_.element_node = element->second;
    for (const std::string& type : m_.supported_types) {
      if (m_.ResourceNode(type) == nullptr) return Malformed("supported type without elements");
    }
    return core::Status::Ok();
  }

  void AddNode(std::string_view name, Node::Kind kind) {
    Node& node = m_.nodes.emplace_back();
    node.name = name;
    node.kind = kind;
    node.is_extension = name == "Extension";
    m_.node_by_name[name] = &node;
  }

  core::Status FillNode(Node& node) {
    auto it = m_.children_by_path.find(node.name);
    if (it == m_.children_by_path.end()) return core::Status::Ok();
    if (it->second.size() > kMaxChildren) return Malformed("type with too many elements");
    for (const ElementDefinition* e : it->second) {
      auto index = static_cast<uint16_t>(node.elements.size());
      node.elements.push_back(e);
      if (e->min > 0) node.required.push_back(index);
      if (node.is_extension && e->name == "value[x]") node.value_index = index;
      if (node.is_extension && e->name == "extension") node.extension_index = index;
      MAMORI_RETURN_IF_ERROR(AddChildren(node, *e, index));
    }
    return core::Status::Ok();
  }

  core::Status AddChildren(Node& node, const ElementDefinition& e, uint16_t index) {
    if (!e.content_reference.empty()) {
      auto target = m_.node_by_name.find(std::string_view(e.content_reference));
      if (target == m_.node_by_name.end()) return Malformed("contentReference");
      node.children[e.name] =
          Child{.def = &e, .index = index, .node = target->second, .type_name = "BackboneElement"};
      return core::Status::Ok();
    }
    for (const std::string& type : e.types) {
      Child child{.def = &e, .index = index, .type_name = type};
      MAMORI_RETURN_IF_ERROR(ResolveType(e, type, child));
      child.is_reference_string = node.name == "Reference" && e.name == "reference";
      if (!e.required_binding.empty()) {
        auto codes = m_.code_set_by_url.find(std::string_view(e.required_binding));
        if (codes != m_.code_set_by_url.end()) child.codes = codes->second;
      }
      node.children[PropertyName(e, type)] = child;
    }
    return core::Status::Ok();
  }

  core::Status ResolveType(const ElementDefinition& e, std::string_view type, Child& child) {
    child.primitive = PrimitiveFromName(type);
    if (child.primitive != Primitive::kNone) return core::Status::Ok();
    if (type == "Resource") {
      child.is_resource = true;
      return core::Status::Ok();
    }
    std::string_view target = type;
    if ((type == "BackboneElement" || type == "Element") && m_.children_by_path.contains(e.path)) {
      target = e.path;
    }
    auto it = m_.node_by_name.find(target);
    if (it == m_.node_by_name.end()) return Malformed("element type " + std::string(type));
    child.node = it->second;
    return core::Status::Ok();
  }

  // "value[x]" + "dateTime" -> "valueDateTime"; plain names unchanged.
  std::string_view PropertyName(const ElementDefinition& e, std::string_view type) {
    if (!e.is_choice() && e.name.find("[x]") == std::string::npos) return e.name;
    std::string name = e.name.substr(0, e.name.size() - 3);
    name += static_cast<char>(std::toupper(static_cast<unsigned char>(type[0])));
    name += type.substr(1);
    return m_.strings.emplace_back(std::move(name));
  }

  Model& m_;
  std::vector<std::string_view> type_names_;
};

}  // namespace

Primitive PrimitiveFromName(std::string_view name) {
  for (const auto& [n, p] : kPrimitives) {
    if (n == name) return p;
  }
  return Primitive::kNone;
}

const Node* Model::ResourceNode(std::string_view type) const {
  if (!supported.contains(type)) return nullptr;
  auto it = node_by_name.find(type);
  return it == node_by_name.end() ? nullptr : it->second;
}

core::Result<std::unique_ptr<const Model>> BuildModel(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(json::string_view(text.data(), text.size()), ec);
  if (ec || !root.is_object()) return Malformed("JSON");
  auto model = std::make_unique<Model>();
  MAMORI_RETURN_IF_ERROR(ModelBuilder(*model).Build(root.get_object()));
  return std::unique_ptr<const Model>(std::move(model));
}

}  // namespace mamori::fhir::internal
