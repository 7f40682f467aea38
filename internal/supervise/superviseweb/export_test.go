package superviseweb

import (
	"fmt"
	"net/http/httptest"

	"github.com/qingdan/qingdan/internal/apperr"
)

func fmtFilter(query string) string {
	return fmt.Sprint(filter(httptest.NewRequest("GET", "/supervision/cards?"+query, nil)))
}

func fieldOf(err error) string {
	if e := apperr.As(err); e != nil {
		return e.Field
	}
	return ""
}

func apperrText(err error) string {
	if e := apperr.As(err); e != nil {
		return e.Message("zh")
	}
	return ""
}
