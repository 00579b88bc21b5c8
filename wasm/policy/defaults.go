package policy

// Ids of the built-in policies.
const (
	AccountID = "account"
	MasterID  = "master"
)

// Account returns the default account-password policy: at least 8
// characters, a digit, a lowercase and an uppercase Latin letter, and no
// white space. The server enforces it and publishes it for clients. The
// common-password list and the strength estimate are warnings for this
// password, not rules (see [Result.Common] and [Result.Strength]).
func Account() Policy {
	return Policy{ID: AccountID, Rules: []Rule{
		{ID: "min_length", Kind: KindMinLength, Min: 8, Label: "At least 8 characters"},
		{ID: "digit", Kind: KindCharClass, Class: ClassDigit, Min: 1, Label: "At least one digit"},
		{ID: "lower_latin", Kind: KindCharClass, Class: ClassLowerLatin, Min: 1, Label: "At least one lowercase letter (a–z)"},
		{ID: "upper_latin", Kind: KindCharClass, Class: ClassUpperLatin, Min: 1, Label: "At least one uppercase letter (A–Z)"},
		{ID: "no_spaces", Kind: KindNoSpace, Label: "No spaces"},
	}}
}

// Master returns the master-password policy: at least 12 characters of any
// kind (spaces and every script welcome, no composition rules, since length
// is what makes a passphrase strong) and not on the common-password list.
// The strength estimate is shown as a meter; it is not a rule.
func Master() Policy {
	return Policy{ID: MasterID, Rules: []Rule{
		{ID: "min_length", Kind: KindMinLength, Min: 12, Label: "At least 12 characters"},
		{ID: "not_common", Kind: KindNotCommon, Label: "Not a commonly used password"},
	}}
}
