// SPDX-License-Identifier: Apache-2.0
#include "backup/schedule.h"

#include <charconv>
#include <chrono>
#include <vector>

namespace mamori::backup {
namespace {

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = text.find(sep, start);
    out.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

bool Number(std::string_view s, int& v) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() && !s.empty();
}

// One cron field into `bits` (values lo..hi).
template <size_t N>
core::Status Field(std::string_view field, int lo, int hi, std::string_view what,
                   std::bitset<N>& bits) {
  auto bad = [&] {
    return core::InvalidArgumentError("backup schedule: bad " + std::string(what) + " field '" +
                                      std::string(field) + "'");
  };
  for (std::string_view part : Split(field, ',')) {
    int step = 1;
    if (size_t slash = part.find('/'); slash != std::string_view::npos) {
      if (!Number(part.substr(slash + 1), step) || step <= 0) return bad();
      part = part.substr(0, slash);
    }
    int from = lo, to = hi;
    if (part != "*") {
      size_t dash = part.find('-');
      if (dash == std::string_view::npos) {
        if (!Number(part, from)) return bad();
        to = step > 1 ? hi : from;
      } else if (!Number(part.substr(0, dash), from) || !Number(part.substr(dash + 1), to)) {
        return bad();
      }
    }
    if (from < lo || to > hi || from > to) return bad();
    for (int v = from; v <= to; v += step) bits.set(static_cast<size_t>(v));
  }
  return core::Status::Ok();
}

}  // namespace

core::Result<Schedule> Schedule::Parse(std::string_view text, int utc_offset_minutes) {
  Schedule s;
  s.text_ = std::string(text);
  s.offset_minutes_ = utc_offset_minutes;
  std::string_view t = Trim(text);
  if (t.starts_with("daily ")) {
    for (std::string_view at : Split(t.substr(6), ',')) {
      at = Trim(at);
      int h = 0, m = 0;
      if (at.size() != 5 || at[2] != ':' || !Number(at.substr(0, 2), h) ||
          !Number(at.substr(3, 2), m) || h > 23 || m > 59) {
        return core::InvalidArgumentError("backup schedule: '" + std::string(at) +
                                          "' is not a time HH:MM");
      }
      s.hours_.set(static_cast<size_t>(h));
      s.minutes_.set(static_cast<size_t>(m));
      if (s.hours_.count() > 1 && s.minutes_.count() > 1) {
        return core::InvalidArgumentError(
            "backup schedule: daily times must share their minute or their hour; use a cron "
            "expression");
      }
    }
    s.days_.set();
    s.months_.set();
    s.weekdays_.set();
    return s;
  }
  std::vector<std::string_view> fields;
  for (std::string_view f : Split(t, ' ')) {
    if (!f.empty()) fields.push_back(f);
  }
  if (fields.size() != 5) {
    return core::InvalidArgumentError("backup schedule '" + std::string(text) +
                                      "': write \"daily HH:MM\" or five cron fields");
  }
  MAMORI_RETURN_IF_ERROR(Field(fields[0], 0, 59, "minute", s.minutes_));
  MAMORI_RETURN_IF_ERROR(Field(fields[1], 0, 23, "hour", s.hours_));
  MAMORI_RETURN_IF_ERROR(Field(fields[2], 1, 31, "day-of-month", s.days_));
  MAMORI_RETURN_IF_ERROR(Field(fields[3], 1, 12, "month", s.months_));
  std::bitset<8> weekdays;
  MAMORI_RETURN_IF_ERROR(Field(fields[4], 0, 7, "day-of-week", weekdays));
  for (size_t d = 0; d < 7; ++d) s.weekdays_[d] = weekdays[d];
  if (weekdays[7]) s.weekdays_.set(0);
  s.any_day_ = fields[2] == "*";
  s.any_weekday_ = fields[4] == "*";
  return s;
}

core::Clock::WallTime Schedule::Next(core::Clock::WallTime after) const {
  using namespace std::chrono;
  auto local = floor<minutes>(after) + minutes(offset_minutes_) + minutes(1);
  // At most four years of minutes (29 February): a valid schedule matches sooner.
  for (int i = 0; i < 4 * 366 * 24 * 60; ++i, local += minutes(1)) {
    auto day = floor<days>(local);
    hh_mm_ss hms{local - day};
    if (!minutes_[static_cast<size_t>(hms.minutes().count())] ||
        !hours_[static_cast<size_t>(hms.hours().count())]) {
      continue;
    }
    year_month_day ymd{day};
    if (!months_[static_cast<unsigned>(ymd.month())]) continue;
    bool day_ok = days_[static_cast<unsigned>(ymd.day())];
    bool weekday_ok = weekdays_[weekday{day}.c_encoding()];
    bool match = any_day_ && any_weekday_ ? true
                 : any_day_               ? weekday_ok
                 : any_weekday_           ? day_ok
                                          : (day_ok || weekday_ok);
    if (match) {
      return time_point_cast<core::Clock::WallTime::duration>(local - minutes(offset_minutes_));
    }
  }
  return core::Clock::WallTime::max();
}

}  // namespace mamori::backup
