package profile

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	// The tests must not depend on the host's zoneinfo; the server binary
	// imports this too.
	_ "time/tzdata"

	"watchword/wasm/api"
)

func TestCountryList(t *testing.T) {
	if len(byCode) != 249 || len(byName) != 249 {
		t.Fatalf("%d codes, %d names; ISO 3166-1 assigns 249", len(byCode), len(byName))
	}
	// The data file is sorted by code, one code per line.
	var codes []string
	for _, line := range strings.Split(countriesTSV, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		code, _, _ := strings.Cut(line, "\t")
		for _, c := range code {
			if c < 'A' || c > 'Z' {
				t.Errorf("code %q is not two upper-case letters", code)
			}
		}
		codes = append(codes, code)
	}
	if !slices.IsSorted(codes) {
		t.Error("countries.tsv is not sorted by code")
	}
	for code, want := range map[string]string{
		"DE": "Germany", "AX": "Åland Islands", "CI": "Côte d'Ivoire", "SS": "South Sudan",
		"SX": "Sint Maarten (Dutch part)", "BQ": "Bonaire, Sint Eustatius and Saba", "MK": "North Macedonia",
		"SZ": "Eswatini", "AQ": "Antarctica", "UM": "United States Minor Outlying Islands", "ZW": "Zimbabwe",
	} {
		if got, ok := CountryName(code); !ok || got != want {
			t.Errorf("CountryName(%s) = %q, %v; want %q", code, got, ok, want)
		}
	}
	// Exceptionally reserved, transitionally reserved, user-assigned and
	// withdrawn codes are not countries here.
	for _, code := range []string{"XK", "EU", "UK", "AN", "CS", "YU", "SU", "ZZ", "AA", "QM"} {
		if _, ok := CountryName(code); ok {
			t.Errorf("%s is listed but is not an officially assigned code", code)
		}
	}
	list := Countries()
	if list[0].Name != "Afghanistan" || list[1].Name != "Åland Islands" || list[2].Name != "Albania" || list[248].Name != "Zimbabwe" {
		t.Errorf("Countries not in English order: %v ... %v", list[:3], list[248])
	}
	list[0].Name = "changed"
	if Countries()[0].Name != "Afghanistan" {
		t.Error("Countries returns shared memory")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		in     Profile
		want   Profile
		fields []string
	}{
		{"full", Profile{"DE", "Europe/Berlin", "DD.MM.YYYY"}, Profile{"DE", "Europe/Berlin", "DD.MM.YYYY"}, nil},
		{"lower-case country, spaces", Profile{" fr ", " Europe/Paris ", "YYYY-MM-DD"}, Profile{"FR", "Europe/Paris", "YYYY-MM-DD"}, nil},
		{"only country", Profile{Country: "US"}, Profile{Country: "US"}, nil},
		{"UTC", Profile{"GB", "UTC", "DD/MM/YYYY"}, Profile{"GB", "UTC", "DD/MM/YYYY"}, nil},
		{"deep zone", Profile{"AR", "America/Argentina/Buenos_Aires", "MM/DD/YYYY"}, Profile{"AR", "America/Argentina/Buenos_Aires", "MM/DD/YYYY"}, nil},
		{"missing country", Profile{TimeZone: "Europe/Berlin"}, Profile{}, []string{FieldCountry}},
		{"unknown country", Profile{Country: "XK"}, Profile{}, []string{FieldCountry}},
		{"three letters", Profile{Country: "DEU"}, Profile{}, []string{FieldCountry}},
		{"unknown zone", Profile{"DE", "Europe/Atlantis", ""}, Profile{}, []string{FieldTimeZone}},
		{"Local", Profile{"DE", "Local", ""}, Profile{}, []string{FieldTimeZone}},
		{"path traversal", Profile{"DE", "../../etc/passwd", ""}, Profile{}, []string{FieldTimeZone}},
		{"absolute path", Profile{"DE", "/usr/share/zoneinfo/UTC", ""}, Profile{}, []string{FieldTimeZone}},
		{"lower-case zone", Profile{"DE", "europe/berlin", ""}, Profile{}, []string{FieldTimeZone}},
		{"too long zone", Profile{"DE", strings.Repeat("A", 65), ""}, Profile{}, []string{FieldTimeZone}},
		{"unknown date format", Profile{"DE", "", "D.M.YY"}, Profile{}, []string{FieldDateFormat}},
		{"Go layout is not a pattern", Profile{"DE", "", "2006-01-02"}, Profile{}, []string{FieldDateFormat}},
		{"everything wrong", Profile{"", "Mars/Olympus", "soon"}, Profile{}, []string{FieldCountry, FieldTimeZone, FieldDateFormat}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Validate(tt.in)
			if tt.fields == nil {
				if err != nil || got != tt.want {
					t.Errorf("Validate = %+v, %v; want %+v", got, err, tt.want)
				}
				return
			}
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate error = %v, want *ValidationError", err)
			}
			var fields []string
			for _, f := range ve.Fields {
				fields = append(fields, f.Field)
				// Each message names its field for the person reading it.
				word := map[string]string{FieldCountry: "country", FieldTimeZone: "time zone", FieldDateFormat: "date format"}[f.Field]
				if !strings.Contains(f.Message, word) {
					t.Errorf("message %q does not name the field", f.Message)
				}
			}
			if !slices.Equal(fields, tt.fields) {
				t.Errorf("fields %v, want %v", fields, tt.fields)
			}
			ae := ve.APIError()
			if ae.Code != api.CodeInvalid || !slices.Equal(ae.Details, tt.fields) || ae.Message != ve.Error() {
				t.Errorf("APIError = %+v", ae)
			}
		})
	}
}

func TestDateFormats(t *testing.T) {
	day := time.Date(2025, 12, 31, 0, 0, 0, 0, time.UTC)
	fs := DateFormats()
	if len(fs) != 4 || fs[0].Pattern != "YYYY-MM-DD" {
		t.Fatalf("DateFormats = %v", fs)
	}
	for _, f := range fs {
		t.Run(f.Pattern, func(t *testing.T) {
			if got := day.Format(f.Layout); got != f.Example {
				t.Errorf("layout %q formats %q, example says %q", f.Layout, got, f.Example)
			}
			if l, ok := Layout(f.Pattern); !ok || l != f.Layout {
				t.Errorf("Layout(%q) = %q, %v", f.Pattern, l, ok)
			}
			if _, err := ValidateDateFormat(f.Pattern); err != nil {
				t.Error(err)
			}
		})
	}
}

func FuzzValidate(f *testing.F) {
	seeds := []Profile{{"DE", "Europe/Berlin", "DD.MM.YYYY"}, {"", "../x", "?"}, {"zz", "Local", ""}}
	for _, s := range seeds {
		f.Add(s.Country, s.TimeZone, s.DateFormat)
	}
	if len(seeds) == 0 {
		f.Fatal("empty seed corpus")
	}
	f.Fuzz(func(t *testing.T, c, tz, df string) {
		p, err := Validate(Profile{c, tz, df})
		if err != nil {
			return
		}
		// Whatever is accepted is already normalised and valid again.
		if q, err := Validate(p); err != nil || q != p {
			t.Fatalf("Validate not idempotent: %+v -> %+v, %v", p, q, err)
		}
		if _, ok := CountryName(p.Country); !ok {
			t.Fatalf("accepted country %q", p.Country)
		}
	})
}
