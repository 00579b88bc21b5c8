// Package transfer reads and writes logins in the CSV files browsers and
// other password managers export, so a person can bring their passwords in
// and take them out.
//
// [ReadCSV] takes the file as exported by Chrome (name, url, username,
// password, note), Firefox (url, username, password and its bookkeeping
// columns) and the other common layouts, by the names in its first line, in
// any order and case. It refuses a file it cannot read as a whole (not CSV,
// no header naming a login column, too large) and otherwise reads every
// row it can, reporting each row it leaves out by its line number and why,
// never by its contents. [WriteCSV] writes Chrome's layout, which Chrome,
// Firefox and ReadCSV read back, plus a totp column.
//
// # Security
//
// A CSV export is the vault in plain text. The caller must say so before
// writing one, and nothing here keeps a copy. Cells are written as they
// are: prefixing those that start with "=" to defuse spreadsheet formulas
// would change passwords that start with one.
package transfer
