// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to core: include "core/logging.h" instead.
//
// Sink management for core/testing/log_capture.h. Not for production code: the
// only production sink is stderr.

#include <memory>

#include <spdlog/sinks/sink.h>

namespace mamori::core::internal {

void AddSink(std::shared_ptr<spdlog::sinks::sink> sink);
void RemoveSink(std::shared_ptr<spdlog::sinks::sink> sink);
// Tests that capture lines may silence stderr to keep ctest output readable.
void SetStderrEnabled(bool enabled);

}  // namespace mamori::core::internal
