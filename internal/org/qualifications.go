package org

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/auth"
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
func (s *Service) AddQualification(ctx context.Context, p auth.Principal, in QualificationInput) (Qualification, error) {
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

func insertQual(ctx context.Context, tx *store.Tx, p auth.Principal, st Staff, in QualificationInput, now time.Time) (Qualification, error) {
	if err := certTaken(ctx, tx, in.CertNo, 0); err != nil {
		return Qualification{}, err
	}
	now = now.UTC()
	q := roundQual(Qualification{StaffID: st.ID, CertNo: in.CertNo, Scope: in.Scope, ValidFrom: in.ValidFrom,
		ValidTo: in.ValidTo, Active: true, Version: 1, CreatedAt: now, UpdatedAt: now})
	if err := tx.QueryRow(ctx, `INSERT INTO staff_qualifications (staff_id, cert_no, scope, valid_from, valid_to, active, version, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, TRUE, 1, ?, ?) RETURNING id`, q.StaffID, q.CertNo, q.Scope, q.ValidFrom, q.ValidTo,
		store.Micros(q.CreatedAt), store.Micros(q.UpdatedAt)).Scan(&q.ID); err != nil {
		return Qualification{}, uniqueConflict(err, "cert_no", "org.the_certificate_number_is_already_registered")
	}
	return q, emit(tx, p, "org.qualification.added", "qualification", q.ID, st.BodyID, "", "active", nil, qualState(q))
}

// UpdateQualification corrects a certificate's number, scope or dates, as
// read at version (see UpdateBody). StaffID in the input is ignored: a
// certificate stays with its holder.
func (s *Service) UpdateQualification(ctx context.Context, p auth.Principal, id, version int64, in QualificationInput) (Qualification, error) {
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
		if err := saveUnique(ctx, tx, "staff_qualifications", id, q.Version, stale("qualification", before.CertNo), "cert_no", "org.the_certificate_number_is_already_registered", `cert_no = ?, scope = ?, valid_from = ?, valid_to = ?, updated_at = ?`, q.CertNo, q.Scope, q.ValidFrom, q.ValidTo, store.Micros(q.UpdatedAt)); err != nil {
			return err
		}
		q.Version++
		out = q
		return emit(tx, p, "org.qualification.updated", "qualification", id, st.BodyID, "", "", changes(qualState(before), qualState(q)), qualState(q))
	})
	return out, err
}

// RevokeQualification marks a certificate inactive; it stays on record.
// version is the version the caller saw (0: not checked).
func (s *Service) RevokeQualification(ctx context.Context, p auth.Principal, id, version int64) (Qualification, error) {
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
		save(ctx, tx, "staff_qualifications", id, q.Version, stale("qualification", q.CertNo), `active = FALSE, updated_at = ?`, store.Micros(q.UpdatedAt))
		q.Version++
		out = q
		return emit(tx, p, "org.qualification.revoked", "qualification", id, st.BodyID, "active", "inactive", nil, qualState(q))
	})
	return out, err
}

func qualForAdmin(ctx context.Context, q querier, p auth.Principal, id int64) (Qualification, Staff, error) {
	x, err := getQual(ctx, q, id)
	if err != nil {
		return Qualification{}, Staff{}, err
	}
	st, err := staffForAdmin(ctx, q, p, x.StaffID)
	return x, st, err
}

func roundQual(q Qualification) Qualification {
	q.CreatedAt, q.UpdatedAt = store.FromMicros(store.Micros(q.CreatedAt)), store.FromMicros(store.Micros(q.UpdatedAt))
	return q
}

// Qualification reads one certificate within p's jurisdiction.
func (s *Service) Qualification(ctx context.Context, p auth.Principal, id int64) (Qualification, error) {
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
func (s *Service) Qualifications(ctx context.Context, p auth.Principal, staffID int64) ([]Qualification, error) {
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
