// SPDX-License-Identifier: Apache-2.0
// RenderPdf (report.h): the report as A4 pages, drawn with pango on a cairo
// PDF surface. Pango shapes the Japanese text with the IPAex fonts
// (fonts-ipaexfont) and cairo embeds the glyphs it used (a subset).
#include <cairo.h>

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#include "compliance/internal/report_text.h"
#include "compliance/report.h"
#include "ledger/hash.h"

namespace mamori::compliance {
namespace {

using internal::L;

constexpr double kPageWidth = 595.0;  // A4 in points
constexpr double kPageHeight = 842.0;
constexpr double kMargin = 42.0;

struct Line {
  std::string text;
  int size = 9;  // points
  bool bold = false;
  double indent = 0;
  double red = 0;  // 0..1
};

cairo_status_t Append(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

std::vector<Line> Lines(const Assessment& a, Language lang) {
  std::vector<Line> out;
  auto h1 = [&](std::string t) { out.push_back({.text = std::move(t), .size = 16, .bold = true}); };
  auto h2 = [&](std::string t) { out.push_back({.text = std::move(t), .size = 12, .bold = true}); };
  auto p = [&](std::string t, double indent = 0, double red = 0) {
    out.push_back({.text = std::move(t), .indent = indent, .red = red});
  };
  h1(L(lang, "report_title"));
  p(L(lang, "generated_at") + ": " + core::FormatRfc3339(a.at));
  p(L(lang, "data_dir") + ": " + a.data_dir);
  p(L(lang, "guideline") + ": " + std::string(GuidelineVersionName(a.version)) + "   " +
    L(lang, "pattern") + ": " + std::string(PatternName(a.pattern)) +
    (a.pattern_recorded ? "" : " " + L(lang, "pattern_assumed")));
  p(L(lang, "verdict") + ": " + L(lang, a.required_failure ? "verdict_fail" : "verdict_ok"), 0,
    a.required_failure ? 0.7 : 0);
  h2(L(lang, "summary"));
  for (const AreaScore& s : a.areas) {
    std::string pct =
        s.applicable == 0 ? "-" : std::to_string(s.satisfied * 100 / s.applicable) + "%";
    p(internal::AreaName(s.volume, lang) + "  " + pct + "  " + L(lang, "satisfied") + " " +
          std::to_string(s.satisfied) + " / " + L(lang, "failing") + " " +
          std::to_string(s.failing) + " / " + L(lang, "unknown") + " " + std::to_string(s.unknown) +
          " / " + L(lang, "applicable") + " " + std::to_string(s.applicable),
      12);
  }
  h2(L(lang, "failing_items"));
  for (const Item& i : a.items) {
    if (i.state != ItemState::kFail) continue;
    p(i.row->id + " " + i.row->title_ja, 12, 0.7);
    p(lang == Language::kJa ? i.fix_ja : i.fix_en, 24);
  }
  h2(L(lang, "items"));
  for (const Item& i : a.items) {
    p(i.row->id + " " + i.row->title_ja + " — " + internal::StateLabel(i.state, lang) + " (" +
          internal::PartyLabel(i.owner, lang) + ")",
      0, i.state == ItemState::kFail ? 0.7 : 0);
    for (const Fact& e : i.evidence) p("・" + e.In(lang == Language::kJa), 18);
  }
  for (const char* form : internal::kForms) {
    h2(L(lang, "checklist") + " " + form);
    for (const Item& i : a.items) {
      const auto& forms = i.row->checklist_forms;
      if (std::find(forms.begin(), forms.end(), form) == forms.end()) continue;
      p(i.row->id + " " + i.row->title_ja + " — " + internal::StateLabel(i.state, lang), 12,
        i.state == ItemState::kFail ? 0.7 : 0);
    }
  }
  h2(L(lang, "matrix"));
  for (const Item& i : a.items) {
    if (i.state == ItemState::kNotApplicable) continue;
    p(i.row->id + " " + i.row->title_ja + ": " + internal::PartyLabel(i.owner, lang) +
          (i.owner_name.empty() ? "" : " (" + i.owner_name + ")"),
      12);
  }
  h2(L(lang, "ledger"));
  p(L(lang, "leaves") + ": " + std::to_string(a.ledger.leaves) + "  " + L(lang, "ledger_problems") +
    ": " + std::to_string(a.ledger.problems.size()));
  if (a.ledger.newest_head) {
    p(L(lang, "tree_size") + ": " + std::to_string(a.ledger.newest_head->tree_size));
    p(L(lang, "root_hash") + ": " + ledger::HashToHex(a.ledger.newest_head->root_hash));
  }
  p(L(lang, "signature_note"));
  return out;
}

}  // namespace

core::Result<std::string> RenderPdf(const Assessment& a, Language lang) {
  std::string pdf;
  cairo_surface_t* surface =
      cairo_pdf_surface_create_for_stream(Append, &pdf, kPageWidth, kPageHeight);
  cairo_t* cr = cairo_create(surface);
  PangoLayout* layout = pango_cairo_create_layout(cr);
  pango_layout_set_width(layout, static_cast<int>((kPageWidth - 2 * kMargin) * PANGO_SCALE));
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  double y = kMargin;
  for (const Line& line : Lines(a, lang)) {
    std::string font =
        std::string("IPAexGothic") + (line.bold ? " Bold " : " ") + std::to_string(line.size);
    PangoFontDescription* desc = pango_font_description_from_string(font.c_str());
    pango_layout_set_font_description(layout, desc);
    pango_font_description_free(desc);
    pango_layout_set_width(
        layout, static_cast<int>((kPageWidth - 2 * kMargin - line.indent) * PANGO_SCALE));
    pango_layout_set_text(layout, line.text.c_str(), static_cast<int>(line.text.size()));
    int w = 0, h = 0;
    pango_layout_get_size(layout, &w, &h);
    double height = static_cast<double>(h) / PANGO_SCALE + (line.size > 9 ? 6 : 2);
    if (y + height > kPageHeight - kMargin) {
      cairo_show_page(cr);
      y = kMargin;
    }
    cairo_set_source_rgb(cr, line.red, 0, 0);
    cairo_move_to(cr, kMargin + line.indent, y);
    pango_cairo_show_layout(cr, layout);
    y += height;
  }
  g_object_unref(layout);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    return core::InternalError(std::string("cairo could not draw the report: ") +
                               cairo_status_to_string(status));
  }
  return pdf;
}

}  // namespace mamori::compliance
