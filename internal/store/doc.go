// Operating notes for package store.
//
// Tables (migrations/{sqlite,postgres}/0001_store.sql): events (the history and the audit
// log's leaves: seq = leaf index, leaf_hash = RFC 6962 leaf hash of
// audit.Leaf's canonical encoding), audit_nodes (every internal node of a
// perfect subtree, level ≥ 1), audit_head (size, root, compact frontier; one
// row) and audit_checkpoints (signed tree heads).
//
// A group commit, inside one transaction: BEGIN (IMMEDIATE on SQLite); the
// fns in arrival order; read the head (FOR UPDATE on PostgreSQL); number and
// hash the group's events; insert events and nodes with multi-row INSERTs
// (PostgreSQL: one statement with unnest arrays, which also updates the head);
// update the head; COMMIT; answer every caller. On PostgreSQL that is
// 4 round trips per group plus the fns' own statements.
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
