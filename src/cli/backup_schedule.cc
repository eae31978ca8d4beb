// SPDX-License-Identifier: Apache-2.0
#include "cli/backup_schedule.h"

#include <chrono>

#include "core/logging.h"
#include "ledger/audit_event.h"

namespace mamori::cli {
namespace {

std::string CoarseReason(core::StatusCode code) {
  std::string out;
  for (char c : core::StatusCodeName(code)) {  // "FailedPrecondition" -> "failed-precondition"
    if (c >= 'A' && c <= 'Z') {
      if (!out.empty()) out.push_back('-');
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

ScheduledBackups::ScheduledBackups(backup::Schedule schedule, BackupRunOptions options,
                                   store::Store& store, core::Env& env)
    : schedule_(std::move(schedule)),
      options_(std::move(options)),
      store_(store),
      env_(env),
      next_(schedule_.Next(env.clock().Now())) {}

ScheduledBackups::~ScheduledBackups() { Stop(); }

core::Clock::WallTime ScheduledBackups::next() const {
  std::lock_guard lock(mu_);
  return next_;
}

bool ScheduledBackups::RunIfDue() {
  core::Clock::WallTime now = env_.clock().Now();
  {
    std::lock_guard lock(mu_);
    if (now < next_) return false;
  }
  core::LogInfo("scheduled backup starting");
  auto outcomes = BackupDataDirectory(options_, env_);
  if (!outcomes.ok()) {
    std::vector<BackupOutcome> failed;
    for (const std::string& d : options_.destinations) {
      failed.push_back({.destination = d, .summary = outcomes.status()});
    }
    outcomes = std::move(failed);
  }
  for (const BackupOutcome& o : *outcomes) Record(o);
  std::lock_guard lock(mu_);
  next_ = schedule_.Next(env_.clock().Now());
  return true;
}

void ScheduledBackups::Record(const BackupOutcome& o) {
  ledger::AuditEvent event{
      .time_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                           env_.clock().Now().time_since_epoch())
                                           .count()),
      .user = "system",
      .role = "system",
      .action = "backup",
      .method = "SCHEDULE",
      .route = o.destination,
      .resource_type = "Snapshot",
      .resource_id = o.summary.ok() ? o.summary->id : "",
      .outcome = o.summary.ok() ? "success" : "failure",
      .reason = o.summary.ok() ? "" : CoarseReason(o.summary.status().code())};
  if (o.summary.ok()) {
    core::LogInfo("scheduled backup into {}: snapshot {}, {} bytes written in {} ms",
                  core::LogSafe::Vouch(o.destination, "config value"),
                  core::LogSafe::Vouch(o.summary->id, "snapshot id"), o.summary->bytes_written,
                  o.summary->duration.count());
  } else {
    core::LogError("scheduled backup into {} failed: {}",
                   core::LogSafe::Vouch(o.destination, "config value"),
                   core::LogSafe::Vouch(CoarseReason(o.summary.status().code()), "status code"));
  }
  std::string json = ledger::ToJson(event);
  core::Status s =
      store_.Write([&](store::Transaction& tx) { return tx.AppendAudit(json).status(); });
  if (!s.ok()) core::LogError("cannot record the scheduled backup in the audit ledger");
}

void ScheduledBackups::Start() {
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (!stop_) {
      // Wake at least every 30 s to follow the wall clock (it may step).
      auto wait = std::min<std::chrono::nanoseconds>(
          std::chrono::seconds(30), std::max<std::chrono::nanoseconds>(std::chrono::nanoseconds(0),
                                                                       next_ - env_.clock().Now()));
      cv_.wait_for(lock, wait, [this] { return stop_; });
      if (stop_) break;
      lock.unlock();
      RunIfDue();
      lock.lock();
    }
  });
}

void ScheduledBackups::Stop() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace mamori::cli
