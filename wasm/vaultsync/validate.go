package vaultsync

import (
	"watchword/wasm/api"
)

// Every server answer is checked as a whole before any of it is applied: a
// malformed or hostile answer changes nothing on the device. The checks are
// the protocol's promises: ids well-formed, revisions increasing and within
// the account's revision, one result per change in order, sizes within the
// shared limits.

func badAnswer(format string, args ...any) error {
	return api.Errorf(api.CodeBadServerAnswer, "the server's answer was rejected: "+format, args...)
}

// checkEntry validates one entry record of an answer.
func checkEntry(se *api.Entry, accountRev int64) error {
	switch {
	case !api.ValidID(se.ID):
		return badAnswer("entry id %q is not valid", se.ID)
	case se.Revision <= 0 || se.Revision > accountRev:
		return badAnswer("entry %s has revision %d outside 1..%d", se.ID, se.Revision, accountRev)
	case se.Deleted && len(se.Ciphertext) != 0:
		return badAnswer("deleted entry %s carries data", se.ID)
	case !se.Deleted && len(se.Ciphertext) == 0:
		return badAnswer("entry %s has no data", se.ID)
	case len(se.Ciphertext) > api.MaxEntryCiphertext:
		return badAnswer("entry %s is over the size limit", se.ID)
	}
	return nil
}

// validatePull checks one pull page asked for with since and limit.
func validatePull(since int64, limit int, resp *api.PullResponse) error {
	switch {
	case resp == nil:
		return badAnswer("empty pull answer")
	case resp.Revision < since:
		return badAnswer("the account revision went backwards (%d after %d)", resp.Revision, since)
	case len(resp.Entries) > limit:
		return badAnswer("%d entries in a page of %d", len(resp.Entries), limit)
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
			return badAnswer("entry %s: revisions out of order", se.ID)
		}
		if seen[se.ID] {
			return badAnswer("entry %s appears twice", se.ID)
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
		return badAnswer("%d results for %d changes", len(resp.Results), len(req.Changes))
	}
	for i, res := range resp.Results {
		ch := &req.Changes[i]
		if res.ID != ch.ID {
			return badAnswer("result %d is for entry %q, not %s", i, res.ID, ch.ID)
		}
		if res.Accepted {
			if res.Revision <= ch.BaseRevision || res.Revision > resp.Revision {
				return badAnswer("entry %s accepted at revision %d, outside %d..%d", ch.ID, res.Revision, ch.BaseRevision+1, resp.Revision)
			}
			continue
		}
		cur := res.Current
		switch {
		case cur == nil && ch.BaseRevision == 0:
			return badAnswer("new entry %s rejected although the server has no copy", ch.ID)
		case cur == nil:
			continue // the server has no copy at all: the change is sent again as new
		case cur.ID != ch.ID:
			return badAnswer("entry %s rejected with the copy of %q", ch.ID, cur.ID)
		case cur.Revision == ch.BaseRevision:
			return badAnswer("entry %s rejected although its revision matched", ch.ID)
		}
		if err := checkEntry(cur, resp.Revision); err != nil {
			return err
		}
	}
	return nil
}
