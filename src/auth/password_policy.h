// SPDX-License-Identifier: Apache-2.0
#pragma once

// auth::PasswordChecker: the password rules of GUIDELINE SYS-42 (and CHK-35),
// with messages that say which rule failed and cite it, so a clinic
// administrator who sets a password knows what to change.
//
// The figures (MHLW Q&A シQ-54, the 令和7年度 checklist):
//   - letters, digits and symbols, all three;
//   - at least 13 characters, or at least 8 when the account has an enforced
//     second factor (TOTP);
//   - nothing easy to guess: not the login id, not a part of the person's
//     name (kanji, kana or romaji), not the birth date in any usual spelling,
//     not a common or breached password (the Openwall list of Debian's
//     john-data), not a dictionary word with digits, symbols or look-alike
//     characters (P@ssw0rd!) added (cracklib);
//   - none of the last 5 passwords again;
//   - no forced expiry under two factors or at 13+ characters; if an
//     installation allows 8-12 characters without a second factor, they expire
//     after 60 days (MaxAge).
//
//   MAMORI_ASSIGN_OR_RETURN(auth::PasswordChecker checker, auth::PasswordChecker::Load({}));
//   MAMORI_RETURN_IF_ERROR(checker.Check(password, {.login_id = "yamada",
//       .names = {"山田", "太郎", "ヤマダ", "yamada", "taro"}, .birth_date = "1980-04-12",
//       .second_factor = true, .previous_phc = history}));
//
// The password itself never appears in a message (DESIGN invariant 5).
//
// Thread-safety: Check and MaxAge may be called from any thread.

#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace mamori::auth {

struct PasswordPolicy {
  size_t min_length_with_second_factor = 8;
  size_t min_length_single_factor = 13;
  // Off by default. When on, single-factor accounts may use 8-12 characters,
  // which then expire after short_password_max_age (シQ-54 (b)).
  bool allow_short_single_factor = false;
  std::chrono::days short_password_max_age{60};
  // How many previous passwords may not be used again.
  size_t history = 5;
  // The common-password list; empty disables it (tests only).
  std::string common_passwords_file = "/usr/share/john/password.lst";
  // Whether to ask cracklib whether a password is a dictionary word.
  bool use_cracklib = true;
};

// Who the password is for: what a guesser would try first.
struct PasswordContext {
  std::string login_id;
  // Parts of the person's name in every script the institution holds
  // (kanji, kana, romaji); each is refused as a part of the password.
  std::vector<std::string> names;
  // YYYY-MM-DD, or empty.
  std::string birth_date;
  // The account has an enforced second factor (SYS-41).
  bool second_factor = false;
  // PHC strings of the previous passwords, newest first (at most
  // PasswordPolicy::history are checked).
  std::span<const std::string> previous_phc;
};

class PasswordChecker {
 public:
  // Reads the common-password list. Errors: kFailedPrecondition naming the
  // file and the Debian package when it cannot be read.
  static core::Result<PasswordChecker> Load(const PasswordPolicy& policy);

  // OK, or kInvalidArgument with the first rule the password breaks, e.g.
  // "password must be at least 13 characters without a second factor (SYS-42)".
  core::Status Check(std::string_view password, const PasswordContext& context) const;

  // How long a password of `length` characters may be kept: nullopt (no
  // forced change) under a second factor or at min_length_single_factor+.
  std::optional<std::chrono::days> MaxAge(size_t length, bool second_factor) const;

  // The number of characters (Unicode code points) the rules count.
  static size_t Length(std::string_view password);

  const PasswordPolicy& policy() const { return policy_; }

 private:
  struct CommonList;
  PasswordChecker(PasswordPolicy policy, std::shared_ptr<const CommonList> common)
      : policy_(std::move(policy)), common_(std::move(common)) {}

  core::Status CheckComposition(std::string_view password, bool second_factor) const;
  core::Status CheckPersonal(std::string_view password, const PasswordContext& context) const;
  core::Status CheckGuessable(std::string_view password) const;
  core::Status CheckHistory(std::string_view password, const PasswordContext& context) const;

  PasswordPolicy policy_;
  std::shared_ptr<const CommonList> common_;
};

}  // namespace mamori::auth
