package authweb

import (
	"github.com/qingdan/qingdan/internal/web/page"
)

// messages are the pages' words in the catalogue (internal/msg:
// authweb.<key>).
var messages = page.Messages("authweb")
