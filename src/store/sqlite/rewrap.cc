// SPDX-License-Identifier: Apache-2.0
// Master key rotation: rewrap every data key under the new KEK.
#include "crypto/secure_bytes.h"
#include "store/internal/key_ring.h"
#include "store/postgres/pg_audit.h"
#include "store/postgres/pg_conn.h"
#include "store/sqlite/schema.h"
#include "store/sqlite/sqlite_db.h"
#include "store/sqlite/sqlite_transaction.h"
#include "store/store.h"

namespace mamori::store {

core::Status RewrapDataKeys(const StoreOptions& options, const crypto::AeadKey& new_kek,
                            core::Env& env) {
  if (options.kek == nullptr)
    return core::InvalidArgumentError("rewrapping needs the old master key");
  if (internal::IsPostgresUrl(options.path)) {
    return internal::PgRewrapDataKeys(options, new_kek, env);
  }
  MAMORI_ASSIGN_OR_RETURN(auto db,
                          internal::SqliteDb::Open(options.path, false, options.vfs_name_for_test));
  MAMORI_RETURN_IF_ERROR(db->Exec("PRAGMA synchronous=FULL"));
  MAMORI_RETURN_IF_ERROR(internal::MigrateSqliteSchema(*db));
  MAMORI_RETURN_IF_ERROR(db->Exec("BEGIN IMMEDIATE"));
  auto rollback = [&db](core::Status s) {
    db->Exec("ROLLBACK").IgnoreError();  // the first error is the one to report
    return s;
  };
  std::vector<internal::WrappedKey> keys;
  {
    auto stmt = db->Prepare("SELECT key_id, compartment, wrapped FROM data_key");
    if (!stmt.ok()) return rollback(stmt.status());
    while (true) {
      core::Result<bool> row = (*stmt)->Step();
      if (!row.ok()) return rollback(row.status());
      if (!*row) break;
      std::string id = (*stmt)->ColumnBlob(0);
      auto key_id = crypto::AeadKeyId::FromBytes(crypto::AsBytes(id));
      if (!key_id.ok()) return rollback(core::DataLossError("a data key row has a malformed id"));
      keys.push_back({*key_id, (*stmt)->ColumnText(1), (*stmt)->ColumnBlob(2)});
    }
  }
  for (const internal::WrappedKey& old : keys) {
    auto dek = internal::KeyRing::Unwrap(*options.kek, old);
    if (!dek.ok()) return rollback(dek.status());
    auto fresh = internal::KeyRing::Wrap(new_kek, *dek, old.compartment, env.random());
    if (!fresh.ok()) return rollback(fresh.status());
    auto update = db->Prepare("UPDATE data_key SET wrapped = ? WHERE key_id = ?");
    if (!update.ok()) return rollback(update.status());
    (*update)->BindBlob(1, fresh->wrapped);
    (*update)->BindBlob(2, std::span<const uint8_t>(old.key_id.bytes()));
    core::Status s = (*update)->Run();
    if (!s.ok()) return rollback(s);
  }
  return db->Exec("COMMIT");
}

}  // namespace mamori::store
