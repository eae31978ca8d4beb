// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to fhir: include "fhir/search/normalize.h" instead.
//
// The code-point tables behind NormalizeString(): one function per step of
// the pipeline documented in normalize.h, each a pure lookup.

#include <cstdint>
#include <string_view>

namespace mamori::fhir::search::internal {

// U+FFFD, for bytes that are not UTF-8.
inline constexpr char32_t kReplacement = 0xFFFD;

// Step 2: the fullwidth/halfwidth mapping of `c`, or `c` itself.
char32_t FoldWidth(char32_t c);

// Step 3: true for U+3099 / U+309B (voiced) and U+309A / U+309C (semi-voiced).
bool IsVoicedMark(char32_t c);
bool IsSemiVoicedMark(char32_t c);
// The precomposed kana for `base` + mark, or 0 when there is none.
char32_t ComposeVoiced(char32_t base);
char32_t ComposeSemiVoiced(char32_t base);

// Step 4: hiragana for katakana `c`, or `c` itself.
char32_t KatakanaToHiragana(char32_t c);

// Step 5: the lowercase, accent-free replacement of `c` as UTF-8 ("ss" for
// ß), or an empty view when `c` is kept as it is (see FoldCaseSimple).
std::string_view FoldLatin(char32_t c);
// Lowercase of `c` for ASCII, Greek and Cyrillic capitals, or `c` itself.
char32_t FoldCaseSimple(char32_t c);

// Step 6.
enum class CharClass { kKeep, kSpace, kDrop };
CharClass Classify(char32_t c);

}  // namespace mamori::fhir::search::internal
