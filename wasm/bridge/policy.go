package bridge

import (
	"crypto/rand"
	"errors"
	"strconv"

	"watchword/wasm/api"
	"watchword/wasm/jsonwire"
	"watchword/wasm/policy"
)

// Policy methods:
//
//	policyDefault(kind)                     → policy ("account" or "master")
//	policyCheck(policyJSON, password, email?) → policy.Result
//	generate(optionsJSON)                   → string
//
// policyCheck takes the policy as JSON (the server publishes the account
// policy; policyDefault gives the built-in ones) and never fails on a rule it
// does not know: that rule is "unchecked". It gives no strength estimate.
// The common-password list and the passphrase word list are shipped
// resources (resources.go), loaded by the first call that needs them.
func init() {
	register("policyDefault", (*Core).policyDefault)
	register("policyCheck", (*Core).policyCheck)
	register("generate", (*Core).generate)
}

func (c *Core) policyDefault(a Args) (Result, error) {
	kind, err := argString(a, 0)
	if err != nil {
		return nil, err
	}
	var p policy.Policy
	switch kind {
	case policy.AccountID:
		p = policy.Account()
	case policy.MasterID:
		p = policy.Master()
	default:
		return nil, badArg(0, "no built-in policy "+strconv.Quote(kind)+" (want "+strconv.Quote(policy.AccountID)+" or "+strconv.Quote(policy.MasterID)+")")
	}
	return writeValue(p)
}

func argPolicy(a Args, i int) (policy.Policy, error) {
	b, err := argBytes(a, i)
	if err != nil {
		return policy.Policy{}, err
	}
	p, err := policy.Parse(b)
	if err != nil {
		return policy.Policy{}, badArg(i, err.Error())
	}
	return p, nil
}

func (c *Core) policyCheck(a Args) (Result, error) {
	p, err := argPolicy(a, 0)
	if err != nil {
		return nil, err
	}
	password, err := argString(a, 1)
	if err != nil {
		return nil, err
	}
	var email string
	if a.Present(2) {
		if email, err = argString(a, 2); err != nil {
			return nil, err
		}
	}
	ctx := policy.Context{Email: email}
	// The list also serves the "commonly used" warning under policies
	// without a not_common rule; only where the rule needs it is a list
	// that cannot be loaded an error.
	if ctx.Common, err = commonList(); err != nil && needsCommon(p) {
		return nil, err
	}
	return writeValue(policy.Check(p, password, ctx))
}

// generateOptions choose between a password and a passphrase (exactly one),
// optionally to be generated until it passes a policy.
type generateOptions struct {
	Password   *policy.PasswordOptions   `json:"password"`
	Passphrase *policy.PassphraseOptions `json:"passphrase"`
	Policy     *policy.Policy            `json:"policy"`
	Email      string                    `json:"email"`
}

func (o *generateOptions) readJSON(d *jsonwire.Decoder) {
	for ok := d.Object(); ok && d.Member(); {
		switch d.Key() {
		case "password":
			o.Password = nil
			if !d.Null() {
				o.Password = new(policy.PasswordOptions)
				o.Password.ReadJSON(d)
			}
		case "passphrase":
			o.Passphrase = nil
			if !d.Null() {
				o.Passphrase = new(policy.PassphraseOptions)
				o.Passphrase.ReadJSON(d)
			}
		case "policy":
			o.Policy = nil
			if !d.Null() {
				o.Policy = new(policy.Policy)
				o.Policy.ReadJSON(d)
			}
		case "email":
			o.Email = d.String()
		default:
			d.Unknown()
		}
	}
}

func (c *Core) generate(a Args) (Result, error) {
	var o generateOptions
	if err := argJSON(a, 0, o.readJSON); err != nil {
		return nil, err
	}
	if (o.Password == nil) == (o.Passphrase == nil) {
		return nil, badArg(0, `give exactly one of "password" and "passphrase"`)
	}
	if o.Policy != nil {
		if err := o.Policy.Validate(); err != nil {
			return nil, badArg(0, err.Error())
		}
	}
	var (
		s   string
		err error
	)
	ctx := policy.Context{Email: o.Email}
	if o.Policy != nil && needsCommon(*o.Policy) {
		if ctx.Common, err = commonList(); err != nil {
			return nil, err
		}
	}
	g := passwordGenerator
	if o.Passphrase != nil {
		words, err := wordlist()
		if err != nil {
			return nil, err
		}
		g = policy.NewGenerator(rand.Reader, words)
	}
	switch {
	case o.Password != nil && o.Policy != nil:
		s, err = g.PasswordFor(*o.Policy, *o.Password, ctx)
	case o.Password != nil:
		s, err = g.Password(*o.Password)
	case o.Policy != nil:
		s, err = g.PassphraseFor(*o.Policy, *o.Passphrase, ctx)
	default:
		s, err = g.Passphrase(*o.Passphrase)
	}
	if err != nil {
		return nil, asInvalid(err)
	}
	return s, nil
}

// passwordGenerator draws from crypto/rand; it has no word list (a
// passphrase's generator is made with the list when one is asked for).
var passwordGenerator = policy.NewGenerator(rand.Reader, nil)

// asInvalid reports options that cannot be met (policy.ErrOptions) as
// invalid, with the generator's explanation; anything else (a failing random
// source) stays internal.
func asInvalid(err error) error {
	if errors.Is(err, policy.ErrOptions) {
		return &api.Error{Code: api.CodeInvalid, Message: err.Error()}
	}
	return err
}
