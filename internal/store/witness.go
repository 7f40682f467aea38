package store

import (
	"context"
	"fmt"

	"github.com/qingdan/qingdan/internal/audit"
)

// CheckWitness checks the log against cp, a signed checkpoint that a witness
// kept outside this database (saved with `qingdan checkpoint`, or the note
// of /api/v1/audit/checkpoint): cp must be signed with this log's key, and
// the log now must be a consistent extension of it (a consistency proof
// from cp's size to the head). So a database restored to an earlier state,
// even one consistent in itself, is caught. It returns "" when the log
// extends cp, otherwise what is wrong, in Chinese and English; an error
// means the check could not run.
func (db *DB) CheckWitness(ctx context.Context, cp audit.Checkpoint) (string, error) {
	if db.key == nil {
		return "", errNoKey
	}
	if err := cp.Verify(db.PublicKey()); err != nil {
		return fmt.Sprintf("见证的检查点（大小 %d）不是本日志的密钥签发的 / the witness's checkpoint (size %d) is not signed with this log's key",
			cp.Size, cp.Size), nil
	}
	head, err := db.Head(ctx)
	if err != nil {
		return "", err
	}
	if cp.Size > head.Size {
		return fmt.Sprintf("数据库已回退：见证于 %s 保存的检查点记录了 %d 个事件，当前日志只有 %d 个 / "+
			"the database was rolled back: the witness's checkpoint of %s saw %d events, the log now has %d",
			cp.At.Format("2006-01-02 15:04:05Z"), cp.Size, head.Size, cp.At.Format("2006-01-02 15:04:05Z"), cp.Size, head.Size), nil
	}
	proof, err := db.ConsistencyProof(ctx, cp.Size, head.Size)
	if err != nil {
		return "", err
	}
	if err := audit.VerifyConsistency(cp.Size, head.Size, proof, cp.Root, head.Root); err != nil {
		return fmt.Sprintf("日志不是见证检查点（大小 %d）的延续：其前 %d 个事件已被改写，或数据库回退后又写入了新事件 / "+
			"the log does not extend the witness's checkpoint (size %d): its first %d events were rewritten, "+
			"or the database was rolled back and written anew", cp.Size, cp.Size, cp.Size, cp.Size), nil
	}
	return "", nil
}
