// Package casework is the pure core of case handling (办件, issue #14): the
// case model, its transitions under the rules of DOMAIN.md (H1–H7, H9,
// H12, H13, C4, L1–L4, L7, L10, L11, V1–V3, O1), the exchange record a case
// carries and what the public sees of it. It holds no database, no
// accounts and no pages: roles are plain strings (as in package flow), the
// actor is this package's own small struct, and the caller supplies the
// instant, the body's calendar, the flow version the case runs on and the
// item's standing at that instant (Env).
//
// A case moves only through Open (the start action, apply) and Act (every
// other action; DeemAccept for L2's deemed acceptance, which the periodic
// job runs). Each returns the new case and its Effects: the Event to record
// on the case's timeline, the clock events, the documents to issue, the
// notifications to send and the flags raised. The storage layer carries
// them out in the same write as the case row, checking Case.Version
// (optimistic concurrency) and bumping it; casework never changes Version.
//
// Everything derived — due dates, remaining and overdue time, the exchange
// record, the public view — is computed from the case and its events at
// read time against the body's current calendar (Deadlines, BuildRecord,
// Public), so a corrected calendar corrects every open case.
//
// Messages shown to people are in messages.go, in one place.
package casework
