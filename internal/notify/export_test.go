package notify

import "github.com/qingdan/qingdan/internal/msg"

// WordsForTest is the package's part of the catalogue.
func WordsForTest() msg.Catalogue { return words }
