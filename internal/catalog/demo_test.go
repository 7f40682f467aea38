package catalog

import (
	"errors"
	"testing"

	"github.com/qingdan/qingdan/internal/apperr"
)

func TestDemo_loads(t *testing.T) {
	d, err := LoadDemo()
	var l apperr.List
	if errors.As(err, &l) {
		for _, e := range l {
			t.Error(e)
		}
	}
	if err != nil {
		t.Fatal(err)
	}
	_ = d
}
