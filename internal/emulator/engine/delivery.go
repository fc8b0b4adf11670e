// Copyright 2025 Google LLC
// Copyright 2026 the pubsubctl authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//      http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

// This file derives from cloud.google.com/go/pubsub/v2/pstest/fake.go
// (v2.8.1): pull, StreamingPull, acknowledgements and dead-lettering,
// rewritten to be event-driven. pstest polled every subscription every
// 10 ms; here a publish, an ack, a nack, an update or the subscription's
// one timer (armed for its next ack-deadline expiry or backoff end) runs
// deliver for exactly the subscriptions concerned, and an idle engine does
// no work at all.

package engine

import (
	"cmp"
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// pullWait is how long a Pull without return_immediately waits for a
// message when none is available.
const pullWait = 500 * time.Millisecond

// defaultPullMax is the number of messages Pull returns at most when
// max_messages is 0.
const defaultPullMax = 1000

func timestampOf(t time.Time) *timestamppb.Timestamp { return timestamppb.New(t) }

// storedMessage is a published message, shared by the subscriptions that
// received it; msg is never modified once stored.
type storedMessage struct {
	msg         *pb.PubsubMessage
	publishTime time.Time
	seq         uint64 // publish order
}

// message is one subscription's copy of a stored message: its delivery
// state.
type message struct {
	*storedMessage
	deliveries int32     // delivery attempts so far
	ackID      string    // of the current delivery; "" when not outstanding
	deadline   time.Time // ack deadline of the current delivery; zero when not outstanding
	notBefore  time.Time // end of the backoff after a nack or expiry
	stream     *stream   // the stream that holds the current delivery
	pushing    bool      // a push request is in flight
	removed    bool      // acked, dead-lettered or dropped
}

func (m *message) outstanding() bool { return !m.deadline.IsZero() }

type subscription struct {
	s      *Server
	proto  *pb.Subscription // replaced, never modified, once stored
	topic  *topic           // nil when deleted or detached
	filter filterNode

	msgs  map[string]*message // unacked messages by message ID
	queue []*message          // unacked messages in publish order, and removed ones not yet compacted
	live  int                 // messages in queue not removed
	// iterating counts the scans of queue in progress (available), during
	// which it is not compacted.
	iterating int

	acked []*storedMessage // acknowledged messages kept for Seek (retain_acked_messages)

	streams []*stream
	rr      int // next stream, round-robin

	// avail is closed when messages may have become available, for Pull
	// calls waiting; nil when nobody waits.
	avail chan struct{}

	timer   *time.Timer
	timerAt time.Time

	pushInflight int
	pushFailures int    // consecutive failed pushes, for the push backoff
	pushReason   string // the last failure logged
	deleted      bool
}

func newSubscription(s *Server, t *topic, p *pb.Subscription, f filterNode) *subscription {
	return &subscription{s: s, proto: p, topic: t, filter: f, msgs: map[string]*message{}}
}

func (sub *subscription) ackDeadline() time.Duration {
	if d := sub.proto.AckDeadlineSeconds; d > 0 {
		return time.Duration(d) * time.Second
	}
	return defaultAckDeadline
}

func (sub *subscription) isPush() bool { return sub.proto.GetPushConfig().GetPushEndpoint() != "" }

// add queues a newly published message if it passes the filter; the
// caller delivers.
func (sub *subscription) add(sm *storedMessage) {
	if sub.filter != nil && !evaluateFilter(sub.filter, sm.msg.Attributes) {
		return // the service acknowledges filtered-out messages at once
	}
	if _, dup := sub.msgs[sm.msg.MessageId]; dup {
		return
	}
	m := &message{storedMessage: sm}
	sub.msgs[sm.msg.MessageId] = m
	sub.queue = append(sub.queue, m)
	sub.live++
}

// removeMsg drops m from the unacked messages.
func (sub *subscription) removeMsg(m *message) {
	if m.removed {
		return
	}
	m.removed = true
	if m.stream != nil {
		m.stream.outstanding--
		m.stream = nil
	}
	delete(sub.msgs, m.msg.MessageId)
	sub.live--
	sub.compact()
}

// compact drops removed messages from the queue once they are the
// majority, unless the queue is being iterated.
func (sub *subscription) compact() {
	if sub.iterating != 0 {
		return
	}
	// Acknowledged messages are mostly the oldest: drop them from the
	// front at once, so that scans do not walk past them.
	i := 0
	for i < len(sub.queue) && sub.queue[i].removed {
		sub.queue[i] = nil
		i++
	}
	if i > 0 {
		sub.queue = sub.queue[i:]
	}
	if len(sub.queue) > 64 && sub.live < len(sub.queue)/2 {
		q := sub.queue[:0]
		for _, x := range sub.queue {
			if !x.removed {
				q = append(q, x)
			}
		}
		clear(sub.queue[len(q):])
		sub.queue = q
	}
}

func (sub *subscription) dropMessages() {
	for _, m := range sub.queue {
		m.removed = true
		if m.stream != nil {
			m.stream.outstanding--
			m.stream = nil
		}
	}
	sub.msgs = map[string]*message{}
	sub.queue = nil
	sub.live = 0
	sub.acked = nil
}

// remove tears the subscription down (deleted).
func (sub *subscription) remove() {
	sub.deleted = true
	if sub.topic != nil {
		delete(sub.topic.subs, sub.proto.Name)
		sub.topic = nil
	}
	sub.stopTimer()
	for _, st := range sub.streams {
		st.close()
	}
	sub.streams = nil
	sub.dropMessages()
	sub.wakePullers()
}

func (sub *subscription) wakePullers() {
	if sub.avail != nil {
		close(sub.avail)
		sub.avail = nil
	}
}

// --- timers ---

// schedule arms the subscription's timer for at, unless it is armed for
// earlier already.
func (sub *subscription) schedule(at time.Time, now time.Time) {
	if sub.deleted || sub.s.closed {
		return
	}
	if sub.timer != nil && !sub.timerAt.IsZero() && !at.Before(sub.timerAt) {
		return
	}
	d := max(at.Sub(now), 0)
	sub.timerAt = at
	if sub.timer == nil {
		sub.timer = time.AfterFunc(d, sub.fire)
	} else {
		sub.timer.Reset(d)
	}
}

func (sub *subscription) stopTimer() {
	if sub.timer != nil {
		sub.timer.Stop()
	}
	sub.timerAt = time.Time{}
}

func (sub *subscription) fire() {
	sub.s.mu.Lock()
	defer sub.s.mu.Unlock()
	if sub.deleted || sub.s.closed {
		return
	}
	sub.timerAt = time.Time{}
	sub.onTimer(sub.s.now())
}

// onTimer expires the ack deadlines that passed, delivers what is
// available and re-arms the timer for the next deadline or backoff end.
func (sub *subscription) onTimer(now time.Time) {
	for _, m := range sub.queue {
		if !m.removed && m.outstanding() && !m.deadline.After(now) {
			sub.nack(m, now, m.pushing)
		}
	}
	sub.deliver(now)
	sub.rearm(now)
}

// rearm arms the timer for the earliest future deadline or backoff end.
func (sub *subscription) rearm(now time.Time) {
	var next time.Time
	for _, m := range sub.queue {
		if m.removed {
			continue
		}
		var t time.Time
		switch {
		case m.outstanding():
			t = m.deadline
		case m.notBefore.After(now):
			t = m.notBefore
		default:
			continue
		}
		if next.IsZero() || t.Before(next) {
			next = t
		}
	}
	if !next.IsZero() {
		sub.schedule(next, now)
	}
}

// --- backoff ---

// retryBackoff is the wait before redelivering a message after its n-th
// delivery failed (nack or expired deadline), for pull and streaming
// delivery: none without a retry policy, else doubling from the minimum
// to the maximum backoff.
func (sub *subscription) retryBackoff(n int32) time.Duration {
	rp := sub.proto.GetRetryPolicy()
	if rp == nil {
		return 0
	}
	return expBackoff(rp.GetMinimumBackoff().AsDuration(), rp.GetMaximumBackoff().AsDuration(), n)
}

// Push backoff without a retry policy (pubsub-facts §11).
const (
	pushMinBackoff = 100 * time.Millisecond
	pushMaxBackoff = 60 * time.Second
)

// pushBackoff is the wait before the next push of a message whose n-th
// push failed.
func (sub *subscription) pushBackoff(n int32) time.Duration {
	if rp := sub.proto.GetRetryPolicy(); rp != nil {
		return expBackoff(rp.GetMinimumBackoff().AsDuration(), rp.GetMaximumBackoff().AsDuration(), n)
	}
	return expBackoff(pushMinBackoff, pushMaxBackoff, n)
}

// expBackoff returns lo·2^(n-1), at most hi.
func expBackoff(lo, hi time.Duration, n int32) time.Duration {
	if hi < lo {
		hi = lo
	}
	d := lo
	for i := int32(1); i < n && d < hi; i++ {
		d *= 2
	}
	return min(d, hi)
}

// nack ends m's current delivery (a negative acknowledgement, an expired
// deadline or a failed push): m is dead-lettered when it used up its
// delivery attempts, else it becomes available again after the backoff.
func (sub *subscription) nack(m *message, now time.Time, push bool) {
	if m.stream != nil {
		m.stream.outstanding--
		m.stream = nil
	}
	m.ackID = ""
	m.deadline = time.Time{}
	m.pushing = false
	if sub.deadLetter(m, now) {
		return
	}
	var wait time.Duration
	if push {
		wait = sub.pushBackoff(m.deliveries)
	} else {
		wait = sub.retryBackoff(m.deliveries)
	}
	m.notBefore = now.Add(wait)
	if wait > 0 {
		sub.schedule(m.notBefore, now)
	}
}

// deadLetter forwards m to the dead-letter topic when it has used up its
// delivery attempts, and reports whether it did.
func (sub *subscription) deadLetter(m *message, now time.Time) bool {
	dl := sub.proto.GetDeadLetterPolicy()
	if dl == nil || dl.MaxDeliveryAttempts <= 0 || m.deliveries < dl.MaxDeliveryAttempts {
		return false
	}
	sub.removeMsg(m)
	t := sub.s.topics[dl.DeadLetterTopic]
	if t == nil {
		return true // the service drops it too when the topic is gone
	}
	attrs := make(map[string]string, len(m.msg.Attributes)+4)
	for k, v := range m.msg.Attributes {
		attrs[k] = v
	}
	project, id, _ := strings.Cut(strings.TrimPrefix(sub.proto.Name, "projects/"), "/subscriptions/")
	attrs["CloudPubSubDeadLetterSourceDeliveryCount"] = strconv.Itoa(int(m.deliveries))
	attrs["CloudPubSubDeadLetterSourceSubscription"] = id
	attrs["CloudPubSubDeadLetterSourceSubscriptionProject"] = project
	attrs["CloudPubSubDeadLetterSourceTopicPublishTime"] = m.publishTime.UTC().Format(time.RFC3339Nano)
	pm := &pb.PubsubMessage{Data: m.msg.Data, Attributes: attrs, OrderingKey: m.msg.OrderingKey}
	sub.s.publishLocked(t, pm, now)
	for _, dsub := range t.subs {
		dsub.deliver(now)
	}
	return true
}

// --- delivery ---

// available calls f, in publish order, with each message that can be
// delivered now, until f returns false. With message ordering, a message
// waits for the earlier messages of its ordering key to be acknowledged.
// Messages past the retention are dropped on the way, as are messages
// that used up their delivery attempts (dead-lettered).
func (sub *subscription) available(now time.Time, f func(*message) bool) {
	sub.iterating++
	defer func() {
		sub.iterating--
		sub.compact()
	}()
	ordering := sub.proto.EnableMessageOrdering
	var blocked map[string]bool
	retain := sub.proto.GetMessageRetentionDuration().AsDuration()
	for i := 0; i < len(sub.queue); i++ {
		m := sub.queue[i]
		if m.removed {
			continue
		}
		key := m.msg.OrderingKey
		if ordering && key != "" {
			if blocked[key] {
				continue
			}
			if blocked == nil {
				blocked = map[string]bool{}
			}
			blocked[key] = true
		}
		if m.outstanding() || m.pushing || m.notBefore.After(now) {
			continue
		}
		if retain > 0 && now.Sub(m.publishTime) > retain {
			sub.removeMsg(m)
			continue
		}
		if sub.deadLetter(m, now) {
			continue
		}
		if !f(m) {
			return
		}
	}
}

// lease starts a delivery of m that must be acknowledged by deadline.
func (sub *subscription) lease(m *message, now time.Time, d time.Duration) *pb.ReceivedMessage {
	m.deliveries++
	m.ackID = m.msg.MessageId + ":" + strconv.Itoa(int(m.deliveries))
	m.deadline = now.Add(d)
	m.notBefore = time.Time{}
	rm := &pb.ReceivedMessage{AckId: m.ackID, Message: m.msg}
	if sub.proto.DeadLetterPolicy != nil {
		rm.DeliveryAttempt = m.deliveries
	}
	sub.schedule(m.deadline, now)
	return rm
}

// deliver hands the available messages to the subscription's push
// endpoint or streams, and wakes its waiting Pull calls.
func (sub *subscription) deliver(now time.Time) {
	if sub.deleted || sub.live == 0 || sub.proto.Detached {
		return
	}
	if sub.isPush() {
		sub.s.push.dispatch(sub, now)
		return
	}
	sub.wakePullers()
	if len(sub.streams) == 0 {
		return
	}
	sub.available(now, func(m *message) bool {
		st := sub.nextStream()
		if st == nil {
			return false
		}
		rm := sub.lease(m, now, st.ackDeadline)
		m.stream = st
		st.outstanding++
		st.pending = append(st.pending, rm)
		st.signal()
		return true
	})
}

// nextStream returns the next stream, round-robin, that may take one more
// message under its flow control, or nil.
func (sub *subscription) nextStream() *stream {
	n := len(sub.streams)
	for i := range n {
		st := sub.streams[(sub.rr+i)%n]
		if st.maxOutstanding > 0 && st.outstanding >= st.maxOutstanding {
			continue
		}
		sub.rr = (sub.rr + i + 1) % n
		return st
	}
	return nil
}

// pull leases up to max available messages.
func (sub *subscription) pull(now time.Time, max int) []*pb.ReceivedMessage {
	var out []*pb.ReceivedMessage
	sub.available(now, func(m *message) bool {
		out = append(out, sub.lease(m, now, sub.ackDeadline()))
		return len(out) < max
	})
	return out
}

// ack acknowledges the delivery ackID; stale or unknown IDs are ignored.
func (sub *subscription) ack(ackID string, now time.Time) {
	m := sub.byAckID(ackID)
	if m == nil {
		return
	}
	sub.removeMsg(m)
	if sub.proto.RetainAckedMessages {
		sub.acked = append(sub.acked, m.storedMessage)
		sub.pruneAcked(now)
	}
}

func (sub *subscription) pruneAcked(now time.Time) {
	cut := now.Add(-sub.proto.GetMessageRetentionDuration().AsDuration())
	i := 0
	for i < len(sub.acked) && sub.acked[i].publishTime.Before(cut) {
		i++
	}
	if i > 0 {
		sub.acked = sub.acked[i:]
	}
}

// byAckID returns the outstanding message of the delivery ackID, or nil.
func (sub *subscription) byAckID(ackID string) *message {
	id, _, ok := strings.Cut(ackID, ":")
	if !ok {
		return nil
	}
	m := sub.msgs[id]
	if m == nil || m.ackID != ackID {
		return nil
	}
	return m
}

// modAck sets the deadline of the delivery ackID to d from now; 0 nacks.
func (sub *subscription) modAck(ackID string, d time.Duration, now time.Time) {
	m := sub.byAckID(ackID)
	if m == nil || m.pushing {
		return
	}
	if d == 0 {
		sub.nack(m, now, false)
		return
	}
	m.deadline = now.Add(d)
	sub.schedule(m.deadline, now)
}

// --- RPCs ---

// errDetached answers delivery requests on a detached subscription.
func errDetached(name string) error {
	return status.Errorf(codes.FailedPrecondition, "Subscription %s is detached", name)
}

// Acknowledge acknowledges messages.
func (s *Server) Acknowledge(_ context.Context, req *pb.AcknowledgeRequest) (*emptypb.Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.findSub(req.Subscription)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, id := range req.AckIds {
		sub.ack(id, now)
	}
	sub.deliver(now)
	return &emptypb.Empty{}, nil
}

// ModifyAckDeadline extends, shortens or (with 0) ends deliveries.
func (s *Server) ModifyAckDeadline(_ context.Context, req *pb.ModifyAckDeadlineRequest) (*emptypb.Empty, error) {
	if err := checkAckDeadline(req.AckDeadlineSeconds); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.findSub(req.Subscription)
	if err != nil {
		return nil, err
	}
	now := s.now()
	d := time.Duration(req.AckDeadlineSeconds) * time.Second
	for _, id := range req.AckIds {
		sub.modAck(id, d, now)
	}
	sub.deliver(now)
	return &emptypb.Empty{}, nil
}

// Pull returns available messages; without return_immediately it waits
// a little for one when there is none.
func (s *Server) Pull(ctx context.Context, req *pb.PullRequest) (*pb.PullResponse, error) {
	max := int(req.MaxMessages)
	if max < 0 {
		return nil, status.Error(codes.InvalidArgument, "MaxMessages cannot be negative")
	}
	if max == 0 {
		max = defaultPullMax
	}
	var deadline <-chan time.Time
	for {
		s.mu.Lock()
		sub, err := s.findSub(req.Subscription)
		if err != nil {
			s.mu.Unlock()
			return nil, err
		}
		if sub.proto.Detached {
			s.mu.Unlock()
			return nil, errDetached(sub.proto.Name)
		}
		now := s.now()
		msgs := sub.pull(now, max)
		if len(msgs) > 0 || req.ReturnImmediately || deadline != nil && isClosed(deadline) {
			s.mu.Unlock()
			return &pb.PullResponse{ReceivedMessages: msgs}, nil
		}
		if sub.avail == nil {
			sub.avail = make(chan struct{})
		}
		avail := sub.avail
		s.mu.Unlock()
		if deadline == nil {
			t := time.NewTimer(pullWait)
			defer t.Stop()
			deadline = t.C
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-avail:
		case <-deadline:
			return &pb.PullResponse{}, nil
		}
	}
}

func isClosed(c <-chan time.Time) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// --- StreamingPull ---

type stream struct {
	sub            *subscription
	ackDeadline    time.Duration
	maxOutstanding int
	outstanding    int
	exactlyOnce    bool
	ordering       bool
	pingsToAnswer  int
	pending        []*pb.ReceivedMessage // to send; guarded by the server mutex
	wake           chan struct{}         // capacity 1
	done           chan struct{}
	closed         bool
}

func (st *stream) signal() {
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// close ends the stream's send loop; the server mutex is held.
func (st *stream) close() {
	if !st.closed {
		st.closed = true
		close(st.done)
	}
}

// StreamingPull delivers messages on a stream and takes acknowledgements
// and deadline changes from it.
func (s *Server) StreamingPull(sps pb.Subscriber_StreamingPullServer) error {
	req, err := sps.Recv()
	if err != nil {
		return err
	}
	s.mu.Lock()
	sub, err := s.findSub(req.Subscription)
	if err != nil {
		s.mu.Unlock()
		return err
	}
	if sub.proto.Detached {
		s.mu.Unlock()
		return errDetached(sub.proto.Name)
	}
	d := time.Duration(req.StreamAckDeadlineSeconds) * time.Second
	if d <= 0 {
		d = sub.ackDeadline()
	}
	st := &stream{
		sub:            sub,
		ackDeadline:    d,
		maxOutstanding: int(req.MaxOutstandingMessages),
		exactlyOnce:    sub.proto.EnableExactlyOnceDelivery,
		ordering:       sub.proto.EnableMessageOrdering,
		wake:           make(chan struct{}, 1),
		done:           make(chan struct{}),
	}
	if s.closed {
		s.mu.Unlock()
		return status.Error(codes.Unavailable, "server closed")
	}
	sub.streams = append(sub.streams, st)
	protocolVersion := req.ProtocolVersion
	s.handleStreamRequest(st, req, false)
	s.mu.Unlock()

	// The receive loop ends when the client closes its side or the
	// stream ends (the handler returning cancels it).
	recvErr := make(chan error, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		recvErr <- s.recvLoop(st, sps, protocolVersion)
	}()
	err = s.sendLoop(st, sps, recvErr)

	s.mu.Lock()
	st.close()
	for i, x := range sub.streams {
		if x == st {
			sub.streams = append(sub.streams[:i], sub.streams[i+1:]...)
			break
		}
	}
	s.mu.Unlock()
	return err
}

func (s *Server) recvLoop(st *stream, sps pb.Subscriber_StreamingPullServer, protocolVersion int64) error {
	for {
		req, err := sps.Recv()
		if err != nil {
			return err
		}
		s.mu.Lock()
		s.handleStreamRequest(st, req, protocolVersion >= 1)
		s.mu.Unlock()
	}
}

// handleStreamRequest applies a StreamingPull request's acks, deadline
// changes and stream deadline; the server mutex is held.
func (s *Server) handleStreamRequest(st *stream, req *pb.StreamingPullRequest, answerPings bool) {
	sub := st.sub
	now := s.now()
	if len(req.AckIds) == 0 && len(req.ModifyDeadlineAckIds) == 0 && answerPings {
		st.pingsToAnswer++
		st.signal()
	}
	for _, id := range req.AckIds {
		sub.ack(id, now)
	}
	for i, id := range req.ModifyDeadlineAckIds {
		if i < len(req.ModifyDeadlineSeconds) {
			sub.modAck(id, time.Duration(req.ModifyDeadlineSeconds[i])*time.Second, now)
		}
	}
	if req.StreamAckDeadlineSeconds > 0 {
		st.ackDeadline = time.Duration(req.StreamAckDeadlineSeconds) * time.Second
	}
	sub.deliver(now)
}

// sendLoop sends what is delivered to the stream until the client ends
// it (the receive loop's error, io.EOF for a clean end), the
// subscription or the server goes away, or a send fails.
func (s *Server) sendLoop(st *stream, sps pb.Subscriber_StreamingPullServer, recvErr <-chan error) error {
	for {
		select {
		case err := <-recvErr:
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		case <-st.done:
			return nil
		case <-sps.Context().Done():
			return nil
		case <-st.wake:
		}
		s.mu.Lock()
		batch := st.pending
		st.pending = nil
		pings := st.pingsToAnswer
		st.pingsToAnswer = 0
		props := &pb.StreamingPullResponse_SubscriptionProperties{
			ExactlyOnceDeliveryEnabled: st.exactlyOnce,
			MessageOrderingEnabled:     st.ordering,
		}
		s.mu.Unlock()
		if len(batch) > 0 {
			if err := sps.Send(&pb.StreamingPullResponse{ReceivedMessages: batch, SubscriptionProperties: props}); err != nil {
				return err
			}
		} else if pings > 0 {
			if err := sps.Send(&pb.StreamingPullResponse{}); err != nil {
				return err
			}
		}
	}
}

// --- Seek ---

// Seek marks the messages published before a time acknowledged and those
// published after it, that the subscription or its topic still holds,
// unacknowledged.
func (s *Server) Seek(_ context.Context, req *pb.SeekRequest) (*pb.SeekResponse, error) {
	var target time.Time
	switch v := req.Target.(type) {
	case nil:
		return nil, status.Errorf(codes.InvalidArgument, "missing Seek target type")
	case *pb.SeekRequest_Time:
		target = v.Time.AsTime()
	default:
		return nil, status.Errorf(codes.Unimplemented, "unhandled Seek target type %T", v)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.findSub(req.Subscription)
	if err != nil {
		return nil, err
	}
	now := s.now()
	for _, m := range slices.Clone(sub.queue) {
		if !m.removed && m.publishTime.Before(target) {
			sub.removeMsg(m)
		}
	}
	var back []*storedMessage
	if sub.topic != nil {
		back = append(back, sub.topic.log...)
	}
	back = append(back, sub.acked...)
	var keep []*storedMessage
	for _, sm := range sub.acked {
		if sm.publishTime.Before(target) {
			keep = append(keep, sm)
		}
	}
	sub.acked = keep
	for _, sm := range back {
		if !sm.publishTime.Before(target) {
			sub.add(sm)
		}
	}
	sortQueue(sub.queue)
	sub.deliver(now)
	return &pb.SeekResponse{}, nil
}

// sortQueue restores publish order after Seek added messages back.
func sortQueue(q []*message) {
	slices.SortStableFunc(q, func(a, b *message) int { return cmp.Compare(a.seq, b.seq) })
}
