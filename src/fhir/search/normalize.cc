// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/normalize.h"

#include <vector>

#include "fhir/search/internal/char_fold.h"

namespace mamori::fhir::search {
namespace {

using internal::CharClass;

// Decodes one code point at text[i], advancing i. Overlong forms, surrogates,
// values above U+10FFFF and truncated sequences give U+FFFD for their first
// byte only, so decoding always makes progress.
char32_t DecodeOne(std::string_view text, size_t& i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) {
    ++i;
    return lead;
  }
  size_t length = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
  if (length == 0 || lead > 0xF4 || i + length > text.size()) {
    ++i;
    return internal::kReplacement;
  }
  char32_t c = lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return internal::kReplacement;
    }
    c = (c << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kMinimum[length] || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
    ++i;
    return internal::kReplacement;
  }
  i += length;
  return c;
}

void AppendUtf8(char32_t c, std::string& out) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Steps 1-3: decode, fold width, compose voiced kana.
std::vector<char32_t> DecodeAndCompose(std::string_view text) {
  std::vector<char32_t> out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    char32_t c = internal::FoldWidth(DecodeOne(text, i));
    if (!out.empty() && (internal::IsVoicedMark(c) || internal::IsSemiVoicedMark(c))) {
      char32_t composed = internal::IsVoicedMark(c) ? internal::ComposeVoiced(out.back())
                                                    : internal::ComposeSemiVoiced(out.back());
      if (composed != 0) {
        out.back() = composed;
        continue;
      }
    }
    out.push_back(c);
  }
  return out;
}

// Steps 4-5 for one code point, appended to `out`.
void AppendFolded(char32_t c, std::string& out) {
  c = internal::KatakanaToHiragana(c);
  std::string_view latin = internal::FoldLatin(c);
  if (!latin.empty()) {
    out += latin;
    return;
  }
  AppendUtf8(internal::FoldCaseSimple(c), out);
}

}  // namespace

std::string NormalizeString(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (char32_t c : DecodeAndCompose(text)) {
    switch (internal::Classify(c)) {
      case CharClass::kDrop:
        break;
      case CharClass::kSpace:
        pending_space = !out.empty();  // leading space is trimmed
        break;
      case CharClass::kKeep:
        if (pending_space) out += ' ';
        pending_space = false;
        AppendFolded(c, out);
        break;
    }
  }
  return out;  // a trailing space is never written
}

size_t Utf8Length(std::string_view text) {
  size_t count = 0;
  for (size_t i = 0; i < text.size(); ++count) DecodeOne(text, i);
  return count;
}

std::string_view Utf8Prefix(std::string_view text, size_t n) {
  size_t i = 0;
  for (size_t k = 0; k < n && i < text.size(); ++k) DecodeOne(text, i);
  return text.substr(0, i);
}

}  // namespace mamori::fhir::search
