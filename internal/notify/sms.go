package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"text/template"
	"time"
)

// ParseMobile accepts a mainland mobile number — 11 digits, 1 then 3–9 —
// written with an optional +86 or 86 prefix and blanks or hyphens between
// groups, and returns its 11 digits.
func ParseMobile(s string) (string, error) {
	d := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' {
			return -1
		}
		return r
	}, strings.TrimSpace(s))
	d = strings.TrimPrefix(d, "+86")
	if len(d) == 13 && strings.HasPrefix(d, "86") {
		d = d[2:]
	}
	ok := len(d) == 11 && d[0] == '1' && d[1] >= '3' && d[1] <= '9'
	for i := 0; ok && i < len(d); i++ {
		ok = d[i] >= '0' && d[i] <= '9'
	}
	if !ok {
		return "", invalid("recipient", "recipient.mobile", s)
	}
	return d, nil
}

// SMSGateway sends SMS through an HTTP gateway: a request to URL with
// Method, Header and a body rendered from Body (Go text/template over
// {{.phone}}, {{.text}} and {{.id}}; {{json .text}} writes a JSON string,
// {{urlquery .text}} a form value). A 2xx answer is success, unless
// OKField is set: then the answer must be JSON whose field OKField (dots
// for nesting: "result.code") equals OKValue.
type SMSGateway struct {
	URL     string
	Method  string // default POST
	Header  http.Header
	Body    *template.Template
	OKField string
	OKValue string
	// Timeout bounds one attempt (default DefaultHTTPTimeout).
	Timeout time.Duration
	// Client sends the requests (nil: one that follows no redirect).
	Client *http.Client
}

// DefaultSMSTemplate is a JSON body most gateways can be adapted to.
const DefaultSMSTemplate = `{"phone":{{json .phone}},"text":{{json .text}},"id":{{json .id}}}`

// smsSample is the text of the sample a template is tried on.
const smsSample = "测试"

// ParseSMSTemplate parses a gateway's body template.
func ParseSMSTemplate(text string) (*template.Template, error) {
	t, err := template.New("sms").Option("missingkey=error").Funcs(template.FuncMap{
		"json": func(s string) (string, error) {
			b, err := json.Marshal(s)
			return string(b), err
		},
	}).Parse(text)
	if err != nil {
		return nil, invalid("sms_template", "sms.template", err)
	}
	// Rendering a sample finds a field the data does not have.
	if err := t.Execute(new(bytes.Buffer), smsData("13800000000", smsSample, "id")); err != nil {
		return nil, invalid("sms_template", "sms.template", err)
	}
	return t, nil
}

// ParseSMSHeader reads "Name: value".
func ParseSMSHeader(line string) (name, value string, err error) {
	name, value, ok := strings.Cut(line, ":")
	name, value = strings.TrimSpace(name), strings.TrimSpace(value)
	if !ok || name == "" || strings.ContainsAny(name, " \t\r\n") || strings.ContainsAny(value, "\r\n") {
		return "", "", invalid("sms_header", "sms.header", line)
	}
	return name, value, nil
}

// ParseSMSCheck reads the optional success check "field=value".
func ParseSMSCheck(s string) (field, value string, err error) {
	if s == "" {
		return "", "", nil
	}
	field, value, ok := strings.Cut(s, "=")
	if !ok || strings.TrimSpace(field) == "" {
		return "", "", invalid("sms_ok", "sms.ok", s)
	}
	return strings.TrimSpace(field), strings.TrimSpace(value), nil
}

// Check refuses a gateway that cannot work.
func (g *SMSGateway) Check() error {
	if err := checkHTTPURL(g.URL); err != nil {
		return invalid("sms_url", "sms.url", g.URL)
	}
	switch g.method() {
	case http.MethodGet, http.MethodPost, http.MethodPut:
	default:
		return invalid("sms_method", "sms.method", g.Method)
	}
	if g.Body == nil {
		return invalid("sms_template", "sms.template", "none")
	}
	return nil
}

func (g *SMSGateway) method() string {
	if g.Method == "" {
		return http.MethodPost
	}
	return strings.ToUpper(g.Method)
}

func smsData(phone, text, id string) map[string]string {
	return map[string]string{"phone": phone, "text": text, "id": id}
}

// Send asks the gateway to send d.
func (g *SMSGateway) Send(ctx context.Context, d Delivery) error {
	var body bytes.Buffer
	if err := g.Body.Execute(&body, smsData(d.Recipient, d.Body, d.ID)); err != nil {
		return Permanent(fmt.Errorf("SMS body template: %w", err))
	}
	ctx, cancel := attempt(ctx, g.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, g.method(), g.URL, &body)
	if err != nil {
		return Permanent(fmt.Errorf("SMS gateway: %w", err))
	}
	for k, vs := range g.Header {
		req.Header[k] = vs
	}
	if req.Header.Get("Content-Type") == "" && body.Len() > 0 {
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
	}
	if g.OKField == "" {
		return roundTrip(g.Client, req, "SMS gateway", nil)
	}
	return roundTrip(g.Client, req, "SMS gateway", func(answer io.Reader) error {
		var v any
		if err := json.NewDecoder(io.LimitReader(answer, 64<<10)).Decode(&v); err != nil {
			return fmt.Errorf("the answer is not JSON: %w", err)
		}
		if got, ok := jsonField(v, g.OKField); !ok || got != g.OKValue {
			return fmt.Errorf("%s is %q, want %q", g.OKField, got, g.OKValue)
		}
		return nil
	})
}

// jsonField finds the dotted path in a decoded JSON value and returns it
// as text: a string as is, anything else as its JSON.
func jsonField(v any, path string) (string, bool) {
	for _, k := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return "", false
		}
		if v, ok = m[k]; !ok {
			return "", false
		}
	}
	if s, ok := v.(string); ok {
		return s, true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}
