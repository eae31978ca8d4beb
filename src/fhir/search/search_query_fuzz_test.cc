// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the search parameter grammar (STYLE rule 32). Input layout:
// byte 0 picks the resource type (low 7 bits, modulo the supported types) and
// lenient handling (high bit); the rest is split into pairs at '&' and at
// the first '=' of each, as an already percent-decoded query. Arbitrary bytes
// must never crash or hang ParseSearchQuery, and every parsed value must plan.
// Invariant 5 is checked on every error: a message is printable ASCII (so no
// non-ASCII value byte, e.g. a Japanese name, can be in it), and no value
// holding '@' appears in it unless a parameter name holds it too.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/check.h"
#include "core/testing/fuzz.h"
#include "fhir/definitions.h"
#include "fhir/search/index.h"
#include "fhir/search/query.h"

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

Pairs SplitPairs(std::string_view query) {
  Pairs pairs;
  for (size_t start = 0; start <= query.size();) {
    size_t amp = query.find('&', start);
    if (amp == std::string_view::npos) amp = query.size();
    std::string_view pair = query.substr(start, amp - start);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      pairs.emplace_back(pair, "");
    } else {
      pairs.emplace_back(pair.substr(0, eq), pair.substr(eq + 1));
    }
    start = amp + 1;
  }
  return pairs;
}

// A parameter name as messages show it: non-printable bytes and quotes as '?'.
std::string Printable(std::string_view name) {
  std::string out;
  for (char c : name) out += (c >= 0x20 && c < 0x7F && c != '\'') ? c : '?';
  return out;
}

void CheckMessage(const std::string& message, const Pairs& pairs) {
  for (char c : message) MAMORI_CHECK(c >= 0x20 && c < 0x7F);
  for (const auto& [name, value] : pairs) {
    if (value.size() < 4 || value.find('@') == std::string::npos) continue;
    // Names are named on purpose; a value that is also part of a name may
    // legitimately appear through it.
    bool in_a_name = false;
    for (const auto& [other, unused] : pairs) {
      in_a_name = in_a_name || Printable(other).find(value) != std::string::npos;
    }
    if (!in_a_name) MAMORI_CHECK(message.find(value) == std::string::npos);
  }
}

}  // namespace

MAMORI_FUZZ_TARGET(data, size) {
  using namespace mamori::fhir;
  if (size == 0) return;
  auto types = Definitions::R4().SupportedResourceTypes();
  const std::string& type = types[(data[0] & 0x7F) % types.size()];
  search::ParseOptions options;
  options.lenient = (data[0] & 0x80) != 0;
  options.base_url = "https://clinic.example/fhir";
  Pairs pairs = SplitPairs(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  mamori::core::Result<search::SearchQuery> query = search::ParseSearchQuery(type, pairs, options);
  if (!query.ok()) {
    CheckMessage(query.status().message(), pairs);
    return;
  }
  for (const search::SearchClause& clause : query->clauses) {
    MAMORI_CHECK(clause.definition != nullptr);
    MAMORI_CHECK(!clause.values.empty());
    for (const search::SearchValue& value : clause.values) {
      search::LookupPlan plan = search::PlanLookup(clause, value);
      MAMORI_CHECK(plan.combine == search::LookupPlan::Combine::kScan || !plan.keys.empty());
      if (plan.date) {
        (void)search::DateMatches(*plan.date, {search::kMinTime, search::kMaxTime}, 0);
      }
      if (plan.number) (void)search::NumberMatches(*plan.number, {0, 0});
    }
  }
}
