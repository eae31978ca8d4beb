// SPDX-License-Identifier: Apache-2.0
#include "policy/break_glass.h"

#include <algorithm>

namespace mamori::policy {
namespace {

bool HasWords(std::string_view reason) {
  size_t visible = 0;
  for (unsigned char c : reason) {
    if (c > ' ') ++visible;
  }
  return visible >= 4;
}

}  // namespace

core::Result<EmergencyGrant> EmergencyAccess::Begin(const auth::Principal& principal,
                                                    std::string_view patient_id,
                                                    std::string_view reason,
                                                    core::Clock::WallTime now,
                                                    std::chrono::minutes duration) {
  if (!HasWords(reason)) {
    return core::InvalidArgumentError("break-glass needs a stated reason (SYS-21)");
  }
  if (patient_id.empty()) return core::InvalidArgumentError("break-glass needs a patient (SYS-21)");
  std::lock_guard<std::mutex> lock(mu_);
  EmergencyGrant grant{.id = "bg-" + std::to_string(next_id_++),
                       .account_id = principal.account_id,
                       .login_id = principal.login_id,
                       .patient_id = std::string(patient_id),
                       .reason = std::string(reason),
                       .started = now,
                       .expires = now + duration};
  grants_.push_back(grant);
  return grant;
}

std::optional<EmergencyGrant> EmergencyAccess::Active(const auth::Principal& principal,
                                                      std::string_view patient_id,
                                                      core::Clock::WallTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = grants_.rbegin(); it != grants_.rend(); ++it) {
    if (it->account_id == principal.account_id && it->patient_id == patient_id &&
        now >= it->started && now < it->expires) {
      return *it;
    }
  }
  return std::nullopt;
}

std::vector<EmergencyGrant> EmergencyAccess::PendingReview() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<EmergencyGrant> out;
  for (const EmergencyGrant& g : grants_) {
    if (!g.reviewed_at) out.push_back(g);
  }
  return out;
}

core::Status EmergencyAccess::CloseReview(std::string_view grant_id,
                                          std::string_view reviewer_login, std::string_view note,
                                          core::Clock::WallTime now) {
  if (reviewer_login.empty() || !HasWords(note)) {
    return core::InvalidArgumentError("a break-glass review needs the reviewer and a note");
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(grants_.begin(), grants_.end(),
                         [&](const EmergencyGrant& g) { return g.id == grant_id; });
  if (it == grants_.end()) return core::NotFoundError("no such break-glass grant");
  if (it->login_id == reviewer_login) {
    return core::FailedPreconditionError("a break-glass use is reviewed by someone else (SYS-21)");
  }
  it->reviewed_by = std::string(reviewer_login);
  it->review_note = std::string(note);
  it->reviewed_at = now;
  return core::Status::Ok();
}

}  // namespace mamori::policy
