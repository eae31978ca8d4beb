// SPDX-License-Identifier: Apache-2.0
#pragma once
// Private to store: the PostgreSQL side of store.h's key-less and key-holding
// readers (ReadAuditLog, ReadAuditEvents) and of RewrapDataKeys; store.cc
// dispatches to them for postgres:// locations.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.h"

namespace mamori::store::internal {

core::Status PgReadAuditLog(const std::string& url,
                            const std::function<core::Status(const AuditRow&)>& on_row,
                            std::vector<std::string>* tree_heads);
core::Status PgReadAuditEvents(
    const std::string& url, const crypto::AeadKey& kek,
    const std::function<core::Status(uint64_t index, std::string_view json)>& on_event);
core::Status PgRewrapDataKeys(const StoreOptions& options, const crypto::AeadKey& new_kek,
                              core::Env& env);

}  // namespace mamori::store::internal
