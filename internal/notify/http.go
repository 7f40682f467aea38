package notify

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// DefaultHTTPTimeout bounds one attempt of a webhook or an SMS.
const DefaultHTTPTimeout = 10 * time.Second

// attempt bounds one attempt of an HTTP channel: timeout, or
// DefaultHTTPTimeout when it is not positive.
func attempt(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout <= 0 {
		timeout = DefaultHTTPTimeout
	}
	return context.WithTimeout(ctx, timeout)
}

// noRedirects follows no redirect, so a message never reaches a host the
// operator or administrator did not name.
var noRedirects = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// roundTrip sends req with client (nil: noRedirects) and refuses an answer
// other than 2xx, quoting its start for whoever reads the dead letter;
// check, when set, judges a 2xx answer's body. what names the receiver in
// errors.
func roundTrip(client *http.Client, req *http.Request, what string, check func(answer io.Reader) error) error {
	if client == nil {
		client = noRedirects
	}
	res, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	defer res.Body.Close()
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("%s answered %s: %s", what, res.Status, excerpt(res.Body))
	}
	if check == nil {
		return nil
	}
	if err := check(res.Body); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// excerpt is the start of an answer's body.
func excerpt(r io.Reader) string {
	b, err := io.ReadAll(io.LimitReader(r, 300))
	if err != nil {
		return fmt.Sprintf("(the answer could not be read: %v)", err)
	}
	return strings.ToValidUTF8(strings.TrimSpace(string(b)), "?")
}
