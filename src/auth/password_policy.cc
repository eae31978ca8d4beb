// SPDX-License-Identifier: Apache-2.0
#include "auth/password_policy.h"

#include <crack.h>

#include <fstream>
#include <mutex>
#include <unordered_set>

#include "crypto/argon2.h"

namespace mamori::auth {
namespace {

constexpr char kRule[] = " (SYS-42)";

core::Status Refuse(std::string reason) { return core::InvalidArgumentError(reason + kRule); }

bool IsAsciiLetter(unsigned char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
// ASCII punctuation and space. Non-ASCII characters (kana, kanji) count as
// letters: they widen the alphabet the way letters do.
bool IsSymbol(unsigned char c) { return c < 0x80 && !IsAsciiLetter(c) && !IsDigit(c) && c > 0x1f; }

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Undoes the look-alike substitutions guessers try first (P@ssw0rd).
std::string Unleet(std::string_view lower, char one_as) {
  std::string out(lower);
  for (char& c : out) {
    switch (c) {
      case '@':
      case '4':
        c = 'a';
        break;
      case '0':
        c = 'o';
        break;
      case '1':
      case '!':
      case '|':
        c = one_as;
        break;
      case '3':
        c = 'e';
        break;
      case '$':
      case '5':
        c = 's';
        break;
      case '7':
      case '+':
        c = 't';
        break;
      default:
        break;
    }
  }
  return out;
}

// The password without the digits and symbols stuck on either end, where
// people put them to satisfy composition rules ("Password2024!").
std::string_view Core(std::string_view text) {
  size_t begin = 0, end = text.size();
  auto is_padding = [](unsigned char c) { return IsDigit(c) || IsSymbol(c); };
  while (begin < end && is_padding(text[begin])) ++begin;
  while (end > begin && is_padding(text[end - 1])) --end;
  return text.substr(begin, end - begin);
}

std::string DigitsOnly(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (IsDigit(static_cast<unsigned char>(c))) out.push_back(c);
  }
  return out;
}

// The year of a Japanese era (和暦) for `year`, or 0: people write birth
// dates as 昭和55年 as often as 1980.
int EraYear(int year, int month, int day) {
  int ymd = year * 10000 + month * 100 + day;
  if (ymd >= 20190501) return year - 2018;  // 令和
  if (ymd >= 19890108) return year - 1988;  // 平成
  if (ymd >= 19261225) return year - 1925;  // 昭和
  return 0;
}

std::string TwoDigits(int n) {
  return std::string(1, static_cast<char>('0' + n / 10 % 10)) + static_cast<char>('0' + n % 10);
}

// The spellings of YYYY-MM-DD a guesser tries, digits only.
std::vector<std::string> BirthDateForms(std::string_view date) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-') return {};
  std::string digits = DigitsOnly(date);
  if (digits.size() != 8) return {};
  int year = std::stoi(digits.substr(0, 4));
  int month = std::stoi(digits.substr(4, 2));
  int day = std::stoi(digits.substr(6, 2));
  std::string yyyy = digits.substr(0, 4), mm = digits.substr(4, 2), dd = digits.substr(6, 2);
  std::vector<std::string> forms = {yyyy + mm + dd, yyyy.substr(2) + mm + dd, mm + dd + yyyy,
                                    dd + mm + yyyy, mm + dd};
  if (int era = EraYear(year, month, day); era > 0) forms.push_back(TwoDigits(era) + mm + dd);
  return forms;
}

bool IsAscii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

// cracklib keeps global state and reopens its dictionary per call.
std::mutex& CracklibMutex() {
  static std::mutex mu;
  return mu;
}

// True when cracklib finds `word` to be a dictionary word (its other
// complaints, about length and variety, are this policy's own rules).
bool CracklibSaysDictionaryWord(const std::string& word) {
  std::lock_guard<std::mutex> lock(CracklibMutex());
  const char* message = FascistCheck(word.c_str(), GetDefaultCracklibDict());
  return message != nullptr && std::string_view(message).find("dictionary") != std::string::npos;
}

}  // namespace

struct PasswordChecker::CommonList {
  std::unordered_set<std::string> words;  // lower case
};

core::Result<PasswordChecker> PasswordChecker::Load(const PasswordPolicy& policy) {
  auto common = std::make_shared<CommonList>();
  if (!policy.common_passwords_file.empty()) {
    std::ifstream in(policy.common_passwords_file);
    if (!in) {
      return core::FailedPreconditionError(
          "cannot read the common-password list " + policy.common_passwords_file +
          "; install the Debian package john-data (scripts/deps.sh does)");
    }
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line.starts_with("#!comment:")) continue;
      common->words.insert(AsciiLower(line));
    }
  }
  if (policy.use_cracklib && !CracklibSaysDictionaryWord("password")) {
    return core::FailedPreconditionError(
        "cracklib's dictionary is missing; install the Debian package cracklib-runtime");
  }
  return PasswordChecker(policy, std::move(common));
}

size_t PasswordChecker::Length(std::string_view password) {
  size_t count = 0;
  for (unsigned char c : password) {
    if ((c & 0xc0) != 0x80) ++count;  // count lead bytes, not continuation bytes
  }
  return count;
}

core::Status PasswordChecker::Check(std::string_view password,
                                    const PasswordContext& context) const {
  MAMORI_RETURN_IF_ERROR(CheckComposition(password, context.second_factor));
  MAMORI_RETURN_IF_ERROR(CheckPersonal(password, context));
  MAMORI_RETURN_IF_ERROR(CheckGuessable(password));
  return CheckHistory(password, context);
}

core::Status PasswordChecker::CheckComposition(std::string_view password,
                                               bool second_factor) const {
  size_t length = Length(password);
  if (password.size() > crypto::kMaxPasswordSize) {
    return Refuse("password must be at most 4096 bytes");
  }
  size_t minimum = policy_.min_length_single_factor;
  if (second_factor || policy_.allow_short_single_factor) {
    minimum = policy_.min_length_with_second_factor;
  }
  if (length < minimum) {
    return Refuse("password must be at least " + std::to_string(minimum) + " characters" +
                  (second_factor ? "" : " without a second factor"));
  }
  bool letter = false, digit = false, symbol = false;
  for (unsigned char c : password) {
    if (c < 0x20 || c == 0x7f) return Refuse("password must not contain control characters");
    letter |= IsAsciiLetter(c) || c >= 0x80;
    digit |= IsDigit(c);
    symbol |= IsSymbol(c);
  }
  if (!letter || !digit || !symbol) {
    return Refuse("password must mix letters, digits and symbols");
  }
  return core::Status::Ok();
}

core::Status PasswordChecker::CheckPersonal(std::string_view password,
                                            const PasswordContext& context) const {
  std::string lower = AsciiLower(password);
  std::string unleet = Unleet(lower, 'i');
  auto contains = [&](const std::string& part) {
    return lower.find(part) != std::string::npos || unleet.find(part) != std::string::npos;
  };
  std::string login = AsciiLower(context.login_id);
  if (login.size() >= 3 && contains(login)) return Refuse("password must not contain the login id");
  for (const std::string& name : context.names) {
    // Two kanji or kana are already a name (山田); romaji needs three letters.
    size_t shortest = IsAscii(name) ? 3 : 2;
    if (Length(name) >= shortest && contains(AsciiLower(name))) {
      return Refuse("password must not contain the user's name");
    }
  }
  std::string digits = DigitsOnly(password);
  for (const std::string& form : BirthDateForms(context.birth_date)) {
    if (digits.find(form) != std::string::npos) {
      return Refuse("password must not contain the birth date");
    }
  }
  return core::Status::Ok();
}

core::Status PasswordChecker::CheckGuessable(std::string_view password) const {
  std::string lower = AsciiLower(password);
  std::string core(Core(lower));
  std::vector<std::string> candidates = {lower, core, Unleet(core, 'i'), Unleet(core, 'l')};
  for (const std::string& candidate : candidates) {
    if (!candidate.empty() && common_->words.contains(candidate)) {
      return Refuse("password is a commonly used password");
    }
  }
  if (policy_.use_cracklib) {
    for (size_t i = 1; i < candidates.size(); ++i) {
      if (candidates[i].size() >= 4 && CracklibSaysDictionaryWord(candidates[i])) {
        return Refuse("password is a dictionary word with characters added");
      }
    }
  }
  return core::Status::Ok();
}

core::Status PasswordChecker::CheckHistory(std::string_view password,
                                           const PasswordContext& context) const {
  size_t checked = 0;
  for (const std::string& phc : context.previous_phc) {
    if (checked++ == policy_.history) break;
    MAMORI_ASSIGN_OR_RETURN(bool same, crypto::VerifyPassword(password, phc));
    if (same) {
      return Refuse("password must differ from the last " + std::to_string(policy_.history) +
                    " passwords");
    }
  }
  return core::Status::Ok();
}

std::optional<std::chrono::days> PasswordChecker::MaxAge(size_t length, bool second_factor) const {
  if (second_factor || length >= policy_.min_length_single_factor) return std::nullopt;
  return policy_.short_password_max_age;
}

}  // namespace mamori::auth
