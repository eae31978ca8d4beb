// SPDX-License-Identifier: Apache-2.0
#pragma once

// compliance::Probe: one piece of live evidence read from an installation
// (issue 9). A probe looks at an Installation (installation.h: what was read
// from the data directory and the backup destinations, read-only, whether the
// server runs or not) and at the machine through a Host, and answers pass,
// fail or unknown with the evidence it saw and, when it fails, what to do.
// Each probe names the catalogue IDs it evidences; the assessment
// (assessment.h) turns those answers into item states.
//
//   for (const auto& probe : compliance::DefaultProbes()) {
//     compliance::ProbeResult r = probe->Run(installation, context);
//     // r.outcome == kFail: r.evidence names the user, chunk or leaf index
//   }
//
// Evidence names login ids, snapshot ids, chunk names and ledger indexes,
// never patient data (DESIGN invariant 5).
//
// Thread-safety: probes are stateless; Run may be called from any thread.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compliance/catalogue.h"
#include "core/clock.h"
#include "core/status.h"

namespace mamori::compliance {

struct Installation;

enum class Outcome { kPass, kFail, kUnknown };
// "pass", "fail", "unknown".
std::string_view OutcomeName(Outcome outcome);

// One fact a probe saw, in both report languages. IDs, paths, login ids and
// messages from other modules appear as they are in both.
struct Fact {
  std::string ja;
  std::string en;
  const std::string& In(bool japanese) const { return japanese ? ja : en; }
};

struct ProbeResult {
  std::string probe;             // the probe's name, e.g. "two-factor"
  std::vector<std::string> ids;  // catalogue IDs it evidences
  Outcome outcome = Outcome::kUnknown;
  // What the probe saw, one fact a line.
  std::vector<Fact> evidence;
  // What to do when it fails or is unknown, in Japanese and English.
  std::string fix_ja;
  std::string fix_en;
};

// What a probe needs from the machine itself (STYLE.md rule 4: an OS edge is
// an interface). SystemHost runs the real commands; tests pass a fake.
class Host {
 public:
  virtual ~Host() = default;
  // Runs argv[0] (found on PATH) and returns its standard output, or
  // kNotFound when the program is not installed / kUnavailable when it fails.
  virtual core::Result<std::string> Run(const std::vector<std::string>& argv) = 0;
  struct Handshake {
    std::string protocol;  // "TLSv1.3"
    std::string cipher;    // "TLS_AES_256_GCM_SHA384"
  };
  // A TLS handshake with host:port, trusting `ca_file` (PEM). kUnavailable
  // when nothing listens; kPermissionDenied when the handshake fails.
  virtual core::Result<Handshake> TlsHandshake(const std::string& host, uint16_t port,
                                               const std::string& ca_file) = 0;
};
std::unique_ptr<Host> SystemHost();

// Thresholds. Defaults are mamori defaults the catalogue flags as such.
struct ProbeOptions {
  GuidelineVersion version = kDefaultGuidelineVersion;
  // SYS-45: a human account with no audited request for this long is dormant.
  std::chrono::days dormant_after{90};
  // SYS-21: a break-glass use must be reviewed within this.
  std::chrono::days break_glass_review_within{7};
  // GOV-12: the newest signed tree head may be this old.
  std::chrono::hours tree_head_max_age{24};
  // SYS-27: the newest verified snapshot of each destination (the RPO).
  std::chrono::hours backup_max_age{24};
  // EMG-03: an offline generation no older than this.
  std::chrono::days offline_max_age{14};
  // EMG-08: the last successful restore drill.
  std::chrono::days drill_max_age{183};
  // SYS-60: the master key's age.
  std::chrono::days key_max_age{365};
  // SYS-55: largest clock offset accepted.
  std::chrono::milliseconds max_clock_offset{1000};
  // SYS-31: try a handshake with the configured listener.
  bool tls_handshake = true;
  // The listener to try, when `mamori serve --listen` overrode server.listen.
  std::string listen;
};

struct ProbeContext {
  const ProbeOptions& options;
  core::Clock::WallTime now;
  Host& host;
};

class Probe {
 public:
  virtual ~Probe() = default;
  virtual std::string_view name() const = 0;
  // The catalogue IDs this probe evidences.
  virtual std::vector<std::string> ids() const = 0;
  virtual ProbeResult Run(const Installation& installation, const ProbeContext& context) const = 0;
};

// Every probe mamori has, in report order: tls, two-factor, password-policy,
// dormant-accounts, break-glass-review, ledger, backups, offline-generation,
// restore-drill, clock-sync, key-rotation, system-clients-mtls,
// encryption-at-rest.
std::vector<std::unique_ptr<Probe>> DefaultProbes();

// Runs every probe of DefaultProbes().
std::vector<ProbeResult> RunProbes(const Installation& installation, const ProbeContext& context);

}  // namespace mamori::compliance
