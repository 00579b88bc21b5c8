package server

import (
	"testing"

	"watchword/wasm/api"
)

func TestRegionRules(t *testing.T) {
	var r RegionRules
	o := r.Options()
	if n := len(o.Countries); n != 249 {
		t.Fatalf("%d countries; ISO 3166-1 has 249", n)
	}
	for _, f := range o.DateFormats {
		if _, err := r.Validate(api.Profile{Country: "DE", DateFormat: f.ID}); err != nil {
			t.Errorf("offered date format %q refused: %v", f.ID, err)
		}
	}
	for _, z := range o.TimeZones {
		if _, err := r.Validate(api.Profile{Country: "DE", TimeZone: z}); err != nil {
			t.Errorf("offered time zone %q refused: %v", z, err)
		}
	}
	if p, err := r.Validate(api.Profile{Country: " de ", DateFormat: "dd.mm.yyyy"}); err != nil || p.Country != "DE" || p.DateFormat != "DD.MM.YYYY" {
		t.Errorf("normalised %+v, %v", p, err)
	}
	if _, err := r.Validate(api.Profile{Country: "XX", TimeZone: "Mars/Olympus"}); err == nil || len(err.(*api.Error).Details) != 2 {
		t.Errorf("two bad fields: %v", err)
	}
	cases := []struct {
		name  string
		in    api.Profile
		field string // "" = valid
	}{
		{"valid", api.Profile{Country: "de", TimeZone: "Europe/Berlin", DateFormat: "dd.mm.yyyy"}, ""},
		{"country only", api.Profile{Country: "NZ"}, ""},
		{"any IANA zone", api.Profile{Country: "US", TimeZone: "America/Indiana/Knox"}, ""},
		{"no country", api.Profile{TimeZone: "UTC"}, "country"},
		{"unknown code", api.Profile{Country: "XX"}, "country"},
		{"continent", api.Profile{Country: "150"}, "country"},
		{"three letters", api.Profile{Country: "DEU"}, "country"},
		{"bad zone", api.Profile{Country: "DE", TimeZone: "Mars/Olympus"}, "time_zone"},
		{"local zone", api.Profile{Country: "DE", TimeZone: "Local"}, "time_zone"},
		{"path zone", api.Profile{Country: "DE", TimeZone: "../../etc/passwd"}, "time_zone"},
		{"bad format", api.Profile{Country: "DE", DateFormat: "%Y"}, "date_format"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.Validate(c.in)
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e, ok := err.(*api.Error)
			if !ok || e.Code != api.CodeInvalid || len(e.Details) != 1 || e.Details[0] != c.field {
				t.Fatalf("got %v, want invalid %s", err, c.field)
			}
		})
	}
}
