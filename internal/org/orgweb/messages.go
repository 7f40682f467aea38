package orgweb

import (
	"github.com/qingdan/qingdan/internal/web/page"
)

// messages are the pages' words, Chinese and English (a test checks every
// key used by a template is here).
var messages = page.Messages("orgweb")

// Field labels: a refused form names the field with its message
// ("名称：必填"), through page.Kit's fieldMessage.
