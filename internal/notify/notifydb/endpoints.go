package notifydb

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/notify"
	"github.com/qingdan/qingdan/internal/org"
	"github.com/qingdan/qingdan/internal/store"
)

// endpoint is a row of notify_endpoints: a system that receives webhooks.
type endpoint struct {
	ID, Version int64
	Name, URL   string
	Secret      string
	Active      bool
	CreatedAt   int64 // unix µs
	UpdatedAt   int64
}

// endpointState is what the audit log records of an endpoint: its secret
// only as a digest, so the log (readable by the audit administrator)
// never holds it, yet verify notices a secret changed behind its back.
type endpointState struct {
	ID           int64  `json:"id"`
	Version      int64  `json:"version"`
	Name         string `json:"name"`
	URL          string `json:"url"`
	SecretSHA256 string `json:"secret_sha256"`
	Active       bool   `json:"active"`
	CreatedAt    int64  `json:"created_at"`
	UpdatedAt    int64  `json:"updated_at"`
}

var endpoints = store.Declare(store.Aggregate[endpoint]{
	Table: "notify_endpoints", ObjectType: "notify_endpoint",
	Columns: []string{"name", "url", "secret", "active", "created_at", "updated_at"},
	Fields: func(e *endpoint) []any {
		return []any{&e.ID, &e.Version, &e.Name, &e.URL, &e.Secret, &e.Active, &e.CreatedAt, &e.UpdatedAt}
	},
	State: func(e *endpoint) any {
		sum := sha256.Sum256([]byte(e.Secret))
		return endpointState{ID: e.ID, Version: e.Version, Name: e.Name, URL: e.URL, SecretSHA256: hex.EncodeToString(sum[:]),
			Active: e.Active, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	},
})

// Endpoint is a webhook endpoint as administrators see it: never its
// secret, which is shown once, when it is made.
type Endpoint struct {
	ID        int64
	Version   int64
	Name      string
	URL       string
	Active    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

func (e *endpoint) view() Endpoint {
	return Endpoint{ID: e.ID, Version: e.Version, Name: e.Name, URL: e.URL, Active: e.Active,
		CreatedAt: store.FromMicros(e.CreatedAt), UpdatedAt: store.FromMicros(e.UpdatedAt)}
}

// endpointNamed is the endpoint a webhook names, for the deliverer: an
// unknown or switched-off endpoint fails the message permanently.
func endpointNamed(ctx context.Context, q store.Querier, name string) (notify.Endpoint, error) {
	var ep notify.Endpoint
	var active bool
	err := q.QueryRow(ctx, `SELECT name, url, secret, active FROM notify_endpoints WHERE name = ?`, name).Scan(&ep.Name, &ep.URL, &ep.Secret, &active)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return ep, notify.Permanent(fmt.Errorf("no webhook endpoint is named %q", name))
	case err != nil:
		return ep, fmt.Errorf("notifydb: endpoint %q: %w", name, err)
	case !active:
		return ep, notify.Permanent(fmt.Errorf("the webhook endpoint %q is switched off", name))
	}
	return ep, nil
}

// mayManageEndpoints: endpoints, and their secrets, are the root body's
// administrator's (they serve every body).
func (s *Service) mayManageEndpoints(ctx context.Context, p access.Principal) error {
	if !p.Has(access.RoleAdmin) {
		return notify.ErrEndpointsRootOnly()
	}
	top, err := org.TopPath(ctx, s.db)
	if err != nil {
		return err
	}
	if !p.Covers(top) {
		return notify.ErrEndpointsRootOnly()
	}
	return nil
}

// Endpoints lists every endpoint, by name.
func (s *Service) Endpoints(ctx context.Context, p access.Principal) ([]Endpoint, error) {
	if err := s.mayManageEndpoints(ctx, p); err != nil {
		return nil, err
	}
	rows, err := collect(ctx, s.db, func(row interface{ Scan(...any) error }) (endpoint, error) {
		var e endpoint
		return e, row.Scan(endpoints.Fields(&e)...)
	}, `SELECT id, version, name, url, secret, active, created_at, updated_at FROM notify_endpoints ORDER BY name`)
	if err != nil {
		return nil, err
	}
	out := make([]Endpoint, len(rows))
	for i := range rows {
		out[i] = rows[i].view()
	}
	return out, nil
}

// Endpoint is one endpoint, by id.
func (s *Service) Endpoint(ctx context.Context, p access.Principal, id int64) (Endpoint, error) {
	if err := s.mayManageEndpoints(ctx, p); err != nil {
		return Endpoint{}, err
	}
	e, err := endpoints.Get(ctx, s.db, id)
	if apperr.CodeOf(err) == apperr.NotFound {
		return Endpoint{}, notify.ErrNoEndpoint(id)
	}
	if err != nil {
		return Endpoint{}, err
	}
	return e.view(), nil
}

// newSecret is a webhook secret: 256 random bits, hex.
func newSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("notifydb: secret: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// CreateEndpoint registers a receiving system; the secret it returns is
// shown this once (the receiver keeps it to Verify its webhooks).
func (s *Service) CreateEndpoint(ctx context.Context, p access.Principal, name, url string) (Endpoint, string, error) {
	name, url = strings.TrimSpace(name), strings.TrimSpace(url)
	if err := s.mayManageEndpoints(ctx, p); err != nil {
		return Endpoint{}, "", err
	}
	if err := notify.CheckEndpointName("name", name); err != nil {
		return Endpoint{}, "", err
	}
	if err := notify.CheckEndpointURL(url); err != nil {
		return Endpoint{}, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return Endpoint{}, "", err
	}
	now := store.Micros(s.now())
	var e endpoint
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		e = endpoint{Name: name, URL: url, Secret: secret, Active: true, CreatedAt: now, UpdatedAt: now}
		err := endpoints.Insert(ctx, tx, &e, store.Event{Actor: p.Login, BodyID: p.BodyID, Action: "notify.endpoint.created"})
		if store.IsUniqueViolation(err) {
			return notify.ErrEndpointTaken(name)
		}
		return err
	})
	if err != nil {
		return Endpoint{}, "", err
	}
	return e.view(), secret, nil
}

// EndpointEdit is what an administrator changes of an endpoint, and the
// version of it the edit was based on (concurrent edits, H1).
type EndpointEdit struct {
	Version int64
	URL     string
	Active  bool
}

// UpdateEndpoint changes an endpoint's URL and whether it is active.
func (s *Service) UpdateEndpoint(ctx context.Context, p access.Principal, id int64, in EndpointEdit) (Endpoint, error) {
	in.URL = strings.TrimSpace(in.URL)
	if err := s.mayManageEndpoints(ctx, p); err != nil {
		return Endpoint{}, err
	}
	if err := notify.CheckEndpointURL(in.URL); err != nil {
		return Endpoint{}, err
	}
	if in.Version <= 0 {
		return Endpoint{}, apperr.VersionMissing()
	}
	e, err := s.changeEndpoint(ctx, p, id, in.Version, "notify.endpoint.updated", func(e *endpoint) { e.URL, e.Active = in.URL, in.Active })
	return e.view(), err
}

// RotateSecret gives an endpoint a new secret, shown this once; webhooks
// signed from now on use it.
func (s *Service) RotateSecret(ctx context.Context, p access.Principal, id int64) (Endpoint, string, error) {
	if err := s.mayManageEndpoints(ctx, p); err != nil {
		return Endpoint{}, "", err
	}
	secret, err := newSecret()
	if err != nil {
		return Endpoint{}, "", err
	}
	e, err := s.changeEndpoint(ctx, p, id, 0, "notify.endpoint.secret_rotated", func(e *endpoint) { e.Secret = secret })
	if err != nil {
		return Endpoint{}, "", err
	}
	return e.view(), secret, nil
}

// changeEndpoint applies change to the endpoint in one audited write.
// changeEndpoint changes an endpoint under its row lock; a base version
// other than 0 must still be the stored one (a secret's rotation is not an
// edit of values anyone read, so it names none).
func (s *Service) changeEndpoint(ctx context.Context, p access.Principal, id, base int64, action string, change func(*endpoint)) (endpoint, error) {
	now := store.Micros(s.now())
	var e endpoint
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		if e, err = endpoints.Lock(ctx, tx, id); err != nil {
			if apperr.CodeOf(err) == apperr.NotFound {
				return notify.ErrNoEndpoint(id)
			}
			return err
		}
		if base != 0 && base != e.Version {
			return apperr.Stale("notifydb.webhook_endpoint", e.Name)
		}
		change(&e)
		e.UpdatedAt = now
		return endpoints.Save(ctx, tx, &e, store.Event{Actor: p.Login, BodyID: p.BodyID, Action: action})
	})
	return e, err
}
