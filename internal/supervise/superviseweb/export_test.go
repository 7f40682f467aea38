package superviseweb

import (
	"fmt"
	"net/http/httptest"
)

func fmtFilter(query string) string {
	return fmt.Sprint(filter(httptest.NewRequest("GET", "/supervision/cards?"+query, nil)))
}
