// SPDX-License-Identifier: Apache-2.0
#include "fhir/search/normalize.h"

#include <map>
#include <ostream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "fhir/internal/test_data.h"

namespace mamori::fhir::search {
namespace {

using ::testing::ElementsAre;

struct FoldCase {
  const char* name;
  std::string input;
  std::string expected;
};

void PrintTo(const FoldCase& c, std::ostream* os) { *os << c.name; }

class FoldTableTest : public ::testing::TestWithParam<FoldCase> {};

TEST_P(FoldTableTest, FoldsToTheExpectedKey) {
  EXPECT_EQ(NormalizeString(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Table, FoldTableTest,
    ::testing::Values(
        // The example: all spellings of Yamada meet in one key.
        FoldCase{"Katakana", "ヤマダ", "やまだ"}, FoldCase{"Hiragana", "やまだ", "やまだ"},
        FoldCase{"HalfwidthKatakana", "ﾔﾏﾀﾞ", "やまだ"},
        FoldCase{"CombiningVoicedMark", "ヤマタ\u3099", "やまだ"},
        FoldCase{"SpacingVoicedMark", "ヤマタ゛", "やまだ"},
        FoldCase{"FullwidthUpper", "ＹＡＭＡＤＡ", "yamada"},
        FoldCase{"FullwidthMixed", "Ｙａｍａｄａ", "yamada"},
        FoldCase{"AsciiCapitalized", "Yamada", "yamada"},
        FoldCase{"AsciiUpper", "YAMADA", "yamada"}, FoldCase{"AsciiLower", "yamada", "yamada"},
        // Semi-voiced and other compositions.
        FoldCase{"HalfwidthSemiVoiced", "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "ぱぴぷぺぽ"},
        FoldCase{"HalfwidthVoicedU", "ｳﾞ", "ゔ"},
        FoldCase{"PrecomposedVu", "ヴィクトリア", "ゔぃくとりあ"},
        FoldCase{"HiraganaPlusCombiningMark", "か\u3099", "が"},
        FoldCase{"IterationMark", "いすゞ", "いすゞ"},
        FoldCase{"KatakanaIterationMark", "ヽヾ", "ゝゞ"},
        // Left as they are (documented in normalize.h).
        FoldCase{"LongVowelMarkKept", "ラーメン", "らーめん"},
        FoldCase{"HalfwidthLongVowelMark", "ﾗｰﾒﾝ", "らーめん"},
        FoldCase{"SmallKanaStaySmall", "ｼｮｳ", "しょう"}, FoldCase{"SmallA", "ァ", "ぁ"},
        FoldCase{"WaWithVoicedMarkHasNoHiragana", "ヷ", "ヷ"},
        FoldCase{"MarkWithoutBaseIsKept", "\u309B", "\u309B"},
        FoldCase{"KanjiNotFolded", "髙橋", "髙橋"},
        // Case and accents.
        FoldCase{"AcuteAccent", "José", "jose"}, FoldCase{"Umlaut", "MÜLLER", "muller"},
        FoldCase{"Ligatures", "Ærø", "aero"}, FoldCase{"SharpS", "Straße", "strasse"},
        FoldCase{"StrokeAndAcute", "Łódź", "lodz"}, FoldCase{"Cedilla", "Çelik", "celik"},
        FoldCase{"DecomposedAccent", "Jose\u0301", "jose"}, FoldCase{"Greek", "ΑΘΗΝΑ", "αθηνα"},
        FoldCase{"Cyrillic", "МОСКВА", "москва"},
        // Separators.
        FoldCase{"PunctuationDropped", "O'Brien-Smith", "obriensmith"},
        FoldCase{"MiddleDotDropped", "ジョン・スミス", "じょんすみす"},
        FoldCase{"IdeographicSpace", "山田　太郎", "山田 太郎"},
        FoldCase{"WhitespaceCollapsedAndTrimmed", "  a \t\n b  ", "a b"},
        FoldCase{"FullwidthDigits", "１２３", "123"}, FoldCase{"OnlyPunctuation", "!?-", ""},
        FoldCase{"Empty", "", ""},
        FoldCase{"InvalidUtf8Replaced",
                 "a\xFF"
                 "b",
                 "a\xEF\xBF\xBD"
                 "b"},
        FoldCase{"TruncatedUtf8Replaced", "\xE3\x83", "\xEF\xBF\xBD\xEF\xBF\xBD"},
        FoldCase{"OverlongSlashReplaced", "\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"}),
    [](const ::testing::TestParamInfo<FoldCase>& info) { return info.param.name; });

TEST(NormalizeStringTest, Utf8LengthCountsCodePoints) {
  EXPECT_EQ(Utf8Length("やまだ"), 3u);
  EXPECT_EQ(Utf8Length("abc"), 3u);
  EXPECT_EQ(Utf8Length(""), 0u);
  EXPECT_EQ(Utf8Length("\xFF\xFF"), 2u);
}

TEST(NormalizeStringTest, Utf8PrefixCutsAtCodePointBoundaries) {
  EXPECT_EQ(Utf8Prefix("やまだ", 2), "やま");
  EXPECT_EQ(Utf8Prefix("やまだ", 9), "やまだ");
  EXPECT_EQ(Utf8Prefix("abc", 0), "");
}

TEST(NormalizeStringTest, NormalizingTwiceChangesNothing) {
  for (std::string s : {"ﾔﾏﾀﾞ ﾀﾛｳ", "José María", "ＹＡＭＡＤＡ", "南ウィング　神経放射線科"}) {
    std::string once = NormalizeString(s);
    EXPECT_EQ(NormalizeString(once), once) << s;
  }
}

// Every name in the JP Core examples, folded: kanji unchanged, kana to
// hiragana, the ideographic space to a space.
TEST(NormalizeStringTest, JpCoreExampleNamesFoldAsDocumented) {
  const std::map<std::string, std::string> expected = {
      {"山田 太郎", "山田 太郎"},
      {"山田", "山田"},
      {"太郎", "太郎"},
      {"ヤマダ タロウ", "やまだ たろう"},
      {"ヤマダ", "やまだ"},
      {"タロウ", "たろう"},
      {"東京 春子", "東京 春子"},
      {"トウキョウ ハルコ", "とうきょう はるこ"},
      {"東京", "東京"},
      {"春子", "春子"},
      {"トウキョウ", "とうきょう"},
      {"ハルコ", "はるこ"},
      {"福岡 花子", "福岡 花子"},
      {"フクオカ ハナコ", "ふくおか はなこ"},
      {"福岡", "福岡"},
      {"花子", "花子"},
      {"フクオカ", "ふくおか"},
      {"ハナコ", "はなこ"},
      {"大阪 一郎", "大阪 一郎"},
      {"オオサカ イチロウ", "おおさか いちろう"},
      {"大阪", "大阪"},
      {"一郎", "一郎"},
      {"オオサカ", "おおさか"},
      {"イチロウ", "いちろう"},
      {"愛知 太郎", "愛知 太郎"},
      {"アイチ タロウ", "あいち たろう"},
      {"愛知", "愛知"},
      {"チバ", "ちば"},
      {"外来101診察室", "外来101診察室"},
      {"南ウィング　神経放射線科　手術室1", "南うぃんぐ 神経放射線科 手術室1"},
      {"09A病棟 021病室 4ベッド", "09a病棟 021病室 4べっど"},
      {"太郎花子クリニック", "太郎花子くりにっく"},
      {"健康第一病院", "健康第一病院"},
      {"ひまわり健康保険組合", "ひまわり健康保険組合"},
  };
  size_t checked = 0;
  auto check = [&](std::string_view s) {
    auto it = expected.find(std::string(s));
    ASSERT_NE(it, expected.end()) << "no expectation for a JP Core name: " << s;
    EXPECT_EQ(NormalizeString(s), it->second) << s;
    ++checked;
  };
  for (const std::string& path : test_data::JsonFiles("jp-core")) {
    boost::json::value v = boost::json::parse(test_data::ReadFile(path));
    const boost::json::value* name = v.as_object().if_contains("name");
    if (name == nullptr) continue;
    if (name->is_string()) check(name->get_string());
    if (!name->is_array()) continue;
    for (const boost::json::value& n : name->get_array()) {
      const boost::json::object& o = n.as_object();
      if (o.contains("text")) check(o.at("text").as_string());
      if (o.contains("family")) check(o.at("family").as_string());
      for (const boost::json::value& g :
           o.contains("given") ? o.at("given").as_array() : boost::json::array()) {
        check(g.as_string());
      }
    }
  }
  // 1 Patient and 4 Practitioners with two names (text, family, given) each,
  // 3 Locations and 3 Organizations with one.
  EXPECT_EQ(checked, 36u);
}

TEST(NormalizeStringTest, KatakanaAndHalfwidthQueriesMeetTheHiraganaName) {
  // The promise: a search for ヤマダ finds やまだ and ﾔﾏﾀﾞ.
  std::vector<std::string> keys;
  for (std::string s : {"ヤマダ", "やまだ", "ﾔﾏﾀﾞ"}) keys.push_back(NormalizeString(s));
  EXPECT_THAT(keys, ElementsAre("やまだ", "やまだ", "やまだ"));
}

}  // namespace
}  // namespace mamori::fhir::search
