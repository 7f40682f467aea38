package supervise

import "github.com/qingdan/qingdan/internal/calendar"

// Complaints' and ratings' clocks (P4, P6, L8): their subjects are their
// clocks as caldb keeps them — the acceptance clock of a complaint (2
// working days, 3 for a service-centre complaint), its handling clock
// (15 working days or the tier's, with its one extension), and a bad
// rating's callback (15 working days, configurable). Their cards tell
// supervision and leaders, never the complained unit (O4): a complaint's
// cards name no unit.
const (
	ObjectComplaint ObjectType = "complaint" // a complaint, by number
	ObjectCallback  ObjectType = "callback"  // a bad rating's callback, by the rating's id

	WatchComplaintAcceptance Watch = "complaint_acceptance" // P4: a complaint not accepted or refused in time; own limit
	WatchComplaint           Watch = "complaint"            // P6: a complaint not answered in time; own limit
	WatchCallback            Watch = "callback"             // L8: a bad rating's callback not closed in time; own limit
)

// ComplaintSubject is the subject of complaint number's clock of kind
// ("acceptance" or "handling", complaintdb's) with its spec and events,
// at the body of bodyPath; false for a kind no rule watches.
func ComplaintSubject(number, kind string, spec calendar.Spec, events []calendar.Event, bodyPath string) (Subject, bool) {
	s := Subject{Object: Object{ObjectComplaint, number}, Spec: spec, Events: events, BodyPath: bodyPath}
	switch kind {
	case "acceptance":
		s.Watch = WatchComplaintAcceptance
	case "handling":
		s.Watch = WatchComplaint
	default:
		return Subject{}, false
	}
	return s, true
}

// CallbackSubject is the subject of the callback clock of rating id (the
// responsible unit calls back and rectifies within its limit, L8), whose
// case is caseNumber and whose responsible unit is unit.
func CallbackSubject(id, caseNumber, unit string, spec calendar.Spec, events []calendar.Event, bodyPath string) Subject {
	return Subject{Object: Object{ObjectCallback, id}, Watch: WatchCallback, Spec: spec, Events: events, BodyPath: bodyPath,
		Case: caseNumber, Unit: unit}
}
