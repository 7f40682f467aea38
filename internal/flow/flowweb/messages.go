package flowweb

import "github.com/qingdan/qingdan/internal/web/page"

// messages are the flow pages' words, zh and en.
var messages = page.Messages("flowweb")
