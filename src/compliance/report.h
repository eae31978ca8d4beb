// SPDX-License-Identifier: Apache-2.0
#pragma once

// The inspection report (issue 9): one Assessment rendered as JSON, HTML or
// PDF, Japanese by default. Order: summary (score per area, failing items
// with the fix for each), every item with its evidence, the checklist forms
// in the checklist's own order (医療機関確認用, 薬局確認用, 事業者確認用), the
// 責任分界 matrix, and the audit ledger's newest signed tree head.
//
// The report is signed with an Ed25519 key derived from the installation's
// master key (HKDF, "mamori/compliance-report/v1"): the same installation
// always signs with the same key, nothing new is stored, and anyone holding
// the public key verifies with openssl:
//
//   openssl pkeyutl -verify -pubin -inkey report.pub.pem -rawin
//       -in report.html -sigfile report.html.sig
//
// Rendering is deterministic: the same Assessment gives the same bytes.

#include <string>

#include "compliance/assessment.h"
#include "core/status.h"
#include "crypto/aead.h"
#include "crypto/signature.h"

namespace mamori::compliance {

enum class Language { kJa, kEn };
core::Result<Language> ParseLanguage(std::string_view text);  // "ja" or "en"

std::string RenderJson(const Assessment& a, Language lang);
std::string RenderHtml(const Assessment& a, Language lang);
// A4 pages drawn with cairo and pango (IPAex fonts, subset-embedded).
// Errors: kInternal if cairo fails.
core::Result<std::string> RenderPdf(const Assessment& a, Language lang);

// The installation's report signing key (see above).
core::Result<crypto::SigningKey> ReportSigningKey(const crypto::AeadKey& kek);

}  // namespace mamori::compliance
