// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/internal/char_fold.h"

#include <array>

namespace mamori::fhir::search::internal {
namespace {

// U+FF61..U+FF9F (halfwidth CJK punctuation and katakana) -> fullwidth, as in
// Unicode's <narrow> decompositions. ﾞ and ﾟ map to the combining marks so
// that composition (step 3) can join them with the kana before them.
constexpr std::array<char16_t, 0xFF9F - 0xFF61 + 1> kHalfwidthKatakana = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB,                          // ｡｢｣､･
    0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30E3, 0x30E5,  // ｦｧｨｩｪｫｬｭ
    0x30E7, 0x30C3, 0x30FC,                                          // ｮｯｰ
    0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA,                          // ｱｲｳｴｵ
    0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3,                          // ｶｷｸｹｺ
    0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD,                          // ｻｼｽｾｿ
    0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8,                          // ﾀﾁﾂﾃﾄ
    0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE,                          // ﾅﾆﾇﾈﾉ
    0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB,                          // ﾊﾋﾌﾍﾎ
    0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2,                          // ﾏﾐﾑﾒﾓ
    0x30E4, 0x30E6, 0x30E8,                                          // ﾔﾕﾖ
    0x30E9, 0x30EA, 0x30EB, 0x30EC, 0x30ED,                          // ﾗﾘﾙﾚﾛ
    0x30EF, 0x30F3, 0x3099, 0x309A,                                  // ﾜﾝﾞﾟ
};

// U+FFE0..U+FFE6: ￠￡￢￣￤￥￦.
constexpr std::array<char16_t, 7> kFullwidthSigns = {0x00A2, 0x00A3, 0x00AC, 0x00AF,
                                                     0x00A6, 0x00A5, 0x20A9};

// U+00C0..U+017F (Latin-1 letters and Latin Extended-A) -> lowercase base
// letters. nullptr keeps the character (× ÷ þ); Þ folds to þ.
// clang-format off
constexpr std::array<const char*, 0x180 - 0xC0> kLatin = {
    /* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* D0 */ "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", "þ", "ss",
    /* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    /* F0 */ "d", "n", "o", "o", "o", "o", "o", nullptr, "o", "u", "u", "u", "u", "y", nullptr, "y",
    /* 100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    /* 110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    /* 120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    /* 130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    /* 140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    /* 150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    /* 160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    /* 170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};
// clang-format on

// Kana whose voiced form is the next code point: か..と and カ..ト rows
// (k, s, t) and は..ほ / ハ..ホ (h, which also take the semi-voiced mark at +2).
bool IsKstRow(char32_t c) {
  auto in_row = [c](char32_t first) {
    // か(304B) き く け こ さ し す せ そ た ち | つ(3064) て と: two steps apart,
    // except that っ (small tsu) shifts つて と by one.
    if (c >= first && c <= first + 0x16) return (c - first) % 2 == 0;
    if (c >= first + 0x19 && c <= first + 0x1D) return (c - first - 0x19) % 2 == 0;
    return false;
  };
  return in_row(0x304B) || in_row(0x30AB);
}

bool IsHRow(char32_t c) {
  auto in_row = [c](char32_t first) {
    return c >= first && c <= first + 12 && (c - first) % 3 == 0;
  };
  return in_row(0x306F) || in_row(0x30CF);
}

}  // namespace

char32_t FoldWidth(char32_t c) {
  if (c >= 0xFF01 && c <= 0xFF5E) return c - 0xFF01 + 0x21;
  if (c == 0x3000) return 0x20;
  if (c >= 0xFF61 && c <= 0xFF9F) return kHalfwidthKatakana[c - 0xFF61];
  if (c >= 0xFFE0 && c <= 0xFFE6) return kFullwidthSigns[c - 0xFFE0];
  return c;
}

bool IsVoicedMark(char32_t c) { return c == 0x3099 || c == 0x309B; }
bool IsSemiVoicedMark(char32_t c) { return c == 0x309A || c == 0x309C; }

char32_t ComposeVoiced(char32_t base) {
  if (IsKstRow(base) || IsHRow(base)) return base + 1;
  switch (base) {
    case 0x3046:
      return 0x3094;  // う -> ゔ
    case 0x309D:
      return 0x309E;  // ゝ -> ゞ
    case 0x30A6:
      return 0x30F4;  // ウ -> ヴ
    case 0x30EF:
      return 0x30F7;  // ワ -> ヷ
    case 0x30F0:
      return 0x30F8;  // ヰ -> ヸ
    case 0x30F1:
      return 0x30F9;  // ヱ -> ヹ
    case 0x30F2:
      return 0x30FA;  // ヲ -> ヺ
    case 0x30FD:
      return 0x30FE;  // ヽ -> ヾ
    default:
      return 0;
  }
}

char32_t ComposeSemiVoiced(char32_t base) { return IsHRow(base) ? base + 2 : 0; }

char32_t KatakanaToHiragana(char32_t c) {
  if (c >= 0x30A1 && c <= 0x30F6) return c - 0x60;
  if (c == 0x30FD || c == 0x30FE) return c - 0x60;  // ヽヾ -> ゝゞ
  return c;
}

std::string_view FoldLatin(char32_t c) {
  if (c < 0xC0 || c >= 0x180) return {};
  const char* folded = kLatin[c - 0xC0];
  return folded == nullptr ? std::string_view() : std::string_view(folded);
}

char32_t FoldCaseSimple(char32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 0x20;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;  // Greek capitals
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;                // Cyrillic А..Я
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;                // Cyrillic Ѐ..Џ
  return c;
}

CharClass Classify(char32_t c) {
  if (c == ' ' || (c >= 0x09 && c <= 0x0D) || c == 0xA0 || (c >= 0x2000 && c <= 0x200A) ||
      c == 0x202F || c == 0x205F || c == 0x3000) {
    return CharClass::kSpace;
  }
  if (c < 0x20 || c == 0x7F) return CharClass::kDrop;  // control characters
  if (c < 0x80) {
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return alnum ? CharClass::kKeep : CharClass::kDrop;  // ASCII punctuation and symbols
  }
  if (c >= 0x300 && c <= 0x36F) return CharClass::kDrop;    // combining diacritics
  if (c >= 0x200B && c <= 0x200D) return CharClass::kDrop;  // zero-width space, (non-)joiner
  if (c == 0xFEFF) return CharClass::kDrop;                 // byte order mark
  if (c >= 0x2010 && c <= 0x2027) return CharClass::kDrop;  // dashes, quotes, bullets, ellipsis
  if (c == 0xA1 || c == 0xAB || c == 0xB7 || c == 0xBB || c == 0xBF) return CharClass::kDrop;
  if (c == 0x3001 || c == 0x3002 || c == 0x30FB) return CharClass::kDrop;  // 、。・
  if (c >= 0x3008 && c <= 0x3011) return CharClass::kDrop;  // 〈〉《》「」『』【】
  if (c == 0x3014 || c == 0x3015) return CharClass::kDrop;  // 〔〕
  return CharClass::kKeep;
}

}  // namespace mamori::fhir::search::internal
