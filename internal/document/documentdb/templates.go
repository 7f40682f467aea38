package documentdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/casework"
	"github.com/qingdan/qingdan/internal/document"
	"github.com/qingdan/qingdan/internal/store"
)

// TemplateLang is the language documents are issued in, and so the one
// whose templates administrators edit.
const TemplateLang = "zh"

// TemplateInfo is the template version a body's documents of one kind are
// issued with now.
type TemplateInfo struct {
	Spec      document.Spec
	ID        int64 // the version; 0: the shipped one, not yet used
	Edited    bool  // the body's own edit, not the shipped template
	Source    string
	CreatedBy string
	CreatedAt time.Time
}

// Templates lists, for every kind, the template version documents of p's
// body are issued with now. Only the body's administrators (the system
// duty) read and edit them.
func (s *Service) Templates(ctx context.Context, p access.Principal) ([]TemplateInfo, error) {
	if !canEditTemplates(p) {
		return nil, errAdminOnly()
	}
	out := make([]TemplateInfo, 0, len(document.Specs))
	for _, spec := range document.Specs {
		t, err := s.currentInfo(ctx, s.db, p.BodyID, spec)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// TemplateOf is the template version documents of kind issued by p's body
// use now.
func (s *Service) TemplateOf(ctx context.Context, p access.Principal, kind casework.DocumentKind) (TemplateInfo, error) {
	if !canEditTemplates(p) {
		return TemplateInfo{}, errAdminOnly()
	}
	spec, err := document.SpecOf("kind", kind)
	if err != nil {
		return TemplateInfo{}, err
	}
	return s.currentInfo(ctx, s.db, p.BodyID, spec)
}

func (s *Service) currentInfo(ctx context.Context, q store.Querier, bodyID int64, spec document.Spec) (TemplateInfo, error) {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM document_templates WHERE body_id IN (0, ?) AND kind = ? AND lang = ?
		ORDER BY body_id DESC, id DESC LIMIT 1`, bodyID, string(spec.Kind), TemplateLang).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		t, err := document.Default(spec.Kind, TemplateLang)
		if err != nil {
			return TemplateInfo{}, err
		}
		return TemplateInfo{Spec: spec, Source: t.Source}, nil
	}
	if err != nil {
		return TemplateInfo{}, fmt.Errorf("documentdb: template %s: %w", spec.Kind, err)
	}
	r, err := templates.Get(ctx, q, id)
	if err != nil {
		return TemplateInfo{}, err
	}
	return TemplateInfo{Spec: spec, ID: r.ID, Edited: r.BodyID != 0, Source: r.Source, CreatedBy: r.CreatedBy,
		CreatedAt: store.FromMicros(r.CreatedAt)}, nil
}

// SaveTemplate saves source as the new version of kind's template for p's
// body, based on version base (the form's; a version saved meanwhile is a
// conflict): documents issued from then on use it, those issued before
// keep theirs. A bad template is refused naming each mistake's line, and
// nothing is saved. Saving is an audited event.
func (s *Service) SaveTemplate(ctx context.Context, p access.Principal, kind casework.DocumentKind, base int64, source string) (TemplateInfo, error) {
	if !canEditTemplates(p) {
		return TemplateInfo{}, errAdminOnly()
	}
	spec, err := document.SpecOf("kind", kind)
	if err != nil {
		return TemplateInfo{}, err
	}
	t, err := document.ParseTemplate(kind, TemplateLang, source)
	if err != nil {
		return TemplateInfo{}, err
	}
	var out TemplateInfo
	err = s.db.Write(ctx, func(tx *store.Tx) error {
		cur, err := s.currentInfo(ctx, tx, p.BodyID, spec)
		if err != nil {
			return err
		}
		if cur.ID != base {
			return apperr.New(apperr.Conflict, apperr.FieldVersion, "documentdb.this_template_was_changed_by_someone")
		}
		r := templateRow{BodyID: p.BodyID, Kind: string(kind), Lang: TemplateLang, Source: t.Source, Hash: hashOf(t.Source),
			CreatedBy: p.Login, CreatedAt: store.Micros(s.now())}
		if err := templates.Insert(ctx, tx, &r, store.Event{Actor: p.Login, Action: "document.template.saved", BodyID: p.BodyID,
			To: string(kind)}); err != nil {
			return err
		}
		out = TemplateInfo{Spec: spec, ID: r.ID, Edited: true, Source: r.Source, CreatedBy: r.CreatedBy, CreatedAt: store.FromMicros(r.CreatedAt)}
		return nil
	})
	if err != nil {
		return TemplateInfo{}, err
	}
	s.mu.Lock()
	s.parsed[out.ID] = t
	s.mu.Unlock()
	return out, nil
}

func canEditTemplates(p access.Principal) bool {
	return p.BodyID != 0 && p.Has(access.RoleAdmin) && p.Can(access.DutySystem)
}

func errAdminOnly() error {
	return apperr.Forbiddenf("documentdb.only_the_body_s_system_administrator")
}
