package httpapi

import (
	"context"
	"fmt"
	"net/http"

	"watchword/server"
	"watchword/wasm/api"
)

// ProfileRules validates the profile fields and lists the choices offered.
// Validate returns the normalised profile, or an *api.Error (code invalid,
// with the failing field names in Details) saying what is wrong.
type ProfileRules interface {
	Validate(p api.Profile) (api.Profile, error)
	Options() api.ProfileOptions
}

func (s *Server) profileOptions(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	b := s.cfg.Profiles.Options()
	writeJSONCached(w, b)
}

func writeJSONCached(w http.ResponseWriter, v any) {
	// writeJSON forbids caching; the option lists are public and static.
	h := w.Header()
	cc := h.Get("Cache-Control")
	writeJSONHeaders(w, http.StatusOK, v, func() { h.Set("Cache-Control", cc) })
}

// applyProfile validates and saves the profile; the country is required.
func (s *Server) applyProfile(ctx context.Context, acct *server.Account, p api.Profile) error {
	n, err := s.cfg.Profiles.Validate(p)
	if err != nil {
		return err
	}
	acct.Country, acct.TimeZone, acct.DateFormat = n.Country, n.TimeZone, n.DateFormat
	if err := s.store.UpdateAccount(ctx, acct); err != nil {
		return fmt.Errorf("save profile: %w", err)
	}
	return nil
}
