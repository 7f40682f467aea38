package caseworkweb

import "github.com/qingdan/qingdan/internal/web/page"

// messages are the case pages' words, zh and en.
var messages = page.Messages("caseworkweb")
