package server

import (
	"errors"
	"strings"

	"watchword/server/profile"
	"watchword/wasm/api"
)

// RegionRules validates profiles with package profile (the ISO 3166-1
// country list, IANA time zones, the date formats) and lists the choices
// the profile form offers. It holds no data of its own. The zero value is
// ready to use.
type RegionRules struct{}

// commonZones are offered in the profile form's list; any IANA name is
// accepted through the API.
var commonZones = []string{
	"UTC", "Africa/Cairo", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi",
	"America/Anchorage", "America/Bogota", "America/Chicago", "America/Denver", "America/Halifax",
	"America/Lima", "America/Los_Angeles", "America/Mexico_City", "America/New_York", "America/Sao_Paulo",
	"America/Toronto", "Asia/Bangkok", "Asia/Dubai", "Asia/Hong_Kong", "Asia/Jakarta", "Asia/Jerusalem",
	"Asia/Karachi", "Asia/Kolkata", "Asia/Manila", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Tokyo",
	"Atlantic/Reykjavik", "Australia/Adelaide", "Australia/Brisbane", "Australia/Perth", "Australia/Sydney",
	"Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Brussels", "Europe/Dublin", "Europe/Helsinki",
	"Europe/Istanbul", "Europe/Kyiv", "Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Paris",
	"Europe/Prague", "Europe/Rome", "Europe/Stockholm", "Europe/Vienna", "Europe/Warsaw", "Europe/Zurich",
	"Pacific/Auckland", "Pacific/Honolulu",
}

// Options lists the choices the profile form offers. A date format's ID is
// its pattern (what the profile stores), its label an example date.
func (RegionRules) Options() api.ProfileOptions {
	var o api.ProfileOptions
	for _, c := range profile.Countries() {
		o.Countries = append(o.Countries, api.Country{Code: c.Code, Name: c.Name})
	}
	o.TimeZones = append([]string(nil), commonZones...)
	for _, f := range profile.DateFormats() {
		o.DateFormats = append(o.DateFormats, api.DateFormat{ID: f.Pattern, Label: f.Pattern + " (" + f.Example + ")"})
	}
	return o
}

// Validate checks p and returns it normalised (upper-case country and date
// pattern). The error is an *api.Error (code invalid) naming every bad
// field in Details.
func (RegionRules) Validate(p api.Profile) (api.Profile, error) {
	n, err := profile.Validate(profile.Profile{Country: p.Country, TimeZone: p.TimeZone,
		DateFormat: strings.ToUpper(strings.TrimSpace(p.DateFormat))})
	if err != nil {
		var ve *profile.ValidationError
		if errors.As(err, &ve) {
			return p, ve.APIError()
		}
		return p, err
	}
	return api.Profile{Country: n.Country, TimeZone: n.TimeZone, DateFormat: n.DateFormat}, nil
}
