// SPDX-License-Identifier: Apache-2.0

#include "fhir/internal/reference_format.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace mamori::fhir::internal {
namespace {

ReferenceKind KindOf(std::string_view s) { return ParseReference(s).kind; }

TEST(ReferenceFormatTest, ClassifiesEveryLiteralReferenceForm) {
  EXPECT_EQ(KindOf("Patient/123"), ReferenceKind::kRelative);
  EXPECT_EQ(KindOf("Patient/123/_history/4"), ReferenceKind::kRelative);
  EXPECT_EQ(KindOf("http://example.org/fhir/Patient/123"), ReferenceKind::kAbsolute);
  EXPECT_EQ(KindOf("urn:uuid:9a628ccd-2a55-4331-8e68-bb58458fd674"), ReferenceKind::kUrnUuid);
  EXPECT_EQ(KindOf("urn:oid:1.2.392.100495"), ReferenceKind::kUrnOid);
  EXPECT_EQ(KindOf("#coverage"), ReferenceKind::kContained);
  EXPECT_EQ(KindOf("#"), ReferenceKind::kContained);
  EXPECT_EQ(KindOf("Patient?identifier=http://x|1"), ReferenceKind::kConditional);
}

TEST(ReferenceFormatTest, ExtractsTypeAndId) {
  ParsedReference r = ParseReference("Observation/abc.1/_history/2");
  EXPECT_EQ(r.type, "Observation");
  EXPECT_EQ(r.id, "abc.1");
  EXPECT_EQ(ParseReference("#p1").id, "p1");
  EXPECT_EQ(ParseReference("Patient?name=x").type, "Patient");
}

TEST(ReferenceFormatTest, RejectsMalformedReferences) {
  for (const std::string& bad : std::vector<std::string>{
           "", "Patient", "Patient/", "/123", "patient/123", "Patient/a b", "Patient/1/2",
           "Patient/1/_history/", "Patient/1/_history/a b", "urn:uuid:XYZ", "urn:oid:1.02", "#a b",
           "Patient?", "Pat1ent/1", "http:", "http://a b", "Patient/1?x=y",
           "Patient/" + std::string(65, 'a')}) {
    EXPECT_EQ(KindOf(bad), ReferenceKind::kInvalid) << bad;
  }
}

}  // namespace
}  // namespace mamori::fhir::internal
