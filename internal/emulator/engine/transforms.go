package engine

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pubsubctl/pubsubctl/internal/transform"
)

// The engine runs JavaScript UDF message transforms (internal/transform):
// a topic's on publish, before the message is stored (a failure fails the
// publish), a subscription's when a message is added to it, before
// delivery (a failure dead-letters the message when the subscription has a
// dead-letter topic; without one the failure is logged and the message is
// not delivered). Both run outside the server lock on publish (a UDF may
// run for up to its time bound); only messages the engine adds by itself
// (dead-lettered ones) run a subscription's UDFs under the lock. Zlib
// compression transforms compress or decompress the data (decompression
// bounded by the message size limit); AI inference transforms pass
// messages through unchanged.

// udfCache holds compiled UDFs by function name and code.
var udfCache = struct {
	sync.Mutex
	m map[string]*transform.Program
}{m: map[string]*transform.Program{}}

const maxCachedUDFs = 512

// CompileUDF compiles a UDF, caching the program.
func CompileUDF(u *pb.JavaScriptUDF) (*transform.Program, error) {
	key := u.GetFunctionName() + "\x00" + u.GetCode()
	udfCache.Lock()
	p := udfCache.m[key]
	udfCache.Unlock()
	if p != nil {
		return p, nil
	}
	p, err := transform.Compile(transform.UDF{FunctionName: u.GetFunctionName(), Code: u.GetCode()})
	if err != nil {
		return nil, err
	}
	udfCache.Lock()
	if len(udfCache.m) >= maxCachedUDFs {
		udfCache.m = map[string]*transform.Program{}
	}
	udfCache.m[key] = p
	udfCache.Unlock()
	return p, nil
}

// udfLimits are the bounds of one UDF call in the emulator.
var udfLimits = transform.DefaultLimits

// runTransforms runs the enabled JavaScript UDFs of ts on m. It returns
// the transformed message (m itself when nothing ran), nil when a UDF
// filtered it out, or the failure.
func runTransforms(ts []*pb.MessageTransform, m *pb.PubsubMessage, publishTime time.Time) (*pb.PubsubMessage, error) {
	var steps []transform.Step
	for i, t := range ts {
		if t.GetDisabled() {
			continue
		}
		if c := t.GetCompression(); c != nil && c.GetCompressionAlgorithm() == pb.Compression_ZLIB {
			steps = append(steps, transform.Step{Name: "message_transforms[" + strconv.Itoa(i) + "] compression",
				Native: transform.Zlib(c.GetCompressionMode() == pb.Compression_COMPRESS)})
			continue
		}
		u := t.GetJavascriptUdf()
		if u == nil {
			continue
		}
		p, err := CompileUDF(u)
		if err != nil {
			return nil, fmt.Errorf("transform %s does not compile: %v", u.GetFunctionName(), err)
		}
		steps = append(steps, transform.Step{Name: "message_transforms[" + strconv.Itoa(i) + "] " + u.GetFunctionName(), Program: p})
	}
	if len(steps) == 0 {
		return m, nil
	}
	in := transform.Message{Data: m.Data, Attributes: m.Attributes, MessageID: m.MessageId, OrderingKey: m.OrderingKey, PublishTime: publishTime}
	out, _, err := transform.RunChain(steps, in, udfLimits)
	if err != nil || out == nil {
		return nil, err
	}
	return &pb.PubsubMessage{Data: out.Data, Attributes: out.Attributes, MessageId: m.MessageId,
		PublishTime: m.PublishTime, OrderingKey: m.OrderingKey}, nil
}

// hasUDF reports whether ts has an enabled transform the emulator runs:
// a JavaScript UDF or a zlib compression.
func hasUDF(ts []*pb.MessageTransform) bool {
	for _, t := range ts {
		if (t.GetJavascriptUdf() != nil || t.GetCompression() != nil) && !t.GetDisabled() {
			return true
		}
	}
	return false
}

// transformFor returns the message sub delivers for sm: sm itself, a copy
// with the subscription's transforms applied, or nil when the transforms
// filtered it out or failed (a failure is dead-lettered or logged). The
// caller holds s.mu.
func (sub *subscription) transformFor(sm *storedMessage, now time.Time) *storedMessage {
	ts := sub.proto.GetMessageTransforms()
	if !hasUDF(ts) {
		return sm
	}
	out, err := runTransforms(ts, sm.msg, sm.publishTime)
	switch {
	case err != nil:
		sub.transformFailed(sm, err, now)
		return nil
	case out == nil:
		return nil // filtered out: acknowledged at once, like a filter
	}
	c := *sm
	c.msg = out
	return &c
}

// transformFailed dead-letters a message whose subscription transform
// failed, with the failure in the attribute CloudPubSubTransformError, or
// logs it when the subscription has no dead-letter topic.
func (sub *subscription) transformFailed(sm *storedMessage, err error, now time.Time) {
	dl := sub.proto.GetDeadLetterPolicy()
	t := sub.s.topics[dl.GetDeadLetterTopic()]
	if t == nil {
		sub.s.logf("emulator: subscription %s: message %s not delivered: %v (no dead-letter topic)", sub.proto.Name, sm.msg.MessageId, err)
		return
	}
	attrs := make(map[string]string, len(sm.msg.Attributes)+4)
	for k, v := range sm.msg.Attributes {
		attrs[k] = v
	}
	project, id, _ := strings.Cut(strings.TrimPrefix(sub.proto.Name, "projects/"), "/subscriptions/")
	attrs["CloudPubSubDeadLetterSourceDeliveryCount"] = "0"
	attrs["CloudPubSubDeadLetterSourceSubscription"] = id
	attrs["CloudPubSubDeadLetterSourceSubscriptionProject"] = project
	attrs["CloudPubSubDeadLetterSourceTopicPublishTime"] = sm.publishTime.UTC().Format(time.RFC3339Nano)
	attrs["CloudPubSubTransformError"] = truncate(err.Error(), 1024)
	pm := &pb.PubsubMessage{Data: sm.msg.Data, Attributes: attrs, OrderingKey: sm.msg.OrderingKey}
	sub.s.publishLocked(t, pm, now)
	for _, dsub := range t.subs {
		dsub.deliver(now)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// topicTransforms runs the topic's UDFs on each message of a publish,
// without holding s.mu (a UDF may run up to its time bound). A nil entry
// is a message a transform filtered out; a failure fails the publish, as
// on the service.
func (s *Server) topicTransforms(req *pb.PublishRequest) ([]*pb.PubsubMessage, error) {
	s.mu.Lock()
	var ts []*pb.MessageTransform
	if top := s.topics[req.Topic]; top != nil {
		ts = top.proto.GetMessageTransforms() // stored protos are replaced, never modified
	}
	s.mu.Unlock()
	if !hasUDF(ts) {
		return req.Messages, nil
	}
	now := s.now()
	out := make([]*pb.PubsubMessage, len(req.Messages))
	for i, pm := range req.Messages {
		m, err := runTransforms(ts, pm, now)
		if err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "message %d: %v", i, err)
		}
		out[i] = m
	}
	return out, nil
}

// subResult is the outcome of a subscription's transforms on one message,
// run outside the lock against the subscription's proto of that time.
type subResult struct {
	proto *pb.Subscription
	out   *pb.PubsubMessage // nil: filtered out, or failed
	err   error
}

// preTransformed holds a publish's reserved sequence numbers, its publish
// time and the subscription transforms already run, per message.
type preTransformed struct {
	now     time.Time
	seqs    []uint64
	results []map[*subscription]subResult
}

// subscriptionTransforms runs, without holding s.mu, the UDFs of the
// topic's subscriptions on each message of a publish, so that a slow or
// runaway UDF (stopped at its time bound) does not stall the emulator. It
// reserves the messages' IDs first: the UDFs see message_id and
// publish_time. It returns nil when no subscription of the topic has a
// UDF.
func (s *Server) subscriptionTransforms(topicName string, msgs []*pb.PubsubMessage) *preTransformed {
	s.mu.Lock()
	top := s.topics[topicName]
	if top == nil {
		s.mu.Unlock()
		return nil
	}
	var subs []*subscription
	var protos []*pb.Subscription
	for _, sub := range top.subs {
		if hasUDF(sub.proto.GetMessageTransforms()) {
			subs = append(subs, sub)
			protos = append(protos, sub.proto)
		}
	}
	if len(subs) == 0 {
		s.mu.Unlock()
		return nil
	}
	pre := &preTransformed{now: s.now(), seqs: make([]uint64, len(msgs)), results: make([]map[*subscription]subResult, len(msgs))}
	for i := range msgs {
		s.nextID++
		pre.seqs[i] = s.nextID
	}
	s.mu.Unlock()
	for i, pm := range msgs {
		if pm == nil {
			continue
		}
		pm.MessageId = fmt.Sprint(pre.seqs[i])
		pm.PublishTime = timestampOf(pre.now)
		pre.results[i] = make(map[*subscription]subResult, len(subs))
		for j, sub := range subs {
			out, err := runTransforms(protos[j].GetMessageTransforms(), pm, pre.now)
			pre.results[i][sub] = subResult{proto: protos[j], out: out, err: err}
		}
	}
	return pre
}

// applyResult turns a precomputed outcome into the message sub delivers
// (nil when filtered out or failed, a failure dead-lettered or logged).
// The caller holds s.mu.
func (sub *subscription) applyResult(sm *storedMessage, r subResult, now time.Time) *storedMessage {
	switch {
	case r.err != nil:
		sub.transformFailed(sm, r.err, now)
		return nil
	case r.out == nil:
		return nil
	case r.out == sm.msg:
		return sm
	}
	c := *sm
	c.msg = r.out
	return &c
}
