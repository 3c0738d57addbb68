#include "service/store/schema.h"

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

#include "service/store/sqlite_db.h"

namespace vouchstream::store {

const std::vector<Migration>& Migrations() {
  // `seq` is AUTOINCREMENT so that SQLite keeps the highest seq ever used in
  // `sqlite_sequence`: after retention empties the table, numbering still
  // continues instead of starting again at 1. `received_at` is in unix
  // microseconds. `payload` is the serialized vouchstream.v1.Event (with
  // `seq` and the history facts set); the other columns are index keys.
  static const auto* const kMigrations = new std::vector<Migration>{
      {1, "events, quarantine and subscriber cursors", R"sql(
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  envelope_id TEXT,
  type TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  campaign_id TEXT,
  customer_id TEXT,
  payload BLOB NOT NULL
);
CREATE UNIQUE INDEX events_by_envelope_id ON events (envelope_id)
  WHERE envelope_id IS NOT NULL;
CREATE INDEX events_by_customer_type ON events (customer_id, type)
  WHERE customer_id IS NOT NULL;
CREATE INDEX events_by_received_at ON events (received_at);
CREATE TABLE quarantine (
  quarantine_id INTEGER PRIMARY KEY AUTOINCREMENT,
  quarantined_at INTEGER NOT NULL,
  reprocessed_seq INTEGER NOT NULL DEFAULT 0,
  entry BLOB NOT NULL
);
CREATE TABLE cursors (
  name TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
)sql"},
      {2, "index events by campaign for filtered listing", R"sql(
CREATE INDEX events_by_campaign ON events (campaign_id, seq)
  WHERE campaign_id IS NOT NULL;
)sql"},
      // History facts come from a running count per (customer, type), bumped
      // in the append's own transaction: O(1) per append, where counting the
      // events table grew with the customer's history. It also counts events
      // that retention has since deleted: "publications before" means ever.
      {3, "per-customer event counters for history facts", R"sql(
CREATE TABLE customer_history (
  customer_id TEXT NOT NULL,
  type TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (customer_id, type)
) WITHOUT ROWID;
INSERT INTO customer_history (customer_id, type, count)
  SELECT customer_id, type, COUNT(*) FROM events
  WHERE customer_id IS NOT NULL GROUP BY customer_id, type;
DROP INDEX events_by_customer_type;
)sql"},
      // Identity is (type, id) (issue 20): `id` is no longer unique alone,
      // and `id_rule` (vouchstream.v1.IdRule) says how each id was made,
      // 0 for the rows stored before, which keep their ids. SQLite cannot
      // drop a column's UNIQUE, so the table is rebuilt; `sqlite_sequence`
      // carries the highest seq ever used across (retention may have emptied
      // the table). One index on (id, type) serves dedup and GetById; the
      // single writer keeps (type, id) unique, content-hash ids aside.
      {4, "event identity is (type, id), with the rule that made the id",
       R"sql(
CREATE TABLE events_v4 (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL,
  id_rule INTEGER NOT NULL DEFAULT 0,
  envelope_id TEXT,
  type TEXT NOT NULL,
  received_at INTEGER NOT NULL,
  campaign_id TEXT,
  customer_id TEXT,
  payload BLOB NOT NULL
);
INSERT INTO events_v4 (seq, id, id_rule, envelope_id, type, received_at,
                       campaign_id, customer_id, payload)
  SELECT seq, id, 0, envelope_id, type, received_at, campaign_id,
         customer_id, payload FROM events ORDER BY seq;
DELETE FROM sqlite_sequence WHERE name = 'events_v4';
INSERT INTO sqlite_sequence (name, seq)
  SELECT 'events_v4', seq FROM sqlite_sequence WHERE name = 'events';
DROP TABLE events;
ALTER TABLE events_v4 RENAME TO events;
CREATE INDEX events_by_id ON events (id, type, received_at);
CREATE UNIQUE INDEX events_by_envelope_id ON events (envelope_id)
  WHERE envelope_id IS NOT NULL;
CREATE INDEX events_by_received_at ON events (received_at);
CREATE INDEX events_by_campaign ON events (campaign_id, seq)
  WHERE campaign_id IS NOT NULL;
)sql"},
  };
  return *kMigrations;
}

absl::Status ApplyMigrations(Database& db, absl::Time now) {
  absl::Status status = db.Exec(
      "CREATE TABLE IF NOT EXISTS schema_version ("
      " version INTEGER PRIMARY KEY,"
      " description TEXT NOT NULL,"
      " applied_at INTEGER NOT NULL)");
  if (!status.ok()) {
    return status;
  }
  absl::StatusOr<int64_t> current =
      db.QueryInt64("SELECT MAX(version) FROM schema_version", 0);
  if (!current.ok()) {
    return current.status();
  }
  const std::vector<Migration>& migrations = Migrations();
  const int64_t newest = migrations.back().version;
  if (*current > newest) {
    return absl::FailedPreconditionError(absl::StrCat(
        "event log schema version ", *current, " is newer than this binary's (",
        newest, "); upgrade vouchstream"));
  }
  for (const Migration& migration : migrations) {
    if (migration.version <= *current) {
      continue;
    }
    status = db.Exec("BEGIN IMMEDIATE");
    if (!status.ok()) {
      return status;
    }
    status = db.Exec(migration.sql);
    if (status.ok()) {
      absl::StatusOr<Statement> record = db.Prepare(
          "INSERT INTO schema_version (version, description, applied_at)"
          " VALUES (?, ?, ?)");
      if (record.ok()) {
        record->BindInt64(1, migration.version);
        record->BindText(2, migration.description);
        record->BindInt64(3, absl::ToUnixMicros(now));
        status = record->Run();
      } else {
        status = record.status();
      }
    }
    if (status.ok()) {
      status = db.Exec("COMMIT");
    }
    if (!status.ok()) {
      if (db.InTransaction()) {
        db.Exec("ROLLBACK").IgnoreError();
      }
      return {status.code(),
              absl::StrCat("schema migration ", migration.version, ": ",
                           status.message())};
    }
  }
  return absl::OkStatus();
}

}  // namespace vouchstream::store
