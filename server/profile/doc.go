// Package profile validates the portal profile an account fills in after
// activation: country or region (required), time zone and date format.
//
// Call [Validate] with the submitted [Profile]; it returns the normalised
// profile or a [*ValidationError] naming each bad field, which
// [ValidationError.APIError] turns into the API's "invalid" error. The
// portal's select boxes come from [Countries] (sorted by English name) and
// [DateFormats].
//
// Countries are the 249 officially assigned ISO 3166-1 alpha-2 codes,
// embedded as data (countries.tsv). Time zones are IANA names checked with
// time.LoadLocation, so the binary that uses this package must have the
// time zone database: the server's main package imports time/tzdata, which
// embeds it (about 450 KB), so validation does not depend on the host.
package profile
