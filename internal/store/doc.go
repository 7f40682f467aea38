// Operating notes for package store.
//
// Tables (migrations/{sqlite,postgres}/0001_store.sql, 0002): events (the history and the audit
// log's leaves: seq = leaf index, leaf_hash = RFC 6962 leaf hash of
// audit.Leaf's canonical encoding), audit_nodes (every internal node of a
// perfect subtree, level ≥ 1, keyed by (last_leaf, level) so that a group's
// new nodes append at the end of the key), audit_head (size, root, compact frontier; one
// row) and audit_checkpoints (signed tree heads). Events are found by object
// (index events_object) and by root (events_root, migration 0005).
// consumer_positions (0004) and leases (0006) are bookkeeping of consumers
// and periodic jobs, not audited.
//
// A group commit, inside one transaction: the fns in arrival order; then the
// group's events are numbered and hashed into the tree, and events, nodes
// and the new head are written. SQLite: BEGIN IMMEDIATE, fns, read the head,
// multi-row INSERTs, head UPDATE, COMMIT. PostgreSQL (pgwrite.go): BEGIN,
// the statements fns queued with Tx.Queue/QueueExpect, the append
// (multi-row INSERT … VALUES of events and nodes in chunks of ≤ 32 rows; the
// head update fails unless the row has the cached head's size) and COMMIT go
// as one pipeline: one round trip per group, plus one per
// immediate statement (Tx.Exec, Query, QueryRow) and one to read and lock
// the head when it is not cached (first group, or another instance sharing
// the database appended).
//
// Queue or Exec: Queue (QueueExpect with a row count) when fn needs nothing
// from the statement but its success — the write fails with the statement's
// error and fn never sees it; Exec/QueryRow when fn uses the result. On
// SQLite both run at once, so behaviour is the same on both engines.
//
// Signing key: Options.DataDir/audit-ed25519.key, created 0600 on first start.
// Instances sharing one PostgreSQL database must share the file; a lost key
// means later checkpoints cannot be linked to earlier ones by signature (the
// consistency proofs still link the trees).
//
// Backups: SQLite with DB.Backup (VACUUM INTO, a consistent copy of a live
// database); PostgreSQL with pg_dump (see ErrBackupPostgres). A restored
// database verifies with DB.Verify like the original.
//
// Throughput: DB.Stats counts groups and writes; writes per group near 1
// under load means callers are not concurrent enough to share an fsync.

package store
