package render

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/pubsubctl/pubsubctl/apply"
	"github.com/pubsubctl/pubsubctl/model"
)

func TestProgress(t *testing.T) {
	clock := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	topic := model.Address{Kind: model.KindTopic, Name: "orders"}
	sub := model.Address{Kind: model.KindSubscription, Name: "orders-billing"}
	events := func(p *Progress) {
		p.Event(apply.Event{Address: topic, Op: "create", Status: apply.Started})
		p.Event(apply.Event{Address: sub, Op: "create", Status: apply.Started})
		clock = clock.Add(3 * time.Second)
		p.Event(apply.Event{Address: topic, Op: "create", Status: apply.Applied, Attempts: 1, Duration: 1500 * time.Millisecond})
		p.Event(apply.Event{Address: sub, Op: "create", Status: apply.Failed, Attempts: 1, Duration: 2 * time.Second})
	}

	t.Run("not a terminal: event lines only", func(t *testing.T) {
		var b bytes.Buffer
		p := NewProgress(&b, false, 2, now)
		p.Run(time.Millisecond)
		events(p)
		p.Close()
		want := "[1/2] create topic.orders: done after 1.5s\n[2/2] create subscription.orders-billing: FAILED after 2s\n"
		if b.String() != want {
			t.Errorf("got %q, want %q", b.String(), want)
		}
	})

	t.Run("terminal: a status line redrawn below the event lines", func(t *testing.T) {
		var b bytes.Buffer
		p := NewProgress(&b, true, 2, now)
		events(p)
		p.Close()
		out := b.String()
		for _, want := range []string{
			"\r\x1b[K  0/2 done, 1 in flight, 0s elapsed",
			"\r\x1b[K  0/2 done, 2 in flight, 0s elapsed",
			"\r\x1b[K[1/2] create topic.orders: done after 1.5s\n\r\x1b[K  1/2 done, 1 in flight, 3s elapsed",
			"[2/2] create subscription.orders-billing: FAILED after 2s\n",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%q", want, out)
			}
		}
		if !strings.HasSuffix(out, "FAILED after 2s\n\r\x1b[K  2/2 done, 0 in flight, 3s elapsed\r\x1b[K") {
			t.Errorf("the status line is not cleared at the end:\n%q", out)
		}
	})
}

func TestReadStatus(t *testing.T) {
	if got := ReadStatus(12000, 3000, 8000, 14200*time.Millisecond); got != "reading live state: 12000 resources listed, 3000/8000 policies read, 14s" {
		t.Errorf("ReadStatus = %q", got)
	}
	if got := ReadStatus(5, 0, 0, time.Second); got != "reading live state: 5 resources listed, 1s" {
		t.Errorf("ReadStatus without IAM = %q", got)
	}
}
