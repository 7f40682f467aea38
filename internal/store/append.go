package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/qingdan/qingdan/internal/audit"
)

// eventCols is the column list of events, in the order rows are bound.
const eventCols = "seq, at, actor, body_id, action, object_type, object_id, from_state, to_state, payload, state, leaf_hash"

// PostgreSQL: the events, the nodes and the head go in one statement, one
// round trip, whatever the group size; unnest keeps the statement text fixed
// so pgx prepares it once per connection.
const pgAppend = `WITH e AS (
  INSERT INTO events (` + eventCols + `)
  SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::bigint[], $5::text[], $6::text[],
                       $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bytea[])
), n AS (
  INSERT INTO audit_nodes (level, idx, hash)
  SELECT * FROM unnest($13::int[], $14::bigint[], $15::bytea[])
)
UPDATE audit_head SET size = $16, root = $17, frontier = $18 WHERE id = 1`

// SQLite multi-row INSERT chunk sizes: 12 and 3 parameters a row stay far
// below SQLite's 32766 variable limit.
const (
	sqliteEventChunk = 256
	sqliteNodeChunk  = 1024
)

type node struct {
	id   audit.NodeID
	hash [32]byte
}

// appendEvents runs at the end of a group, inside its transaction: it reads
// and locks the tree head, numbers the group's events, hashes them into the
// tree and writes events, new nodes and the new head.
func (db *DB) appendEvents(ctx context.Context, tx *Tx) error {
	q := "SELECT size, frontier FROM audit_head WHERE id = 1"
	if db.dialect == Postgres {
		// Several instances may share the database: the row lock makes their
		// groups take turns here, so sequence numbers form one total order.
		q += " FOR UPDATE"
	}
	var size int64
	var frontierBytes []byte
	if err := tx.QueryRow(ctx, q).Scan(&size, &frontierBytes); err != nil {
		return fmt.Errorf("store: read tree head: %w", err)
	}
	frontier, err := audit.DecodeFrontier(uint64(size), frontierBytes)
	if err != nil {
		return fmt.Errorf("store: tree head: %w", err)
	}
	tree, err := audit.NewTree(uint64(size), frontier)
	if err != nil {
		return err
	}
	leaves := make([][32]byte, len(tx.events))
	nodes := make([]node, 0, len(tx.events)+8)
	for i := range tx.events {
		e := &tx.events[i]
		e.Seq = size + int64(i)
		leaves[i] = e.leaf().Hash()
		if err := tree.Append(leaves[i], func(id audit.NodeID, h [32]byte) {
			nodes = append(nodes, node{id, h})
		}); err != nil {
			return fmt.Errorf("store: append leaf %d: %w", e.Seq, err)
		}
	}
	root := tree.Root()
	front := audit.EncodeFrontier(tree.Frontier())
	if db.dialect == Postgres {
		return db.pgAppend(ctx, tx, leaves, nodes, int64(tree.Size()), root, front)
	}
	return db.sqliteAppend(ctx, tx, leaves, nodes, int64(tree.Size()), root, front)
}

func (db *DB) pgAppend(ctx context.Context, tx *Tx, leaves [][32]byte, nodes []node, size int64, root [32]byte, front []byte) error {
	n := len(tx.events)
	seq, at, body := make([]int64, n), make([]int64, n), make([]int64, n)
	actor, action, otype, oid := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	from, to, payload, state := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	lh := make([][]byte, n)
	for i := range tx.events {
		e := &tx.events[i]
		seq[i], at[i], body[i] = e.Seq, Micros(e.At), e.BodyID
		actor[i], action[i], otype[i], oid[i] = e.Actor, e.Action, e.ObjectType, e.ObjectID
		from[i], to[i], payload[i], state[i] = e.From, e.To, string(e.Payload), string(e.State)
		lh[i] = leaves[i][:]
	}
	lv, idx, nh := make([]int32, len(nodes)), make([]int64, len(nodes)), make([][]byte, len(nodes))
	for i := range nodes {
		lv[i], idx[i], nh[i] = int32(nodes[i].id.Level), int64(nodes[i].id.Index), nodes[i].hash[:]
	}
	res, err := tx.tx.ExecContext(ctx, pgAppend, seq, at, actor, body, action, otype, oid, from, to, payload, state, lh,
		lv, idx, nh, size, root[:], front)
	if err != nil {
		return fmt.Errorf("store: append events: %w", err)
	}
	if k, err := res.RowsAffected(); err != nil || k != 1 {
		return fmt.Errorf("store: tree head not updated (%d rows, %v)", k, err)
	}
	return nil
}

func (db *DB) sqliteAppend(ctx context.Context, tx *Tx, leaves [][32]byte, nodes []node, size int64, root [32]byte, front []byte) error {
	for start := 0; start < len(tx.events); start += sqliteEventChunk {
		end := min(start+sqliteEventChunk, len(tx.events))
		args := make([]any, 0, 12*(end-start))
		for i := start; i < end; i++ {
			e := &tx.events[i]
			args = append(args, e.Seq, Micros(e.At), e.Actor, e.BodyID, e.Action, e.ObjectType, e.ObjectID,
				e.From, e.To, string(e.Payload), string(e.State), leaves[i][:])
		}
		if _, err := tx.Exec(ctx, multiRowInsert("events", eventCols, 12, end-start), args...); err != nil {
			return fmt.Errorf("store: append events: %w", err)
		}
	}
	for start := 0; start < len(nodes); start += sqliteNodeChunk {
		end := min(start+sqliteNodeChunk, len(nodes))
		args := make([]any, 0, 3*(end-start))
		for _, nd := range nodes[start:end] {
			args = append(args, int64(nd.id.Level), int64(nd.id.Index), nd.hash[:])
		}
		if _, err := tx.Exec(ctx, multiRowInsert("audit_nodes", "level, idx, hash", 3, end-start), args...); err != nil {
			return fmt.Errorf("store: append nodes: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, "UPDATE audit_head SET size = ?, root = ?, frontier = ? WHERE id = 1", size, root[:], front); err != nil {
		return fmt.Errorf("store: update tree head: %w", err)
	}
	return nil
}

// multiRowInsert builds INSERT INTO table (cols) VALUES (?,…),(?,…)… for n
// rows. Texts for small n repeat across groups and hit the statement cache.
func multiRowInsert(table, cols string, ncols, n int) string {
	row := "(" + strings.Repeat("?,", ncols-1) + "?)"
	var b strings.Builder
	b.Grow(len(table) + len(cols) + 32 + n*(len(row)+1))
	b.WriteString("INSERT INTO ")
	b.WriteString(table)
	b.WriteString(" (")
	b.WriteString(cols)
	b.WriteString(") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	return b.String()
}
