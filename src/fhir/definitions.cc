// SPDX-License-Identifier: Apache-2.0

#include "fhir/definitions.h"

#include <algorithm>
#include <array>

#include "core/check.h"
#include "core/logging.h"
#include "fhir/internal/embedded_definitions.h"
#include "fhir/internal/model.h"

extern "C" const char mamori_fhir_r4_definitions_begin[];
extern "C" const char mamori_fhir_r4_definitions_end[];

namespace mamori::fhir {
namespace {

constexpr std::array<std::string_view, 9> kSearchParamTypeNames = {
    "number", "date", "string", "token", "reference", "composite", "quantity", "uri", "special"};

template <typename Map>
auto FindOrNull(const Map& map, std::string_view key) -> decltype(map.begin()->second) {
  auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}

}  // namespace

namespace internal {

std::string_view EmbeddedR4DefinitionsJson() {
  return std::string_view(
      mamori_fhir_r4_definitions_begin,
      static_cast<size_t>(mamori_fhir_r4_definitions_end - mamori_fhir_r4_definitions_begin));
}

const Model& ModelOf(const Definitions& defs) { return *defs.model_; }

}  // namespace internal

std::string_view SearchParamTypeName(SearchParamType type) {
  return kSearchParamTypeNames[static_cast<size_t>(type)];
}

const Definitions& Definitions::R4() {
  static const Definitions* const kR4 = [] {
    core::Result<std::unique_ptr<const internal::Model>> model =
        internal::BuildModel(internal::EmbeddedR4DefinitionsJson());
    if (!model.ok()) core::LogError("embedded FHIR definitions: {}", model.status());
    // The data is compiled in: failing to load it is a build defect.
    MAMORI_CHECK(model.ok());
    return new Definitions(std::move(model).value());
  }();
  return *kR4;
}

Definitions::Definitions(std::unique_ptr<const internal::Model> model) : model_(std::move(model)) {}
Definitions::~Definitions() = default;

std::string_view Definitions::Source() const { return model_->source; }

bool Definitions::IsSupportedResourceType(std::string_view type) const {
  return model_->supported.contains(type);
}

bool Definitions::IsKnownResourceType(std::string_view type) const {
  return model_->known.contains(type);
}

std::span<const std::string> Definitions::SupportedResourceTypes() const {
  return model_->supported_types;
}

const ElementDefinition* Definitions::FindElement(std::string_view path) const {
  return FindOrNull(model_->element_by_path, path);
}

std::vector<const ElementDefinition*> Definitions::ChildElements(std::string_view path) const {
  auto it = model_->children_by_path.find(path);
  if (it == model_->children_by_path.end()) return {};
  return it->second;
}

std::span<const SearchParameter* const> Definitions::SearchParameters(std::string_view type) const {
  auto it = model_->search_by_type.find(type);
  if (it == model_->search_by_type.end()) return {};
  return it->second;
}

const SearchParameter* Definitions::FindSearchParameter(std::string_view type,
                                                        std::string_view code) const {
  std::span<const SearchParameter* const> params = SearchParameters(type);
  auto it =
      std::lower_bound(params.begin(), params.end(), code,
                       [](const SearchParameter* p, std::string_view c) { return p->code < c; });
  return it != params.end() && (*it)->code == code ? *it : nullptr;
}

std::span<const std::string> Definitions::PatientCompartmentParams(std::string_view type) const {
  const std::vector<std::string>* params = FindOrNull(model_->compartment, type);
  if (params == nullptr) return {};
  return *params;
}

const PrimitiveDefinition* Definitions::FindPrimitive(std::string_view name) const {
  return FindOrNull(model_->primitive_by_name, name);
}

std::span<const std::string> Definitions::ValueSetCodes(std::string_view url) const {
  const std::vector<std::string>* codes = FindOrNull(model_->codes_by_url, url);
  if (codes == nullptr) return {};
  return *codes;
}

}  // namespace mamori::fhir
