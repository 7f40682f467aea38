package orgweb

import (
	"github.com/qingdan/qingdan/internal/web/page"
)

// messages are the pages' words in the catalogue (internal/msg:
// orgweb.<key>).
var messages = page.Messages("orgweb")
