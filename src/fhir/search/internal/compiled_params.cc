// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/internal/compiled_params.h"

#include <map>

namespace mamori::fhir::search::internal {
namespace {

using Compiled = std::map<std::string, std::vector<CompiledParam>, std::less<>>;

// Known defects in the R4 definitions, corrected here rather than indexed
// wrongly. DocumentReference "relationship" has its component expressions
// swapped: "relatesto" (a reference) reads relatesTo.code and "relation" (a
// token) relatesTo.target; the element each component is named for is meant.
std::string_view FixedComponentExpression(const SearchParameter& param,
                                          const SearchParamComponent& component) {
  if (param.base == "DocumentReference" && param.code == "relationship") {
    if (component.code == "relatesto") return "target";
    if (component.code == "relation") return "code";
  }
  return component.expression;
}

void CompileComposite(const Definitions& defs, CompiledParam& out) {
  for (const SearchParamComponent& component : out.param->components) {
    const SearchParameter* part = defs.FindSearchParameter(out.param->base, component.code);
    core::Result<ExprPtr> expr = ParseFhirPath(FixedComponentExpression(*out.param, component));
    if (part == nullptr || !expr.ok()) {
      out.problem = part == nullptr
                        ? "component parameter " + component.code + " is not defined"
                        : "component " + component.code + ": " + expr.status().message();
      out.expression.reset();
      return;
    }
    out.components.push_back(std::move(expr).value());
    out.component_params.push_back(part);
  }
}

CompiledParam Compile(const Definitions& defs, const SearchParameter& param) {
  CompiledParam out;
  out.param = &param;
  if (param.type == SearchParamType::kSpecial || param.expression.empty()) {
    out.problem = param.expression.empty() ? "no expression" : "special parameter";
    return out;
  }
  core::Result<ExprPtr> expr = ParseFhirPath(param.expression);
  if (!expr.ok()) {
    out.problem = expr.status().message();
    return out;
  }
  out.expression = std::move(expr).value();
  if (param.type == SearchParamType::kComposite) CompileComposite(defs, out);
  return out;
}

const Compiled& All() {
  static const Compiled* const kAll = [] {
    auto* all = new Compiled;
    const Definitions& defs = Definitions::R4();
    for (const std::string& type : defs.SupportedResourceTypes()) {
      std::vector<CompiledParam>& params = (*all)[type];
      for (const SearchParameter* param : defs.SearchParameters(type)) {
        params.push_back(Compile(defs, *param));
      }
    }
    return all;
  }();
  return *kAll;
}

}  // namespace

std::span<const CompiledParam> CompiledParams(std::string_view type) {
  const Compiled& all = All();
  auto it = all.find(type);
  if (it == all.end()) return {};
  return it->second;
}

const CompiledParam* FindCompiledParam(std::string_view type, std::string_view code) {
  for (const CompiledParam& p : CompiledParams(type)) {
    if (p.param->code == code) return &p;
  }
  return nullptr;
}

}  // namespace mamori::fhir::search::internal
