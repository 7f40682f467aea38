package catweb

import "github.com/qingdan/qingdan/internal/web/page"

// messages are the catalogue pages' words, key → {Chinese, English}. The
// navigation labels (nav.catalog…) are also the web shell's, which renders
// the menu; here they title the pages.
var messages = page.Messages("catweb")

// The roles a step of the draft form may name.
