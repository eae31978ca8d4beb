// SPDX-License-Identifier: Apache-2.0
#pragma once

// policy::EmergencyAccess: break-glass (GUIDELINE SYS-21). A clinician who
// must see a patient outside her care relation states a reason and gets
// access to that patient for a limited time (4 h by default). Every use is
// flagged in the audit ledger, and each grant enters a review queue that an
// auditor closes with a note (`mamori audit review`). Access limits must not
// block care in an emergency; they must also never be silently bypassed.
//
//   MAMORI_ASSIGN_OR_RETURN(policy::EmergencyGrant g,
//       emergency.Begin(principal, "P123", "unconscious patient in ER", now, 4h));
//   ... Policy::Decide allows with decision.emergency = true ...
//   emergency.CloseReview(g.id, "auditor.ito", "appropriate: ER admission", now);
//
// Thread-safety: all methods may be called concurrently.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/session.h"
#include "core/check.h"
#include "core/clock.h"
#include "core/status.h"

namespace mamori::policy {

struct EmergencyGrant {
  std::string id;
  std::string account_id;
  std::string login_id;
  std::string patient_id;
  std::string reason;
  core::Clock::WallTime started;
  core::Clock::WallTime expires;
  // Review (by an auditor): empty until closed.
  std::string reviewed_by;
  std::string review_note;
  std::optional<core::Clock::WallTime> reviewed_at;
};

class EmergencyAccess {
 public:
  // Errors: kInvalidArgument without a reason (at least 4 characters: a word,
  // not a dot) or without a patient.
  core::Result<EmergencyGrant> Begin(const auth::Principal& principal, std::string_view patient_id,
                                     std::string_view reason, core::Clock::WallTime now,
                                     std::chrono::minutes duration) MAMORI_EXCLUDES(mu_);

  // The live grant of `principal` for `patient_id` at `now`, if any.
  std::optional<EmergencyGrant> Active(const auth::Principal& principal,
                                       std::string_view patient_id, core::Clock::WallTime now)
      MAMORI_EXCLUDES(mu_);

  // Grants not yet reviewed, oldest first.
  std::vector<EmergencyGrant> PendingReview() MAMORI_EXCLUDES(mu_);
  // Errors: kNotFound; kInvalidArgument without a reviewer or note;
  // kFailedPrecondition when the reviewer is the one who broke the glass.
  core::Status CloseReview(std::string_view grant_id, std::string_view reviewer_login,
                           std::string_view note, core::Clock::WallTime now) MAMORI_EXCLUDES(mu_);

 private:
  std::mutex mu_;
  std::vector<EmergencyGrant> grants_ MAMORI_GUARDED_BY(mu_);
  uint64_t next_id_ MAMORI_GUARDED_BY(mu_) = 1;
};

}  // namespace mamori::policy
