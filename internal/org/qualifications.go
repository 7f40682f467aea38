package org

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/access"
	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/store"
)

// QualificationInput adds or edits a law-enforcement certificate. Dates are
// "YYYY-MM-DD" (other common spellings are accepted and normalised).
type QualificationInput struct {
	StaffID   int64
	CertNo    string
	Scope     string
	ValidFrom string
	ValidTo   string
}

func (in *QualificationInput) validate() error {
	in.CertNo = strings.TrimSpace(in.CertNo)
	in.Scope = strings.Join(splitScope(in.Scope), ",")
	var errs apperr.List
	if in.CertNo == "" {
		errs = append(errs, apperr.Invalidf("cert_no", "org.required"))
	} else if !certNoRe.MatchString(in.CertNo) {
		errs = append(errs, apperr.Invalidf("cert_no", "org.certificate_number_must_be_4_32", clip(in.CertNo)))
	}
	if in.Scope == "" {
		errs = append(errs, apperr.Invalidf("scope", "org.required"))
	} else if len([]rune(in.Scope)) > 200 {
		errs = append(errs, apperr.Invalidf("scope", "org.scope_too_long_at_most_200"))
	}
	var ok bool
	if in.ValidFrom, ok = parseDate(in.ValidFrom); !ok {
		errs = append(errs, apperr.Invalidf("valid_from", "org.not_a_valid_yyyy_mm_dd"))
	}
	if in.ValidTo, ok = parseDate(in.ValidTo); !ok {
		errs = append(errs, apperr.Invalidf("valid_to", "org.not_a_valid_yyyy_mm_dd"))
	}
	if len(errs) == 0 && in.ValidTo < in.ValidFrom {
		errs = append(errs, apperr.Invalidf("valid_to", "org.valid_to_is_before_valid_from_2"))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

func certTaken(ctx context.Context, q querier, certNo string, except int64) error {
	var id int64
	err := q.QueryRow(ctx, `SELECT id FROM staff_qualifications WHERE cert_no = ?`, certNo).Scan(&id)
	if err == nil && id != except {
		e := apperr.Conflictf("org.certificate_is_already_registered", certNo)
		e.Field = "cert_no"
		return e
	}
	if err != nil && !isNoRows(err) {
		return err
	}
	return nil
}

// AddQualification registers a certificate for an active staff member.
func (s *Service) AddQualification(ctx context.Context, p access.Principal, in QualificationInput) (Qualification, error) {
	if err := in.validate(); err != nil {
		return Qualification{}, err
	}
	var out Qualification
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		st, err := staffForAdmin(ctx, tx, p, in.StaffID)
		if err != nil {
			return err
		}
		if !st.Active {
			return apperr.Conflictf("org.is_deactivated", st.Name)
		}
		q, err := insertQual(ctx, tx, p, st, in, s.now())
		out = q
		return err
	})
	return out, err
}

func insertQual(ctx context.Context, tx *store.Tx, p access.Principal, st Staff, in QualificationInput, now time.Time) (Qualification, error) {
	if err := certTaken(ctx, tx, in.CertNo, 0); err != nil {
		return Qualification{}, err
	}
	now = now.UTC()
	q := roundQual(Qualification{StaffID: st.ID, CertNo: in.CertNo, Scope: in.Scope, ValidFrom: in.ValidFrom,
		ValidTo: in.ValidTo, Active: true, CreatedAt: now, UpdatedAt: now})
	e, err := event(p, "org.qualification.added", st.BodyID, "", "active", nil)
	if err != nil {
		return Qualification{}, err
	}
	r := qualState(q)
	if err := quals.Insert(ctx, tx, &r, e); err != nil {
		return Qualification{}, uniqueConflict(err, certNoUnique.field, certNoUnique.key)
	}
	q.ID, q.Version = r.ID, r.Version
	return q, nil
}

// UpdateQualification corrects a certificate's number, scope or dates, as
// read at version (see UpdateBody). StaffID in the input is ignored: a
// certificate stays with its holder.
func (s *Service) UpdateQualification(ctx context.Context, p access.Principal, id, version int64, in QualificationInput) (Qualification, error) {
	if err := in.validate(); err != nil {
		return Qualification{}, err
	}
	var out Qualification
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		q, st, err := qualForAdmin(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkEditBase("qualification", q.CertNo, version, q.Version); err != nil {
			return err
		}
		if err := certTaken(ctx, tx, in.CertNo, id); err != nil {
			return err
		}
		before := q
		q.CertNo, q.Scope, q.ValidFrom, q.ValidTo, q.UpdatedAt = in.CertNo, in.Scope, in.ValidFrom, in.ValidTo, s.now().UTC()
		q = roundQual(q)
		e, err := event(p, "org.qualification.updated", st.BodyID, "", "", changes(qualState(before), qualState(q)))
		if err := saveQual(ctx, tx, &q, e, err, certNoUnique); err != nil {
			return err
		}
		out = q
		return nil
	})
	return out, err
}

// RevokeQualification marks a certificate inactive; it stays on record.
// version is the version the caller saw (0: not checked).
func (s *Service) RevokeQualification(ctx context.Context, p access.Principal, id, version int64) (Qualification, error) {
	var out Qualification
	err := s.db.Write(ctx, func(tx *store.Tx) error {
		q, st, err := qualForAdmin(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := checkBase("qualification", q.CertNo, version, q.Version); err != nil {
			return err
		}
		out = q
		if !q.Active {
			return nil
		}
		q.Active, q.UpdatedAt = false, s.now().UTC()
		q = roundQual(q)
		e, err := event(p, "org.qualification.revoked", st.BodyID, "active", "inactive", nil)
		if err := saveQual(ctx, tx, &q, e, err, nil); err != nil {
			return err
		}
		out = q
		return nil
	})
	return out, err
}

// qualForAdmin locks a certificate a write is about to change, with its
// holder, and checks p manages staff in their body.
func qualForAdmin(ctx context.Context, tx *store.Tx, p access.Principal, id int64) (Qualification, Staff, error) {
	x, err := lockQual(ctx, tx, id)
	if err != nil {
		return Qualification{}, Staff{}, err
	}
	st, err := staffForAdmin(ctx, tx, p, x.StaffID)
	return x, st, err
}

func roundQual(q Qualification) Qualification {
	q.CreatedAt, q.UpdatedAt = store.FromMicros(store.Micros(q.CreatedAt)), store.FromMicros(store.Micros(q.UpdatedAt))
	return q
}

// Qualification reads one certificate within p's jurisdiction.
func (s *Service) Qualification(ctx context.Context, p access.Principal, id int64) (Qualification, error) {
	q, err := getQual(ctx, s.db, id)
	if err != nil {
		return Qualification{}, err
	}
	if _, err := s.Staff(ctx, p, q.StaffID); err != nil {
		return Qualification{}, err
	}
	return q, nil
}

// Qualifications lists a staff member's certificates, newest first.
func (s *Service) Qualifications(ctx context.Context, p access.Principal, staffID int64) ([]Qualification, error) {
	if _, err := s.Staff(ctx, p, staffID); err != nil {
		return nil, err
	}
	return collect(ctx, s.db, scanQual, `SELECT `+qualCols+` FROM staff_qualifications q WHERE q.staff_id = ? ORDER BY q.valid_to DESC, q.id DESC`, staffID)
}

// ValidOn reports whether the staff member holds an active certificate whose
// scope includes scope and whose validity covers day (a calendar day: its
// year, month and day are read in day's own location, so pass it in the
// body's time zone). An inactive staff member holds none. Later checks
// (investigators of an enforcement case) call it; it needs no principal.
func (s *Service) ValidOn(ctx context.Context, staffID int64, day time.Time, scope string) (bool, error) {
	scope = strings.TrimSpace(scope)
	if scope == "" {
		return false, apperr.Invalidf("scope", "org.required")
	}
	d := day.Format("2006-01-02")
	scopes, err := collect(ctx, s.db, func(sc scanner) (string, error) {
		var v string
		return v, sc.Scan(&v)
	}, `SELECT q.scope FROM staff_qualifications q JOIN staff s ON s.id = q.staff_id
		WHERE q.staff_id = ? AND q.active = TRUE AND s.active = TRUE AND q.valid_from <= ? AND q.valid_to >= ?`, staffID, d, d)
	if err != nil {
		return false, err
	}
	for _, sc := range scopes {
		if slices.Contains(splitScope(sc), scope) {
			return true, nil
		}
	}
	return false, nil
}
