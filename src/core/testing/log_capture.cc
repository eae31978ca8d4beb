// SPDX-License-Identifier: Apache-2.0
#include "core/testing/log_capture.h"

#include <mutex>

#include <spdlog/sinks/base_sink.h>

#include "core/internal/log_sinks.h"

namespace mamori::core::testing {

class LogCapture::Sink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> Lines() {
    std::lock_guard lock(this->mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    lines_.emplace_back(msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

LogCapture::LogCapture(bool quiet) : sink_(std::make_shared<Sink>()), quiet_(quiet) {
  core::internal::AddSink(sink_);
  if (quiet_) core::internal::SetStderrEnabled(false);
}

LogCapture::~LogCapture() {
  core::internal::RemoveSink(sink_);
  if (quiet_) core::internal::SetStderrEnabled(true);
}

std::vector<std::string> LogCapture::Lines() const { return sink_->Lines(); }

bool LogCapture::Contains(std::string_view needle) const {
  for (const std::string& line : Lines()) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace mamori::core::testing
