// SPDX-License-Identifier: Apache-2.0
// The conformance suite over PostgreSQL (a throwaway server started by the
// test itself), and what only PostgreSQL shows: the stored rows, the schema
// guard, the latch after a refused COMMIT, and two stores (two mamori nodes)
// on one database.
#include <atomic>
#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "crypto/secure_bytes.h"
#include "ledger/compact_range.h"
#include "ledger/hash.h"
#include "ledger/tree_head.h"
#include "store/postgres/pg_conn.h"
#include "store/store_conformance_test.h"
#include "store/testing/pg_server.h"

namespace mamori::store::testing {
namespace {

using core::StatusCode;
using core::testing::IsOk;
using core::testing::StatusIs;
using store_testing::PgTestServer;
using ::testing::HasSubstr;
using ::testing::Not;

class PgFactory final : public StoreFactory {
 public:
  PgFactory(core::Env& env, std::string url) : env_(env), url_(std::move(url)) {}
  core::Result<std::unique_ptr<Store>> Open(const crypto::AeadKey& kek) override {
    return OpenStore({.path = url_, .kek = &kek, .tree_head_interval_ms = 0}, env_);
  }
  const std::string& url() const { return url_; }

 private:
  core::Env& env_;
  std::string url_;
};

std::unique_ptr<StoreFactory> MakePgFactory(core::Env& env) {
  core::Result<std::string> url = PgTestServer::NewDatabase();
  if (!url.ok()) {
    if (PgTestServer::MustRun()) ADD_FAILURE() << "CI=true: " << url.status().message();
    std::fprintf(stderr, "skipping PostgreSQL tests: %s\n", url.status().message().c_str());
    return nullptr;
  }
  return std::make_unique<PgFactory>(env, *url);
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest, ::testing::Values(&MakePgFactory));

// Every row of every mamori table as text (bytea as hex), like a pg_dump.
std::string DumpRows(const std::string& url) {
  auto conn = internal::PgConn::Connect(url);
  EXPECT_THAT(conn, IsOk());
  if (!conn.ok()) return "";
  std::string out;
  for (const char* table :
       {"mamori_meta", "data_key", "resource_version", "resource_current", "search_resource",
        "search_index", "record", "ledger_leaf", "ledger_node", "ledger_sth"}) {
    auto r = (*conn)->Query(std::string("SELECT coalesce(string_agg(t::text, E'\\n'), '') FROM ") +
                            table + " t");
    EXPECT_THAT(r, IsOk());
    if (r.ok()) out += r->Text(0, 0);
  }
  return out;
}

std::string Hex(std::string_view s) {
  std::string out;
  for (unsigned char c : s) out += fmt::format("{:02x}", c);
  return out;
}

class PgStoreTest : public StoreConformanceTest {
 protected:
  const std::string& url() { return static_cast<PgFactory&>(*factory_).url(); }
  core::Status Sql(const std::string& sql) { return PgTestServer::Exec(url(), sql); }
};

INSTANTIATE_TEST_SUITE_P(Postgres, PgStoreTest, ::testing::Values(&MakePgFactory));

// DESIGN invariant 4: PostgreSQL never sees plaintext patient data.
TEST_P(PgStoreTest, NoPlaintextReachesTheDatabase) {
  const std::string canary = "CANARY-Yamada-Taro-7c1e";
  ASSERT_THAT(PutJson("Patient", "p1", canary, "p1"), IsOk());
  ASSERT_THAT(store_->Write([&](Transaction& tx) -> core::Status {
    MAMORI_RETURN_IF_ERROR(
        tx.PutRecord("account", "a1", "{\"name\":\"" + canary + "\"}", 0).status());
    return tx.AppendAudit("{\"who\":\"" + canary + "\"}").status();
  }),
              IsOk());
  std::string rows = DumpRows(url());
  ASSERT_THAT(rows, HasSubstr("Patient"));  // the dump did read the rows
  EXPECT_THAT(rows, Not(HasSubstr(canary)));
  EXPECT_THAT(rows, Not(HasSubstr(Hex(canary))));
  EXPECT_EQ(store_->Read("Patient", "p1")->json, "{\"v\":1,\"p\":\"" + canary + "\"}");
}

TEST_P(PgStoreTest, SwappedBodiesFailTheIntegrityCheckInsteadOfReturningWrongData) {
  ASSERT_THAT(PutJson("Patient", "p1", "one", "p1"), IsOk());
  ASSERT_THAT(PutJson("Patient", "p2", "two", "p2"), IsOk());
  ASSERT_THAT(Sql("UPDATE resource_version SET body = (SELECT body FROM resource_version "
                  "WHERE id = 'p2') WHERE id = 'p1'"),
              IsOk());
  EXPECT_THAT(store_->Read("Patient", "p1"), StatusIs(StatusCode::kDataLoss));
  ASSERT_THAT(Sql("UPDATE resource_version SET deleted = true WHERE id = 'p2'"), IsOk());
  EXPECT_THAT(store_->Read("Patient", "p2"), StatusIs(StatusCode::kDataLoss));
}

TEST_P(PgStoreTest, ADatabaseFromANewerMamoriIsRefused) {
  ASSERT_THAT(PutJson("Patient", "p1", "x", "p1"), IsOk());
  store_.reset();
  ASSERT_THAT(Sql("UPDATE mamori_meta SET value = '99' WHERE key = 'schema_version'"), IsOk());
  auto reopened = factory_->Open(kek_);
  EXPECT_THAT(reopened, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("version 99")));
}

TEST_P(PgStoreTest, AForeignDatabaseIsRefused) {
  core::Result<std::string> other = PgTestServer::NewDatabase();
  ASSERT_THAT(other, IsOk());
  ASSERT_THAT(PgTestServer::Exec(*other, "CREATE TABLE payroll (x int)"), IsOk());
  EXPECT_THAT(OpenStore({.path = *other, .kek = &kek_, .tree_head_interval_ms = 0}, env_),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("not a mamori database")));
}

// DESIGN invariant 2 (fail closed): a COMMIT the server refuses fails every
// body of the group, leaves nothing, and latches the store read-only.
TEST_P(PgStoreTest, ARefusedCommitFailsTheGroupAndLatchesReadOnly) {
  ASSERT_THAT(PutJson("Patient", "before", "x", "before"), IsOk());
  ASSERT_THAT(Sql(R"sql(
CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS
  $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$;
CREATE CONSTRAINT TRIGGER refuse_boom AFTER INSERT ON resource_version
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.type = 'Boom') EXECUTE FUNCTION refuse();
)sql"),
              IsOk());
  core::Status s = store_->Write([&](Transaction& tx) -> core::Status {
    MAMORI_RETURN_IF_ERROR(tx.AppendAudit("{\"e\":1}").status());
    return tx.Put({.type = "Boom", .id = "b", .render = [](int64_t, auto) { return "{}"; }})
        .status();
  });
  EXPECT_THAT(s, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store_->WriteHealth(), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(PutJson("Patient", "after", "x", "after"), StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(store_->Read("Patient", "before"), IsOk());
  EXPECT_THAT(store_->Read("Boom", "b"), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(store_->AuditTreeSize(), 0u);
  Reopen(kek_);
  EXPECT_THAT(store_->WriteHealth(), IsOk());
  EXPECT_THAT(store_->Read("Boom", "b"), StatusIs(StatusCode::kNotFound));
  EXPECT_EQ(store_->AuditTreeSize(), 0u);
}

TEST_P(PgStoreTest, MasterKeyRotationRewrapsEveryKey) {
  ASSERT_THAT(PutJson("Patient", "p1", "x", "p1"), IsOk());
  store_.reset();
  crypto::AeadKey new_kek = crypto::AeadKey::Generate(core::Random::Secure());
  ASSERT_THAT(RewrapDataKeys({.path = url(), .kek = &kek_}, new_kek, env_), IsOk());
  Reopen(new_kek);
  EXPECT_EQ(store_->Read("Patient", "p1")->json, R"({"v":1,"p":"x"})");
}

TEST_P(PgStoreTest, AFailedBodyTakesItsLeafWithIt) {
  ASSERT_THAT(store_->Write([](Transaction& tx) { return tx.AppendAudit("{\"a\":1}").status(); }),
              IsOk());
  EXPECT_THAT(store_->Write([](Transaction& tx) -> core::Status {
    MAMORI_RETURN_IF_ERROR(tx.AppendAudit("{\"a\":2}").status());
    return core::AbortedError("the change failed");
  }),
              StatusIs(StatusCode::kAborted));
  ASSERT_THAT(store_->Write([](Transaction& tx) { return tx.AppendAudit("{\"a\":3}").status(); }),
              IsOk());
  ASSERT_EQ(store_->AuditTreeSize(), 2u);
  auto leaves = store_->AuditLeaves(0, 2);
  ASSERT_THAT(leaves, IsOk());
  EXPECT_EQ(store_->OpenAuditLeaf((*leaves)[1]).value_or(""), "{\"a\":3}");
}

// Reads the whole log key-less (as `mamori audit verify` does) and checks
// every index is present once, in order, and the newest head covers it all.
void ExpectOneLog(const std::string& url, const Store& verifier, uint64_t expected) {
  ledger::CompactRange range;
  int64_t next = 0;
  std::vector<std::string> heads;
  ASSERT_THAT(ReadAuditLog(
                  url,
                  [&](const AuditRow& row) {
                    EXPECT_EQ(row.index, next++);
                    range.Append(ledger::HashLeaf(crypto::AsBytes(row.leaf)));
                    return core::Status::Ok();
                  },
                  &heads),
              IsOk());
  EXPECT_EQ(range.size(), expected);
  ASSERT_FALSE(heads.empty());
  auto head = ledger::SignedTreeHead::Parse(crypto::AsBytes(heads.back()));
  ASSERT_THAT(head, IsOk());
  EXPECT_THAT(head->Verify(verifier.AuditPublicKey()), IsOk());
  EXPECT_EQ(head->head().tree_size, expected);
  EXPECT_EQ(head->head().root_hash, range.Root());
}

// Issue 10: two nodes on one database, each taking writes concurrently:
// every version and every leaf present once, no update lost under If-Match.
TEST_P(PgStoreTest, TwoNodesOnOneDatabaseLoseNoUpdateAndKeepOneLedger) {
  auto second = factory_->Open(kek_);
  ASSERT_THAT(second, IsOk());
  std::vector<Store*> nodes{store_.get(), second->get()};
  ASSERT_THAT(PutJson("Basic", "counter", "0"), IsOk());
  constexpr int kThreadsPerNode = 4, kIncrements = 25;
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (Store* node : nodes) {
    for (int t = 0; t < kThreadsPerNode; ++t) {
      threads.emplace_back([&, node] {
        for (int done = 0; done < kIncrements;) {
          auto seen = node->Read("Basic", "counter");
          ASSERT_THAT(seen, IsOk());
          core::Status s = node->Write([&](Transaction& tx) -> core::Status {
            MAMORI_ASSIGN_OR_RETURN(auto current, tx.ReadCurrent("Basic", "counter"));
            if (!current || current->version != seen->version) {
              return core::AbortedError("If-Match failed");
            }
            MAMORI_RETURN_IF_ERROR(tx.AppendAudit("{\"update\":1}").status());
            return tx
                .Put(
                    {.type = "Basic",
                     .id = "counter",
                     .render = [](int64_t v, auto) { return "{\"v\":" + std::to_string(v) + "}"; }})
                .status();
          });
          if (s.ok()) {
            ++done;
          } else {
            ASSERT_THAT(s, StatusIs(StatusCode::kAborted));
            ++conflicts;
          }
        }
      });
    }
  }
  for (auto& t : threads) t.join();
  const int total = 2 * kThreadsPerNode * kIncrements;
  auto last = store_->Read("Basic", "counter");
  ASSERT_THAT(last, IsOk());
  EXPECT_EQ(last->version, total + 1);  // every successful update is one version
  auto history = store_->History({.type = "Basic", .id = "counter", .limit = 1000});
  ASSERT_THAT(history, IsOk());
  EXPECT_EQ(history->total, total + 1);
  ASSERT_THAT(nodes[1]->IssueTreeHead(), IsOk());
  ExpectOneLog(url(), *store_, total);
  std::printf("two nodes: %d updates, %d If-Match conflicts retried\n", total, conflicts.load());
}

// Tree heads come from one node at a time (advisory lock); when it stops,
// the other takes over and its heads cover leaves both wrote.
TEST_P(PgStoreTest, TreeHeadIssuingHandsOverWhenTheIssuerStops) {
  store_.reset();
  auto open = [&] {
    return OpenStore({.path = url(), .kek = &kek_, .tree_head_interval_ms = 50}, env_);
  };
  auto first = open();
  ASSERT_THAT(first, IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // first takes the lock
  auto second = open();
  ASSERT_THAT(second, IsOk());
  auto append = [](Store& s) {
    return s.Write([](Transaction& tx) { return tx.AppendAudit("{\"x\":1}").status(); });
  };
  auto heads_at = [&](Store& s, uint64_t size) {
    for (int i = 0; i < 100; ++i) {
      auto heads = s.TreeHeads();
      if (heads.ok() && !heads->empty()) {
        auto h = ledger::SignedTreeHead::Parse(crypto::AsBytes(heads->back()));
        if (h.ok() && h->head().tree_size == size) return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  };
  ASSERT_THAT(append(**second), IsOk());
  ASSERT_THAT(append(**first), IsOk());
  EXPECT_TRUE(heads_at(**second, 2)) << "the issuer signs leaves of both nodes";
  first->reset();  // the issuer stops: its lock is released
  ASSERT_THAT(append(**second), IsOk());
  EXPECT_TRUE(heads_at(**second, 3)) << "the remaining node took over";
  auto heads = (*second)->TreeHeads();
  ASSERT_THAT(heads, IsOk());
  for (const std::string& h : *heads) {
    EXPECT_THAT(ledger::OpenSignedTreeHead(crypto::AsBytes(h), (*second)->AuditPublicKey()),
                IsOk());
  }
}

}  // namespace
}  // namespace mamori::store::testing
