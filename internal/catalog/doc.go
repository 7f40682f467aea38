// Package catalog is the power & responsibility list (权责清单): items and
// their versions, validation, derived lists, online stars, adjustments and
// the standing of an item at an instant (DOMAIN.md C1–C11). Everything here
// is pure — no database, no clock, no calendar — so storage, web and API
// adapters call it and it calls none of them.
//
// Map of the package:
//
//	category.go    C1   the eleven categories with national type codes (01–10, 20)
//	item.go        C2   Item and ItemVersion: every guide element, national names in comments
//	validate.go    C2   ItemVersion.Validate → apperr.List with JSON field paths
//	limit.go       L11  AtMostAsLong: is one time limit provably no longer than another
//	stars.go       C11  Stars from the online capabilities; visits consistent with stars
//	derived.go     C5   CheckDerived(upper, lower), Derive
//	standing.go    C4   StandingAt (the one check case handling calls), Publish (C9)
//	hash.go        C9   canonical JSON and SHA-256 content hash
//	adjustment.go  C3   Adjustment, Transition (who may take which step), ApplyAdjustment (C7)
//	deadline.go    C6   ReviewsDue (5 working days, calendar passed in), C8 publication deadlines
//	guide.go       C10  the public guide built from a version
//	demo.go             the embedded demo list of 青山区 (demo/*.json), replayed on load
//
// Decisions worth knowing:
//
//   - A version is never edited once published. Suspension, re-enabling and
//     cancellation publish new versions (status suspended / published /
//     cancelled) carrying the content forward; only the lifecycle fields of
//     an old version change (status published → superseded, valid_to), and
//     those are outside the content hash. StandingAt therefore answers for
//     any past instant from the versions alone.
//   - The version in force at t is the newest one published by t whose
//     validity began by t: a back-dated later publication cannot change what
//     the list said at t.
//   - The unit head is a unit_staff or list_liaison with Actor.Head set (no
//     new role). The reform office (改革办) is the general_office of the
//     adjustment's upper body, with membership of the power-list and/or
//     responsibility-list group in Actor.Groups; both groups must confirm.
//   - Lower-level "tightening" (C5) is read in the citizen's favour: shorter
//     promised and step limits, fewer visits, more stars, never a new or
//     higher fee; the statutory limit is copied unchanged.
package catalog
