package documentweb

import "github.com/qingdan/qingdan/internal/web/page"

// messages are the pages' words, key → {Chinese, English}.
var messages = page.Messages("documentweb")
