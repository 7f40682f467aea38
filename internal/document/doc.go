// Package document turns what a case transition issues (casework.Document)
// into the papers people receive (issue #15 item 1–3, H3, H4, H5, H7, H8,
// L2–L4, L7; docs/DOCUMENTS.md): templates administrators can edit, checked
// field by field; the document number's format and the correction rule; the
// approval seal drawn from the body's name; an A4 HTML page with a print
// stylesheet and a PDF written here in pure Go with an embedded Chinese
// font; a QR code to the case's public page. It keeps no state: storage
// numbers, stores and registers what it renders (a test asserts no
// database driver is reachable).
package document
