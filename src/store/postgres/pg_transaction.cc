// SPDX-License-Identifier: Apache-2.0
// PgTransaction: resource versions, the search index and records inside the
// group's transaction (or a read snapshot), and the key table.
#include <algorithm>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "crypto/secure_bytes.h"
#include "store/postgres/pg_store.h"

namespace mamori::store::internal {

core::Result<std::optional<WrappedKey>> PgKeyTable::FindOne(const std::string& sql,
                                                            const PgParams& p) {
  MAMORI_ASSIGN_OR_RETURN(PgResult r, db_.Query(sql, p));
  if (r.rows() == 0) return std::optional<WrappedKey>();
  std::string id_bytes = r.Bytes(0, 0);
  WrappedKey key;
  MAMORI_ASSIGN_OR_RETURN(key.key_id, crypto::AeadKeyId::FromBytes(crypto::AsBytes(id_bytes)));
  key.compartment = r.Text(0, 1);
  key.wrapped = r.Bytes(0, 2);
  return std::optional<WrappedKey>(std::move(key));
}

core::Result<std::optional<WrappedKey>> PgKeyTable::FindByCompartment(const std::string& c) {
  return FindOne("SELECT key_id, compartment, wrapped FROM data_key WHERE compartment = $1",
                 PgParams().Text(c));
}

core::Result<std::optional<WrappedKey>> PgKeyTable::FindById(const crypto::AeadKeyId& id) {
  const auto& bytes = id.bytes();
  return FindOne("SELECT key_id, compartment, wrapped FROM data_key WHERE key_id = $1",
                 PgParams().Bytes(
                     std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size())));
}

core::Status PgKeyTable::Insert(const WrappedKey& key) {
  const auto& bytes = key.key_id.bytes();
  return db_
      .Query("INSERT INTO data_key (key_id, compartment, wrapped, created_us) VALUES ($1,$2,$3,0)",
             PgParams()
                 .Bytes(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()))
                 .Text(key.compartment)
                 .Bytes(key.wrapped))
      .status();
}

core::Result<uint64_t> PgTransaction::AppendAudit(std::string_view event) {
  return store_.AppendAuditLeaf(db_, event, now_);
}

core::Result<std::optional<int64_t>> PgTransaction::KeyOf(const std::string& type,
                                                          const std::string& id) {
  return db_.QueryInt("SELECT rid FROM resource_current WHERE type = $1 AND id = $2",
                      PgParams().Text(type).Text(id));
}

core::Result<std::pair<std::string, std::string>> PgTransaction::KeyName(int64_t key) {
  MAMORI_ASSIGN_OR_RETURN(
      PgResult r,
      db_.Query("SELECT type, id FROM search_resource WHERE rid = $1", PgParams().Int(key)));
  if (r.rows() == 0) return core::NotFoundError("no resource has key " + std::to_string(key));
  return std::pair<std::string, std::string>{r.Text(0, 0), r.Text(0, 1)};
}

core::Result<std::optional<ResourceVersion>> PgTransaction::ReadByKey(int64_t key) {
  MAMORI_ASSIGN_OR_RETURN(auto name, KeyName(key));
  MAMORI_ASSIGN_OR_RETURN(std::optional<ResourceVersion> v, ReadCurrent(name.first, name.second));
  if (!v || v->deleted) return std::optional<ResourceVersion>();
  v->key = key;
  return v;
}

namespace {

std::vector<IndexHit> ReadHits(const PgResult& r) {
  std::vector<IndexHit> hits;
  hits.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) {
    IndexHit hit{.key = r.Int(i, 0)};
    if (!r.IsNull(i, 3)) {
      hit.number_low = r.Double(i, 3);
      hit.number_high = r.Double(i, 4);
    } else {
      hit.time_low = r.Int(i, 1);
      hit.time_high = r.Int(i, 2);
      hit.number_low = static_cast<double>(hit.time_low);
      hit.number_high = static_cast<double>(hit.time_high);
    }
    hits.push_back(hit);
  }
  return hits;
}

// The range columns of an entry: (low, high) integers or (low_n, high_n).
struct Range {
  std::optional<int64_t> low, high;
  std::optional<double> low_n, high_n;
  auto Key() const { return std::tie(low, high, low_n, high_n); }
};

Range RangeOf(const IndexEntry& e, int64_t updated_us) {
  switch (e.range) {
    case IndexEntry::Range::kNone:
      return {0, 0, std::nullopt, std::nullopt};
    case IndexEntry::Range::kTime:
      return {e.time_low, e.time_high, std::nullopt, std::nullopt};
    case IndexEntry::Range::kNumber:
      return {std::nullopt, std::nullopt, e.number_low, e.number_high};
    case IndexEntry::Range::kWriteTime:
      return {updated_us, updated_us + 1, std::nullopt, std::nullopt};
  }
  return {};
}

}  // namespace

core::Result<std::vector<IndexHit>> PgTransaction::LookupIndexFor(const std::string& hash,
                                                                  int64_t key) {
  MAMORI_ASSIGN_OR_RETURN(PgResult r,
                          db_.Query("SELECT rid, low, high, low_n, high_n FROM search_index "
                                    "WHERE hash = $1 AND rid = $2",
                                    PgParams().Bytes(hash).Int(key)));
  return ReadHits(r);
}

core::Result<std::vector<IndexHit>> PgTransaction::LookupIndex(const std::string& hash,
                                                               int64_t after_key, size_t limit) {
  PgParams p;
  p.Bytes(hash).Int(after_key);
  if (limit == 0) {
    p.Null();
  } else {
    p.Int(static_cast<int64_t>(limit));
  }
  MAMORI_ASSIGN_OR_RETURN(PgResult r,
                          db_.Query("SELECT rid, low, high, low_n, high_n FROM search_index "
                                    "WHERE hash = $1 AND rid > $2 ORDER BY rid LIMIT $3",
                                    p));
  return ReadHits(r);
}

core::Result<std::optional<ResourceVersion>> PgTransaction::ReadCurrent(const std::string& type,
                                                                        const std::string& id) {
  MAMORI_ASSIGN_OR_RETURN(PgResult r,
                          db_.Query("SELECT v.version, v.seq, v.updated_us, v.deleted, v.body FROM "
                                    "resource_current c JOIN resource_version v ON v.seq = c.seq "
                                    "WHERE c.type = $1 AND c.id = $2",
                                    PgParams().Text(type).Text(id)));
  if (r.rows() == 0) return std::optional<ResourceVersion>();
  MAMORI_ASSIGN_OR_RETURN(ResourceVersion v, store_.sealer().OpenResource(
                                                 type, id, r.Int(0, 0), r.Int(0, 1), r.Int(0, 2),
                                                 r.Text(0, 3) == "t", r.Bytes(0, 4), keys_));
  return std::optional<ResourceVersion>(std::move(v));
}

namespace {

// One version written in one statement (one round trip): the version row,
// the current pointer, a search key on the first live version, the previous
// rows of the index deleted and the new ones inserted. Data-modifying CTEs
// all run, against one snapshot (the DELETE does not see the INSERT's rows).
// Parameters: $1 type, $2 id, $3 version, $4 updated_us, $5 deleted, $6 body,
// $7 needs a new search key, $8 the existing key (or NULL), $9 the entries'
// hashes concatenated (16 bytes each), $10 their count, $11..$14 low, high,
// low_n, high_n as arrays.
constexpr char kPutSql[] = R"sql(
WITH v AS (INSERT INTO resource_version (type, id, version, updated_us, deleted, body)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING seq),
     r AS (INSERT INTO search_resource (type, id) SELECT $1, $2 WHERE $7 RETURNING rid),
     k AS (SELECT coalesce((SELECT rid FROM r), $8::bigint) AS rid),
     c AS (INSERT INTO resource_current (type, id, version, seq, deleted, rid)
           SELECT $1, $2, $3, v.seq, $5, k.rid FROM v, k
           ON CONFLICT (type, id) DO UPDATE SET version = excluded.version, seq = excluded.seq,
             deleted = excluded.deleted, rid = excluded.rid),
     d AS (DELETE FROM search_index WHERE rid = $8::bigint),
     i AS (INSERT INTO search_index (hash, rid, low, high, low_n, high_n)
           SELECT substring($9::bytea FROM (n - 1) * 16 + 1 FOR 16), k.rid,
                  ($11::bigint[])[n], ($12::bigint[])[n],
                  ($13::double precision[])[n], ($14::double precision[])[n]
           FROM generate_series(1, $10::integer) AS n, k)
SELECT v.seq, k.rid FROM v, k)sql";

std::string ArrayText(const std::vector<std::optional<std::string>>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += items[i] ? *items[i] : "NULL";
  }
  return out + "}";
}

std::string DoubleText(double v) {
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (std::isnan(v)) return "NaN";
  return fmt::format("{:.17g}", v);
}

}  // namespace

core::Result<ResourceVersion> PgTransaction::Put(const NewVersion& v) {
  if (v.type.empty() || v.id.empty()) {
    return core::InvalidArgumentError("a resource version needs a type and an id");
  }
  for (const IndexEntry& e : v.index) {
    if (e.hash.size() != kIndexHashSize) {
      return core::InvalidArgumentError("an index entry hash must come from Store::BlindIndex");
    }
  }
  MAMORI_ASSIGN_OR_RETURN(
      PgResult current,
      db_.Query("SELECT version, rid FROM resource_current WHERE type = $1 AND id = $2",
                PgParams().Text(v.type).Text(v.id)));
  int64_t version = current.rows() > 0 ? current.Int(0, 0) + 1 : 1;
  std::optional<int64_t> rid;
  if (current.rows() > 0 && !current.IsNull(0, 1)) rid = current.Int(0, 1);

  int64_t updated_us = ToMicros(now_);
  std::string json = v.deleted ? std::string() : v.render(version, FromMicros(updated_us));
  MAMORI_ASSIGN_OR_RETURN(std::string body,
                          store_.sealer().SealResource(v, version, updated_us, json, keys_));
  // Identical entries are stored once (SQLite's primary key does the same).
  std::vector<std::pair<std::string_view, Range>> rows;
  if (!v.deleted) {
    rows.reserve(v.index.size());
    for (const IndexEntry& e : v.index) rows.emplace_back(e.hash, RangeOf(e, updated_us));
    auto less = [](const auto& a, const auto& b) {
      return std::tie(a.first, a.second.low, a.second.high, a.second.low_n, a.second.high_n) <
             std::tie(b.first, b.second.low, b.second.high, b.second.low_n, b.second.high_n);
    };
    auto same = [](const auto& a, const auto& b) {
      return a.first == b.first && a.second.Key() == b.second.Key();
    };
    std::sort(rows.begin(), rows.end(), less);
    rows.erase(std::unique(rows.begin(), rows.end(), same), rows.end());
  }
  std::string hashes;
  std::vector<std::optional<std::string>> low, high, low_n, high_n;
  for (const auto& [hash, range] : rows) {
    hashes += hash;
    auto text = [](const std::optional<int64_t>& x) {
      return x ? std::optional<std::string>(std::to_string(*x)) : std::nullopt;
    };
    auto real = [](const std::optional<double>& x) {
      return x ? std::optional<std::string>(DoubleText(*x)) : std::nullopt;
    };
    low.push_back(text(range.low));
    high.push_back(text(range.high));
    low_n.push_back(real(range.low_n));
    high_n.push_back(real(range.high_n));
  }
  const bool new_key = !rid && !v.deleted;
  PgParams p;
  p.Text(v.type)
      .Text(v.id)
      .Int(version)
      .Int(updated_us)
      .Text(v.deleted ? "true" : "false")
      .Bytes(body)
      .Text(new_key ? "true" : "false");
  if (rid) {
    p.Int(*rid);
  } else {
    p.Null();
  }
  p.Bytes(hashes)
      .Int(static_cast<int64_t>(rows.size()))
      .Text(ArrayText(low))
      .Text(ArrayText(high))
      .Text(ArrayText(low_n))
      .Text(ArrayText(high_n));
  MAMORI_ASSIGN_OR_RETURN(PgResult written, db_.Query(kPutSql, p));
  if (written.rows() != 1) return core::InternalError("the version row was not written");
  return ResourceVersion{.type = v.type,
                         .id = v.id,
                         .version = version,
                         .sequence = written.Int(0, 0),
                         .last_updated = FromMicros(updated_us),
                         .deleted = v.deleted,
                         .key = written.IsNull(0, 1) ? 0 : written.Int(0, 1),
                         .json = std::move(json)};
}

core::Result<int64_t> PgTransaction::PutRecord(const std::string& kind, const std::string& key,
                                               std::string_view body, int64_t expected_version) {
  if (kind.empty() || key.empty()) {
    return core::InvalidArgumentError("a record needs a kind and a key");
  }
  MAMORI_ASSIGN_OR_RETURN(std::optional<int64_t> stored,
                          db_.QueryInt("SELECT version FROM record WHERE kind = $1 AND key = $2",
                                       PgParams().Text(kind).Text(key)));
  if (expected_version == 0 && stored) return core::AlreadyExistsError(kind + " record exists");
  if (stored.value_or(0) != expected_version) {
    return core::AbortedError(kind + " record was changed concurrently; reload and retry");
  }
  int64_t version = stored.value_or(0) + 1;
  MAMORI_ASSIGN_OR_RETURN(std::string sealed,
                          store_.sealer().SealRecord(kind, key, version, body, keys_));
  MAMORI_RETURN_IF_ERROR(
      db_.Query("INSERT INTO record (kind, key, version, body) VALUES ($1, $2, $3, $4) "
                "ON CONFLICT (kind, key) DO UPDATE SET version = excluded.version, "
                "body = excluded.body",
                PgParams().Text(kind).Text(key).Int(version).Bytes(sealed))
          .status());
  return version;
}

}  // namespace mamori::store::internal
