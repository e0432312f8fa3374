// Package store keeps what alertbot must remember across restarts: the items
// sources yielded (with a full-text index for lookups), each source's polling
// state, the alerts raised (flood summaries among them), which chats each
// alert was delivered to, the chats' subscriptions and paused chats, and
// their digests: schedules, the last time queued, and each run's period and
// the parts sent (digests.go). River's
// job tables live in the same database, so an alert and its delivery jobs are
// committed in one transaction.
//
// # Databases
//
// Open takes "sqlite:PATH" (modernc.org/sqlite, pure Go, one file in WAL
// mode) or "postgres://…" (pgx through database/sql). One Store type serves
// both; what differs (placeholders, full-text search, time columns, locks)
// is in one dialect value (dialect.go), and each dialect has its numbered
// migrations in migrations/<dialect>/NNNN_name.sql, embedded in the binary,
// applied in order by Open and recorded in schema_migrations. To change the
// schema, add the next number to both folders; never edit an applied file.
//
// # Protocol
//
//   - Every method takes ctx first, blocks until done and is safe to call
//     from several goroutines. A cancelled ctx ends it with ctx's error.
//   - Errors read "store: save items: …" and wrap the cause (%w).
//     ErrNotFound: a row asked for by key is not there. ErrAlertExists: the
//     item has already raised an alert for that rule (or has a flood
//     summary: FloodSummaryRule).
//   - Times come back in UTC, to the microsecond.
//   - SaveItems is the dedup gate of the pipeline: it returns only the items
//     never seen (see its doc for the rules). Callers match and alert on
//     those alone.
//   - Alerts are written with InsertAlertTx inside WithTx (or BeginTx), next
//     to the River jobs that deliver them: client.InsertTx(ctx, tx, …). On
//     SQLite the transaction holds the only writer connection: inside it use
//     tx alone, never s.DB(), a writing Store method or a River call without
//     Tx, which would wait for the transaction to end, forever.
//   - A delivery job sends an alert to a chat at most once: it asks
//     Delivered first and, once the platform has accepted the message,
//     records it with MarkDelivered (idempotent).
//
// # River
//
// DB returns the pool to give River: on SQLite riversqlite.New(st.DB()),
// with rivermigrate run on the same driver at start-up (river_sqlite_test.go
// shows it working: transactional insert, retries, snooze, unique jobs and
// the rescue of a job whose process was killed). On PostgreSQL, sharing a
// *sql.Tx with River needs River's database/sql driver (riverdatabasesql);
// riverpgxv5 would need a pgx.Tx instead. QueueDepth counts River's jobs
// waiting or running for /metrics, and 0 before River's tables exist.
package store
