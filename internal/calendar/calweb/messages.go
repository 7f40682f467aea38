package calweb

import "github.com/qingdan/qingdan/internal/web/page"

// messages are the pages' words in the catalogue (internal/msg:
// calweb.<key>).
var messages = page.Messages("calweb")
