package apply

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/model"
)

// Dropping a dead-letter policy and deleting its topic in one apply: the
// topic is deleted only after the subscription stopped naming it, since
// Pub/Sub refuses to delete a topic in use as a dead-letter topic.
func TestExecuteDeletesDeadLetterTopicAfterTheSubscriptionDropsIt(t *testing.T) {
	f := newFake()
	f.delay = time.Millisecond
	s := ownedSub("s1", "t1")
	s.DeadLetter = &model.DeadLetter{Topic: model.FullName("p", model.KindTopic, "dlq"), MaxDeliveryAttempts: 5}
	mustOK(t, Execute(t.Context(), f, planFor(t, f, cfgOf(ownedTopic("t1"), ownedTopic("dlq"), s)), testOptions()))

	s2 := ownedSub("s1", "t1")
	s2.Labels["x"] = "y" // an unrelated update too
	p := planFor(t, f, cfgOf(ownedTopic("t1"), s2))
	f.before = func(method, id string) error {
		if method != "DeleteTopic" || id != "dlq" {
			return nil
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if sub := f.subs["s1"]; sub != nil && sub.DeadLetter != nil {
			t.Errorf("DeleteTopic dlq while s1 still dead-letters to it")
		}
		return nil
	}
	o := testOptions()
	o.AllowDestroy = true
	res := Execute(t.Context(), f, p, o)
	mustOK(t, res)
	calls := f.allCalls()
	upd := slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, "UpdateSubscription s1") })
	if a, b := upd, index(calls, "DeleteTopic dlq"); a < 0 || b < 0 || a > b {
		t.Fatalf("UpdateSubscription s1 must come before DeleteTopic dlq: %v", calls)
	}
}
