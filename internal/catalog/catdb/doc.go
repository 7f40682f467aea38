// Package catdb stores the power & responsibility list and runs its
// procedures over the store's write path (issue #4; DOMAIN.md C3–C9): items
// per body, their published versions, adjustments with their trace,
// derived-list review tasks and the reform office's review groups. The rules
// themselves live in the pure package catalog; this package persists what
// they decide, one audited event per change (docs/ARCHITECTURE.md).
//
// Decisions worth knowing:
//
//   - Only published versions are rows of catalog_versions; a draft lives in
//     its adjustment (catalog.Change.Draft) until the adjustment is
//     published. A version row's content is the canonical JSON of the
//     version (catalog.CanonicalJSON) and is never updated; only status and
//     valid_to change when a later version supersedes it (C9).
//   - Publishing a version emits catalog.version.published whose Payload holds
//     the canonical content and its hash, so the audit log's inclusion proof
//     of that event proves the version unchanged (Proof).
//   - The upper list a body derives from (C5) is its parent body's. The
//     district at the top has no upper list; its adjustments are reviewed by
//     its own reform office (catalog.Actor's doc).
//   - A draft records (in its Version) the item version it was written
//     against; publishing it after another adjustment republished the item
//     is refused, since it would silently undo that change. The reform
//     office returns it (also possible once approved) for revision.
//   - The reform office's two review groups are a catalogue concern, so their
//     membership is kept here (catalog_reform_members), not in org.
//   - Search indexing belongs to the portal package; it is called through the
//     Indexer hook inside the publication transaction so that catdb does not
//     import the packages that import it.
//
// Wiring (cmd/qingdan): newCatalogue in demo.go builds the service with the
// stored calendars (caldb) and the search hook (catsearch.Hook). serve gives
// it to catweb.Routes (the staff pages under /catalog, the API under
// /api/v1/catalog/…); on first start it calls LoadDemo after org.LoadDemo.
package catdb
