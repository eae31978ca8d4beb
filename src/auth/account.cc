// SPDX-License-Identifier: Apache-2.0
#include "auth/account.h"

#include <chrono>

#include <boost/json.hpp>

namespace mamori::auth {
namespace {

namespace json = boost::json;

int64_t Micros(core::Clock::WallTime t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}
core::Clock::WallTime FromMicros(int64_t us) {
  return core::Clock::WallTime(
      std::chrono::duration_cast<core::Clock::WallTime::duration>(std::chrono::microseconds(us)));
}

json::array Strings(const std::vector<std::string>& v) {
  json::array out;
  for (const std::string& s : v) out.emplace_back(s);
  return out;
}

// Reads fields, remembering the first problem instead of throwing.
class Reader {
 public:
  explicit Reader(const json::object& o) : o_(o) {}
  std::string String(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || !v->is_string()) return Fail(key), std::string();
    return std::string(v->as_string());
  }
  int64_t Int(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || !v->is_int64()) return Fail(key), 0;
    return v->as_int64();
  }
  bool Bool(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || !v->is_bool()) return Fail(key), false;
    return v->as_bool();
  }
  std::vector<std::string> Strings(std::string_view key) {
    std::vector<std::string> out;
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || !v->is_array()) return Fail(key), out;
    for (const json::value& e : v->as_array()) {
      if (!e.is_string()) return Fail(key), out;
      out.emplace_back(e.as_string());
    }
    return out;
  }
  const json::object* Object(std::string_view key) {
    const json::value* v = o_.if_contains(key);
    if (v == nullptr || v->is_null()) return nullptr;
    if (!v->is_object()) return Fail(key), nullptr;
    return &v->as_object();
  }
  const std::string& failed() const { return failed_; }

 private:
  void Fail(std::string_view key) {
    if (failed_.empty()) failed_ = std::string(key);
  }
  const json::object& o_;
  std::string failed_;
};

}  // namespace

bool IsKnownProofingMethod(std::string_view method) {
  return method == "in-person-photo-id" || method == "jpki" || method == "other";
}

std::string EncodeAccount(const Account& a) {
  json::object o;
  o["format"] = 1;
  o["account_id"] = a.account_id;
  o["login_id"] = a.login_id;
  o["display_name"] = a.display_name;
  o["name_parts"] = Strings(a.name_parts);
  o["birth_date"] = a.birth_date;
  o["role"] = RoleName(a.role);
  o["organizations"] = Strings(a.organizations);
  o["departments"] = Strings(a.departments);
  o["grant"] = json::object{{"requested_by", a.grant.requested_by},
                            {"approved_by", a.grant.approved_by},
                            {"granted_at_us", Micros(a.grant.granted_at)}};
  o["password_phc"] = a.password_phc;
  o["password_changed_at_us"] = Micros(a.password_changed_at);
  o["password_expires_at_us"] = a.password_expires_at ? Micros(*a.password_expires_at) : 0;
  o["password_history"] = Strings(a.password_history);
  o["must_change_password"] = a.must_change_password;
  o["totp_sealed"] = a.totp_sealed;
  o["totp_pending_sealed"] = a.totp_pending_sealed;
  o["last_totp_step"] = static_cast<int64_t>(a.last_totp_step);
  o["recovery_code_hashes"] = Strings(a.recovery_code_hashes);
  if (a.proofing) {
    o["proofing"] = json::object{{"method", a.proofing->method},
                                 {"verified_by", a.proofing->verified_by},
                                 {"verified_at_us", Micros(a.proofing->verified_at)},
                                 {"evidence_ref", a.proofing->evidence_ref}};
  } else {
    o["proofing"] = nullptr;
  }
  o["proofing_waiver"] = a.proofing_waiver;
  o["disabled"] = a.disabled;
  return json::serialize(o);
}

core::Result<Account> DecodeAccount(std::string_view text) {
  boost::system::error_code ec;
  json::value root = json::parse(text, ec);
  if (ec || !root.is_object()) return core::DataLossError("stored account is not a JSON object");
  Reader r(root.as_object());
  if (r.Int("format") != 1) return core::DataLossError("stored account has an unknown format");
  Account a;
  a.account_id = r.String("account_id");
  a.login_id = r.String("login_id");
  a.display_name = r.String("display_name");
  a.name_parts = r.Strings("name_parts");
  a.birth_date = r.String("birth_date");
  std::optional<Role> role = RoleFromName(r.String("role"));
  if (!role) return core::DataLossError("stored account has an unknown role");
  a.role = *role;
  a.organizations = r.Strings("organizations");
  a.departments = r.Strings("departments");
  if (const json::object* g = r.Object("grant")) {
    Reader gr(*g);
    a.grant = {.requested_by = gr.String("requested_by"),
               .approved_by = gr.String("approved_by"),
               .granted_at = FromMicros(gr.Int("granted_at_us"))};
    if (!gr.failed().empty()) return core::DataLossError("stored account grant is damaged");
  }
  a.password_phc = r.String("password_phc");
  a.password_changed_at = FromMicros(r.Int("password_changed_at_us"));
  if (int64_t expires = r.Int("password_expires_at_us"); expires != 0) {
    a.password_expires_at = FromMicros(expires);
  }
  a.password_history = r.Strings("password_history");
  a.must_change_password = r.Bool("must_change_password");
  a.totp_sealed = r.String("totp_sealed");
  a.totp_pending_sealed = r.String("totp_pending_sealed");
  a.last_totp_step = static_cast<uint64_t>(r.Int("last_totp_step"));
  a.recovery_code_hashes = r.Strings("recovery_code_hashes");
  if (const json::object* p = r.Object("proofing")) {
    Reader pr(*p);
    a.proofing = IdentityProofing{.method = pr.String("method"),
                                  .verified_by = pr.String("verified_by"),
                                  .verified_at = FromMicros(pr.Int("verified_at_us")),
                                  .evidence_ref = pr.String("evidence_ref")};
    if (!pr.failed().empty()) return core::DataLossError("stored account proofing is damaged");
  }
  a.proofing_waiver = r.String("proofing_waiver");
  a.disabled = r.Bool("disabled");
  if (!r.failed().empty()) {
    return core::DataLossError("stored account is missing field " + r.failed());
  }
  return a;
}

}  // namespace mamori::auth
