package vaultsync

import (
	"strconv"

	"watchword/wasm/api"
)

// Every server answer is checked as a whole before any of it is applied: a
// malformed or hostile answer changes nothing on the device. The checks are
// the protocol's promises: ids well-formed, revisions increasing and within
// the account's revision, one result per change in order, sizes within the
// shared limits.

func badAnswer(why string) error {
	return api.NewError(api.CodeBadServerAnswer, "the server's answer was rejected: "+why)
}

// checkEntry validates one entry record of an answer.
func checkEntry(se *api.Entry, accountRev int64) error {
	switch {
	case !api.ValidID(se.ID):
		return badAnswer("entry id " + strconv.Quote(se.ID) + " is not valid")
	case se.Revision <= 0 || se.Revision > accountRev:
		return badAnswer("entry " + se.ID + " has revision " + strconv.FormatInt(se.Revision, 10) + " outside 1.." + strconv.FormatInt(accountRev, 10))
	case se.Deleted && len(se.Ciphertext) != 0:
		return badAnswer("deleted entry " + se.ID + " carries data")
	case !se.Deleted && len(se.Ciphertext) == 0:
		return badAnswer("entry " + se.ID + " has no data")
	case len(se.Ciphertext) > api.MaxEntryCiphertext:
		return badAnswer("entry " + se.ID + " is over the size limit")
	}
	return nil
}

// validatePull checks one pull page asked for with since and limit.
func validatePull(since int64, limit int, resp *api.PullResponse) error {
	switch {
	case resp == nil:
		return badAnswer("empty pull answer")
	case resp.Revision < since:
		return badAnswer("the account revision went backwards (" + strconv.FormatInt(resp.Revision, 10) + " after " + strconv.FormatInt(since, 10) + ")")
	case len(resp.Entries) > limit:
		return badAnswer(strconv.Itoa(len(resp.Entries)) + " entries in a page of " + strconv.Itoa(limit))
	case resp.More && len(resp.Entries) == 0:
		return badAnswer("an empty page that says more follow")
	}
	last := since
	seen := make(map[string]bool, len(resp.Entries))
	for i := range resp.Entries {
		se := &resp.Entries[i]
		if err := checkEntry(se, resp.Revision); err != nil {
			return err
		}
		if se.Revision <= last {
			return badAnswer("entry " + se.ID + ": revisions out of order")
		}
		if seen[se.ID] {
			return badAnswer("entry " + se.ID + " appears twice")
		}
		last, seen[se.ID] = se.Revision, true
	}
	return nil
}

// validatePush checks a push answer against its request.
func validatePush(req *api.PushRequest, resp *api.PushResponse) error {
	switch {
	case resp == nil:
		return badAnswer("empty push answer")
	case len(resp.Results) != len(req.Changes):
		return badAnswer(strconv.Itoa(len(resp.Results)) + " results for " + strconv.Itoa(len(req.Changes)) + " changes")
	}
	for i, res := range resp.Results {
		ch := &req.Changes[i]
		if res.ID != ch.ID {
			return badAnswer("result " + strconv.Itoa(i) + " is for entry " + strconv.Quote(res.ID) + ", not " + ch.ID)
		}
		if res.Accepted {
			if res.Revision <= ch.BaseRevision || res.Revision > resp.Revision {
				return badAnswer("entry " + ch.ID + " accepted at revision " + strconv.FormatInt(res.Revision, 10) + ", outside " + strconv.FormatInt(ch.BaseRevision+1, 10) + ".." + strconv.FormatInt(resp.Revision, 10))
			}
			continue
		}
		cur := res.Current
		switch {
		case cur == nil && ch.BaseRevision == 0:
			return badAnswer("new entry " + ch.ID + " rejected although the server has no copy")
		case cur == nil:
			continue // the server has no copy at all: the change is sent again as new
		case cur.ID != ch.ID:
			return badAnswer("entry " + ch.ID + " rejected with the copy of " + strconv.Quote(cur.ID))
		case cur.Revision == ch.BaseRevision:
			return badAnswer("entry " + ch.ID + " rejected although its revision matched")
		}
		if err := checkEntry(cur, resp.Revision); err != nil {
			return err
		}
	}
	return nil
}
