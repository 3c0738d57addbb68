#pragma once
// The event log's SQLite schema as an ordered list of versioned migrations.
// `ApplyMigrations` brings a database up to the newest version, one
// transaction per migration, and records each in `schema_version`. Append new
// migrations at the end; never edit one that has shipped. Internal to
// service/store.

#include <cstdint>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

#include "service/store/sqlite_db.h"

namespace vouchstream::store {

struct Migration {
  int64_t version;
  absl::string_view description;
  absl::string_view sql;
};

// All migrations, in version order (1, 2, ...).
const std::vector<Migration>& Migrations();

// Applies the migrations `db` lacks, recording `now` as their time. Fails with
// kFailedPrecondition when the file's schema is newer than this binary's.
// Call on the writer connection before any other use.
absl::Status ApplyMigrations(Database& db, absl::Time now);

}  // namespace vouchstream::store
