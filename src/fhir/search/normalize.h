// SPDX-License-Identifier: Apache-2.0
#pragma once

// fhir::search string normalization: the folding that makes FHIR string
// search case- and accent-insensitive, plus the Japanese foldings a clinic
// needs (width and kana), so that a search for ヤマダ finds やまだ and ﾔﾏﾀﾞ.
// The index writer and the query parser both run every string through
// NormalizeString(), so stored keys and looked-up keys agree byte for byte.
//
// What NormalizeString() does, per code point, in this order:
//   1. Decodes UTF-8; an invalid byte becomes U+FFFD (query values arrive as
//      arbitrary bytes; resource strings are already valid).
//   2. Width folding (the NFKC mappings for these ranges, no others):
//      fullwidth ASCII U+FF01-FF5E -> U+0021-007E (Ｙａｍａｄａ -> Yamada),
//      U+3000 ideographic space -> U+0020, fullwidth signs U+FFE0-FFE6,
//      halfwidth katakana U+FF61-FF9F -> fullwidth (ﾔﾏﾀ -> ヤマタ), with the
//      halfwidth voiced marks ﾞ ﾟ becoming combining U+3099 / U+309A.
//   3. Composition: a kana followed by a (semi-)voiced mark, combining
//      (U+3099/309A) or spacing (U+309B/309C), becomes the precomposed kana
//      (タ + ゛ -> ダ, ﾀﾞ -> ダ, は + ゜ -> ぱ). A mark after anything else stays.
//   4. Katakana -> hiragana: U+30A1-30F6 -> U+3041-3096 (ヤマダ -> やまだ,
//      ヴ -> ゔ) and the iteration marks ヽヾ -> ゝゞ. Left as they are: the
//      long vowel mark ー (both scripts use it), small kana (ァ -> ぁ stays
//      small: ァ and ア are different sounds), ヷヸヹヺ (no hiragana forms).
//   5. Case and accents: ASCII, Latin-1 and Latin Extended-A letters go to
//      their lowercase base letter (José -> jose, Ø -> o, ß -> ss, Æ -> ae);
//      Greek and Cyrillic capitals to lowercase; combining diacritics
//      U+0300-036F are dropped (so NFD input folds like NFC input).
//   6. Separators: ASCII punctuation and symbols, general punctuation
//      (U+2010-2027), CJK brackets and 、。・ are dropped (FHIR: punctuation is
//      ignored); runs of whitespace become one space; leading and trailing
//      space is trimmed. Zero-width characters are dropped.
// Kanji are not folded (髙 and 高 stay different), and nothing outside the
// ranges above is touched. Why a table and not ICU: src/fhir/search/README.md.
//
// Thread-safety: pure functions over immutable tables; call from any thread.
//
// Example:
//   NormalizeString("ﾔﾏﾀﾞ")  == "やまだ"
//   NormalizeString("ＹＡＭＡＤＡ") == "yamada"
//   NormalizeString(" José  María ") == "jose maria"

#include <cstddef>
#include <string>
#include <string_view>

namespace mamori::fhir::search {

// Returns the folded form of `text` (UTF-8 in, UTF-8 out), as described above.
// Never fails: invalid UTF-8 is replaced, not rejected.
std::string NormalizeString(std::string_view text);

// The number of code points in valid UTF-8 `text` (each invalid byte counts
// as one).
size_t Utf8Length(std::string_view text);

// The first `n` code points of UTF-8 `text` (all of it when shorter). The
// view points into `text`.
std::string_view Utf8Prefix(std::string_view text, size_t n);

}  // namespace mamori::fhir::search
