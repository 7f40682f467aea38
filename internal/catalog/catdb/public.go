package catdb

import (
	"github.com/qingdan/qingdan/internal/ident"
)

// The public forms of what the catalogue's public reads return (L7, O4):
// every free-text field passes through ident.MaskText, codes and hashes
// (tagged mask:"keep") stay exact. Public pages and the public JSON API
// show these; staff pages show what was entered.

// Public returns v with its content masked (catalog.ItemVersion.Public).
func (v Version) Public() Version {
	v.ItemVersion = v.ItemVersion.Public()
	return v
}

// Public returns d with the item's texts and every version masked.
func (d ItemDetail) Public() ItemDetail {
	ident.MaskFields(&d.Item) // a copy: Item holds no slice or pointer
	d.Current = d.Current.Public()
	hist := make([]Version, len(d.History))
	for i, v := range d.History {
		hist[i] = v.Public()
	}
	d.History = hist
	return d
}

// Public returns a with the item's name and the reasons masked.
func (a StandingAnswer) Public() StandingAnswer {
	ident.MaskFields(&a) // a copy: StandingAnswer holds no slice or pointer
	return a
}
