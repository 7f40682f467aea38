package casework

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/qingdan/qingdan/internal/apperr"
	"github.com/qingdan/qingdan/internal/calendar"
	"github.com/qingdan/qingdan/internal/flow"
	"github.com/qingdan/qingdan/internal/ident"
)

// application checks an application and fills the new case from it.
func (t *transition) application(app Application) error {
	f := t.f
	if f.Kind != flow.Application {
		return errFlowKind(f.Code)
	}
	code, year, _, err := ParseNumber("number", app.Number)
	if err != nil {
		return err
	}
	if code != app.Body.Code || year != t.today.Year() {
		return errNumberBody(app.Number, app.Body.Code, t.today.Year())
	}
	if !isHash(app.QueryCodeHash) {
		return errQueryHash()
	}
	if app.Body.Path == "" {
		return errBody("body")
	}
	if err := checkItem(app.Item); err != nil {
		return err
	}
	if t.env.Standing != Listed {
		return errNotListed(app.Item.Name, t.env.Standing)
	}
	online := t.env.Actor.IsApplicant()
	if online && app.Item.Stars < t.rules.OnlineStars {
		return errOnlineStars(app.Item.Stars, t.rules.OnlineStars)
	}
	applicant, minor, err := checkApplicant(app.Applicant, t)
	if err != nil {
		return err
	}
	received, err := knownMaterials("materials", app.Materials, app.Item, nil)
	if err != nil {
		return err
	}
	delivery := app.Delivery
	if delivery == "" {
		delivery = PickUp
	}
	if !slices.Contains(deliveries, delivery) {
		return errDelivery("delivery", delivery)
	}
	joint := slices.ContainsFunc(f.Steps, func(s flow.Step) bool { return s.Level == flow.Parent })
	if joint && (app.Parent == nil || app.Parent.Path == "") {
		return errBody("parent")
	}
	spec, err := t.clockSpec(app.Item, joint)
	if err != nil {
		return err
	}
	channel := AtWindow
	if online {
		channel = Online
	}
	t.c = Case{
		Number: app.Number, QueryCodeHash: app.QueryCodeHash,
		Item: app.Item, Flow: FlowRef{Code: f.Code, Version: f.Version, Hash: f.Hash()},
		Body: app.Body, Parent: app.Parent, Unit: app.Item.Unit,
		Applicant: applicant, Minor: minor, Secret: app.Secret, Privacy: app.Privacy,
		Channel: channel, Received: received, ClockSpec: spec, Flags: []Flag{}, Delivery: delivery,
	}
	return nil
}

func isHash(s string) bool {
	if len(s) != 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}

// checkItem refuses an item snapshot that cannot carry a case.
func checkItem(it Item) error {
	switch {
	case strings.TrimSpace(it.Code) == "" || strings.TrimSpace(it.Name) == "":
		return errItem("item", "")
	case it.Kind != Instant && it.Kind != Promised:
		return errItem("item.kind", string(it.Kind))
	case it.Statutory.N < 0 || it.Statutory.N > 0 && !it.Statutory.Unit.Valid():
		return errItem("item.statutory", it.Statutory.String())
	case it.Promised.N < 0 || it.Promised.N > 0 && !it.Promised.Unit.Valid():
		return errItem("item.promised", it.Promised.String())
	}
	return nil
}

// checkApplicant validates the applicant (V1 for a person, V2 for an
// organisation) and says whether a person is a minor at the time of
// application (L7: not disclosed).
func checkApplicant(a Applicant, t *transition) (Applicant, bool, error) {
	a.Name = strings.TrimSpace(a.Name)
	a.Phone, a.Address, a.Email = strings.TrimSpace(a.Phone), strings.TrimSpace(a.Address), strings.TrimSpace(a.Email)
	if a.Name == "" {
		return a, false, errApplicantName()
	}
	if a.Email != "" {
		if addr, err := mail.ParseAddress(a.Email); err != nil || addr.Address != a.Email || len(a.Email) > 254 {
			return a, false, apperr.Invalidf("applicant.email", "casework.the_email_address_is_not_valid", a.Email)
		}
	}
	switch a.Kind {
	case Person:
		id, err := ident.ParseResidentID("applicant.resident_id", a.ResidentID, t.now)
		if err != nil {
			return a, false, err
		}
		a.ResidentID, a.CreditCode = id.Number, ""
		return a, id.Minor(t.now), nil
	case Organisation:
		code, err := ident.ValidateCreditCode("applicant.credit_code", a.CreditCode)
		if err != nil {
			return a, false, err
		}
		a.CreditCode, a.ResidentID = code, ""
		return a, false, nil
	}
	return a, false, errApplicantKind(a.Kind)
}

// knownMaterials checks names against the item's materials list (and the
// entries of the open supplementation notice, extra), trimmed, each once.
func knownMaterials(field string, names []string, it Item, extra []string) ([]string, error) {
	var out []string
	for i, n := range names {
		n = strings.TrimSpace(n)
		known := slices.ContainsFunc(it.Materials, func(m Material) bool { return m.Name == n }) || slices.Contains(extra, n)
		if !known {
			return nil, errUnknownMaterial(fmt.Sprintf("%s[%d]", field, i), n)
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out, nil
}

// clockSpec is the case clock's rule (H2, L3, L10): the limit in force — the
// promised one, else the statutory one, else (an instant item, 当场办结)
// the limit of the step acceptance leads to (the shipped instant flow: 2
// working hours) — with the extension ceiling of L3 (a joint flow's
// larger one) in its units.
func (t *transition) clockSpec(it Item, joint bool) (calendar.Spec, error) {
	limit := it.Promised
	if limit.N == 0 {
		limit = it.Statutory
	}
	if limit.N == 0 {
		for _, a := range t.f.Actions {
			if s, ok := t.f.Step(a.To); ok && a.Clock == flow.ClockStart && s.Limit.N > 0 {
				limit = s.Limit
				break
			}
		}
	}
	if limit.N == 0 {
		return calendar.Spec{}, errNoLimit(it.Name)
	}
	ext := t.rules.MaxExtension
	if joint {
		ext = t.rules.JointMaxExtension
	}
	spec := calendar.Spec{Statutory: limit, MaxExtension: ext, Supplement: calendar.Restart, DueSoonUnits: t.rules.DueSoonUnits}
	return spec, spec.Validate()
}
