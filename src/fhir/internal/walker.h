// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/validator.h" instead.
//
// Walker: one validation pass over one resource (fhir::Validate's engine).
// It walks the JSON and the model's node graph side by side: each property
// is one hash lookup in its node, each value is checked against the chosen
// type. The current location is a stack of (name, index) segments, turned
// into an expression string only when an issue is reported, so a valid
// resource costs no string building at all.
//
// Borrows the model, the options and the output vector for its lifetime.
// Not thread-safe; make one per call.

#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <boost/json/object.hpp>

#include "fhir/internal/model.h"
#include "fhir/validator.h"

namespace mamori::fhir::internal {

class Walker {
 public:
  Walker(const Model& model, const ValidationOptions& options,
         std::vector<ValidationIssue>& issues);

  // Validates a top-level resource.
  void Run(const boost::json::object& resource);

 private:
  enum class Scope { kTopLevel, kContained, kEntry };
  struct Segment {
    std::string_view name;
    int index = -1;
  };

  // Resources.
  void ValidateResource(const boost::json::object& resource, Scope scope);
  const Node* ResourceNodeOf(const boost::json::object& resource);
  void CollectContainedIds(const boost::json::object& resource);

  // Objects and properties.
  void ValidateObject(const boost::json::object& object, const Node& node);
  void ValidateProperty(const boost::json::object& owner, std::string_view key,
                        const boost::json::value& value, const Child& child);
  void ValidatePrimitiveExtension(const boost::json::object& owner, std::string_view key,
                                  const boost::json::value& value, const Child& child);
  void ValidateValue(const boost::json::value& value, const Child& child);
  void ValidateNullItem(const boost::json::object& owner, std::string_view key, size_t index,
                        const Child& child);
  void CheckRequired(const Node& node, const SeenMask& seen);
  void CheckExtensionInvariant(const Node& node, const SeenMask& seen);

  // Primitives (walker_primitives.cc).
  void ValidatePrimitive(const boost::json::value& value, const Child& child);
  void ValidateInteger(const boost::json::value& value, const Child& child);
  void ValidateStringPrimitive(std::string_view text, const Child& child);
  void CheckReference(std::string_view reference);

  // Issues. Report(kValue, "not a valid ", type, " (expected ", hint, ")")
  // joins its parts (strings and numbers) into the diagnostics.
  template <typename... Parts>
  void Report(IssueCode code, const Parts&... parts) {
    if (Stop()) return;
    std::string diagnostics;
    (Append(diagnostics, parts), ...);
    AddIssue(code, std::move(diagnostics));
  }
  template <typename Part>
  static void Append(std::string& out, const Part& part) {
    if constexpr (std::is_arithmetic_v<Part>) {
      out += std::to_string(part);
    } else {
      out += std::string_view(part);
    }
  }
  void AddIssue(IssueCode code, std::string diagnostics);
  bool Full() const { return issues_.size() >= options_.max_issues; }
  // True once the issue limit is reached; records that work was skipped.
  bool Stop() {
    if (Full()) truncated_ = true;
    return truncated_;
  }
  std::string RenderPath() const;
  void Push(std::string_view name, int index = -1) { path_.push_back({name, index}); }
  void Pop() { path_.pop_back(); }

  const Model& model_;
  const ValidationOptions& options_;
  std::vector<ValidationIssue>& issues_;
  std::vector<Segment> path_;
  bool truncated_ = false;
  bool allow_conditional_ = false;
  // Ids of the contained resources of the current top-level or entry resource.
  std::vector<std::string_view> contained_ids_;
  // The Reference element being walked, for its target types.
  const ElementDefinition* reference_def_ = nullptr;
};

}  // namespace mamori::fhir::internal
