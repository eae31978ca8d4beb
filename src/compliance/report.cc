// SPDX-License-Identifier: Apache-2.0
#include "compliance/report.h"

#include <boost/json.hpp>

#include "compliance/internal/report_text.h"
#include "crypto/hash.h"
#include "crypto/hex.h"
#include "crypto/secure_bytes.h"
#include "ledger/hash.h"

namespace mamori::compliance {
namespace {

namespace json = boost::json;
using internal::L;

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

json::array Strings(const std::vector<std::string>& v) {
  json::array a;
  for (const std::string& s : v) a.push_back(json::string(s));
  return a;
}

json::array Facts(const std::vector<Fact>& v, Language lang) {
  json::array a;
  for (const Fact& f : v) a.push_back(json::string(f.In(lang == Language::kJa)));
  return a;
}

json::object HeadJson(const LedgerState& l) {
  json::object o{
      {"leaves", l.leaves}, {"heads_checked", l.heads_checked}, {"problems", l.problems.size()}};
  if (l.newest_head) {
    o["tree_size"] = l.newest_head->tree_size;
    o["timestamp"] = core::FormatRfc3339(
        core::Clock::WallTime(std::chrono::milliseconds(l.newest_head->timestamp_ms)));
    o["root_hash"] = ledger::HashToHex(l.newest_head->root_hash);
    o["signed_tree_head"] = l.newest_head_hex;
  }
  return o;
}

std::string Percent(const AreaScore& s) {
  if (s.applicable == 0) return "-";
  return std::to_string(s.satisfied * 100 / s.applicable) + "%";
}

}  // namespace

core::Result<Language> ParseLanguage(std::string_view text) {
  if (text == "ja") return Language::kJa;
  if (text == "en") return Language::kEn;
  return core::InvalidArgumentError("--lang must be ja or en");
}

std::string RenderJson(const Assessment& a, Language lang) {
  json::array areas;
  for (const AreaScore& s : a.areas) {
    areas.push_back(json::object{{"area", internal::AreaName(s.volume, lang)},
                                 {"satisfied", s.satisfied},
                                 {"failing", s.failing},
                                 {"unknown", s.unknown},
                                 {"applicable", s.applicable}});
  }
  json::array failing, items, matrix;
  for (const Item& i : a.items) {
    const std::string& fix = lang == Language::kJa ? i.fix_ja : i.fix_en;
    if (i.state == ItemState::kFail) {
      failing.push_back(json::object{{"id", i.row->id}, {"fix", fix}});
    }
    json::object item{{"id", i.row->id},
                      {"title", i.row->title_ja},
                      {"text", lang == Language::kJa ? i.row->text_ja : i.row->text_en},
                      {"state", ItemStateName(i.state)},
                      {"applicability", ApplicabilityName(i.applicability)},
                      {"probes", Strings(i.probes)},
                      {"evidence", Facts(i.evidence, lang)},
                      {"owner", PartyName(i.owner)},
                      {"owner_name", i.owner_name}};
    if (!fix.empty() && (i.state == ItemState::kFail || i.state == ItemState::kUnknown)) {
      item["fix"] = fix;
    }
    if (!i.row->checklist_forms.empty()) item["checklist_forms"] = Strings(i.row->checklist_forms);
    items.push_back(std::move(item));
    if (i.state != ItemState::kNotApplicable) {
      matrix.push_back(json::object{{"id", i.row->id},
                                    {"party", PartyName(i.owner)},
                                    {"party_name", i.owner_name},
                                    {"default", i.owner_is_default}});
    }
  }
  json::array probes;
  for (const ProbeResult& p : a.probes) {
    probes.push_back(json::object{{"probe", p.probe},
                                  {"ids", Strings(p.ids)},
                                  {"outcome", OutcomeName(p.outcome)},
                                  {"evidence", Facts(p.evidence, lang)}});
  }
  json::object root{{"format", "mamori-compliance-report/1"},
                    {"language", lang == Language::kJa ? "ja" : "en"},
                    {"generated_at", core::FormatRfc3339(a.at)},
                    {"data_dir", a.data_dir},
                    {"guideline", GuidelineVersionName(a.version)},
                    {"pattern", PatternName(a.pattern)},
                    {"pattern_recorded", a.pattern_recorded},
                    {"required_failure", a.required_failure},
                    {"summary", json::object{{"areas", areas}, {"failing", failing}}},
                    {"probes", probes},
                    {"items", items},
                    {"matrix", matrix},
                    {"ledger", HeadJson(a.ledger)}};
  return json::serialize(root) + "\n";
}

std::string RenderHtml(const Assessment& a, Language lang) {
  std::string h;
  auto add = [&](std::string_view s) { h += s; };
  add("<!DOCTYPE html>\n<html lang=\"");
  add(lang == Language::kJa ? "ja" : "en");
  add("\">\n<head>\n<meta charset=\"utf-8\">\n<title>");
  add(Escape(L(lang, "report_title")));
  add("</title>\n<style>\n"
      "body{font-family:'IPAexGothic','Noto Sans CJK JP',sans-serif;margin:2em;}\n"
      "table{border-collapse:collapse;margin-bottom:1.5em;}\n"
      "td,th{border:1px solid #999;padding:2px 6px;vertical-align:top;text-align:left;}\n"
      ".fail{color:#b00;font-weight:bold;}.pass{color:#060;}.unknown{color:#a60;}\n"
      "ul{margin:0;padding-left:1.2em;}\n"
      "</style>\n</head>\n<body>\n<h1>");
  add(Escape(L(lang, "report_title")));
  add("</h1>\n<table>\n");
  auto kv = [&](std::string_view k, std::string_view v) {
    add("<tr><th>");
    add(Escape(L(lang, k)));
    add("</th><td>");
    add(Escape(v));
    add("</td></tr>\n");
  };
  kv("generated_at", core::FormatRfc3339(a.at));
  kv("data_dir", a.data_dir);
  kv("guideline", std::string(GuidelineVersionName(a.version)));
  kv("pattern", std::string(PatternName(a.pattern)) +
                    (a.pattern_recorded ? "" : " " + L(lang, "pattern_assumed")));
  kv("verdict", L(lang, a.required_failure ? "verdict_fail" : "verdict_ok"));
  add("</table>\n<h2>");
  add(Escape(L(lang, "summary")));
  add("</h2>\n<table>\n<tr><th>");
  add(Escape(L(lang, "area")));
  add("</th><th>");
  add(Escape(L(lang, "score")));
  add("</th><th>");
  add(Escape(L(lang, "satisfied")));
  add("</th><th>");
  add(Escape(L(lang, "failing")));
  add("</th><th>");
  add(Escape(L(lang, "unknown")));
  add("</th><th>");
  add(Escape(L(lang, "applicable")));
  add("</th></tr>\n");
  for (const AreaScore& s : a.areas) {
    add("<tr><td>" + Escape(internal::AreaName(s.volume, lang)) + "</td><td>" + Percent(s) +
        "</td><td>" + std::to_string(s.satisfied) + "</td><td>" + std::to_string(s.failing) +
        "</td><td>" + std::to_string(s.unknown) + "</td><td>" + std::to_string(s.applicable) +
        "</td></tr>\n");
  }
  add("</table>\n<h3>");
  add(Escape(L(lang, "failing_items")));
  add("</h3>\n<table>\n");
  int failing = 0;
  for (const Item& i : a.items) {
    if (i.state != ItemState::kFail) continue;
    ++failing;
    add("<tr><td class=\"fail\">" + Escape(i.row->id) + "</td><td>" + Escape(i.row->title_ja) +
        "</td><td>" + Escape(lang == Language::kJa ? i.fix_ja : i.fix_en) + "</td></tr>\n");
  }
  if (failing == 0) add("<tr><td>" + Escape(L(lang, "none")) + "</td></tr>\n");
  add("</table>\n<h2>");
  add(Escape(L(lang, "items")));
  add("</h2>\n<table>\n<tr><th>ID</th><th>");
  add(Escape(L(lang, "requirement")));
  add("</th><th>");
  add(Escape(L(lang, "state")));
  add("</th><th>");
  add(Escape(L(lang, "owner")));
  add("</th><th>");
  add(Escape(L(lang, "evidence")));
  add("</th></tr>\n");
  auto evidence = [&](const Item& i) {
    std::string e = "<ul>";
    for (const Fact& line : i.evidence) {
      e += "<li>" + Escape(line.In(lang == Language::kJa)) + "</li>";
    }
    return e + "</ul>";
  };
  auto state = [&](const Item& i) {
    std::string name(ItemStateName(i.state));
    return "<span class=\"" + name + "\">" + Escape(internal::StateLabel(i.state, lang)) +
           "</span>";
  };
  for (const Item& i : a.items) {
    add("<tr id=\"" + Escape(i.row->id) + "\"><td>" + Escape(i.row->id) + "</td><td>" +
        Escape(i.row->title_ja) + "<br>" +
        Escape(lang == Language::kJa ? i.row->text_ja : i.row->text_en) + "</td><td>" + state(i) +
        "</td><td>" + Escape(internal::PartyLabel(i.owner, lang)) +
        (i.owner_name.empty() ? "" : " (" + Escape(i.owner_name) + ")") + "</td><td>" +
        evidence(i) + "</td></tr>\n");
  }
  add("</table>\n");
  for (const char* form : internal::kForms) {
    add("<h2>" + Escape(L(lang, "checklist")) + " " + Escape(form) + "</h2>\n<table>\n");
    add("<tr><th>ID</th><th>" + Escape(L(lang, "item")) + "</th><th>" + Escape(L(lang, "answer")) +
        "</th><th>" + Escape(L(lang, "evidence")) + "</th></tr>\n");
    for (const Item& i : a.items) {
      const auto& forms = i.row->checklist_forms;
      if (std::find(forms.begin(), forms.end(), form) == forms.end()) continue;
      add("<tr><td>" + Escape(i.row->id) + "</td><td>" + Escape(i.row->title_ja) + "</td><td>" +
          state(i) + "</td><td>" + evidence(i) + "</td></tr>\n");
    }
    add("</table>\n");
  }
  add("<h2>" + Escape(L(lang, "matrix")) + "</h2>\n<table>\n<tr><th>ID</th><th>" +
      Escape(L(lang, "requirement")) + "</th><th>" + Escape(L(lang, "institution")) + "</th><th>" +
      Escape(L(lang, "vendor")) + "</th><th>" + Escape(L(lang, "cloud")) + "</th><th>" +
      Escape(L(lang, "party_name")) + "</th></tr>\n");
  for (const Item& i : a.items) {
    if (i.state == ItemState::kNotApplicable) continue;
    auto mark = [&](Party p) { return i.owner == p ? std::string("●") : std::string(""); };
    add("<tr><td>" + Escape(i.row->id) + "</td><td>" + Escape(i.row->title_ja) + "</td><td>" +
        mark(Party::kInstitution) + "</td><td>" + mark(Party::kVendor) + "</td><td>" +
        mark(Party::kCloud) + "</td><td>" + Escape(i.owner_name) +
        (i.owner_is_default ? " " + Escape(L(lang, "default_owner")) : "") + "</td></tr>\n");
  }
  add("</table>\n<h2>" + Escape(L(lang, "ledger")) + "</h2>\n<table>\n");
  const LedgerState& l = a.ledger;
  kv("leaves", std::to_string(l.leaves));
  kv("ledger_problems", std::to_string(l.problems.size()));
  if (l.newest_head) {
    kv("tree_size", std::to_string(l.newest_head->tree_size));
    kv("signed_at", core::FormatRfc3339(core::Clock::WallTime(
                        std::chrono::milliseconds(l.newest_head->timestamp_ms))));
    kv("root_hash", ledger::HashToHex(l.newest_head->root_hash));
    kv("signed_tree_head", l.newest_head_hex);
  } else {
    kv("tree_size", L(lang, "none"));
  }
  add("</table>\n<p>");
  add(Escape(L(lang, "signature_note")));
  add("</p>\n</body>\n</html>\n");
  return h;
}

core::Result<crypto::SigningKey> ReportSigningKey(const crypto::AeadKey& kek) {
  MAMORI_ASSIGN_OR_RETURN(crypto::SecureBytes seed,
                          crypto::HkdfSha256(kek.ExportKeyBytes(), crypto::AsBytes("mamori"),
                                             crypto::AsBytes("mamori/compliance-report/v1"),
                                             crypto::SigningKey::kSeedSize));
  return crypto::SigningKey::Import(seed.span());
}

}  // namespace mamori::compliance
