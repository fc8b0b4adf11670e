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
// (v2.8.1): the topic and subscription RPCs, reworked around sorted name
// indexes and copy-on-write protos, without pstest's reactors and with its
// delivery goroutines replaced by the event-driven engine in delivery.go.

package engine

import (
	"context"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	durpb "google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/emptypb"
)

// DeletedTopic is what a subscription's topic becomes when its topic is
// deleted.
const DeletedTopic = "_deleted-topic_"

const (
	minTopicRetention  = 10 * time.Minute
	maxTopicRetention  = 31 * 24 * time.Hour
	minSubRetention    = 10 * time.Minute
	maxSubRetention    = 31 * 24 * time.Hour
	defaultSubRetain   = 7 * 24 * time.Hour
	defaultAckDeadline = 10 * time.Second
	maxAckDeadline     = 600
)

// Options configure New.
type Options struct {
	// Now is the clock; nil means time.Now. Timers still run in real time:
	// a test that moves the clock wakes the engine with Kick.
	Now func() time.Time
	// Logf logs push failures and other events nobody asked for; nil means
	// log.Printf.
	Logf func(format string, args ...any)
	// Push configures push delivery.
	Push PushOptions
}

// Server holds the Pub/Sub state: topics, subscriptions, their messages
// and schemas. It implements the Publisher, Subscriber and SchemaService
// gRPC services. One mutex guards it all; nothing runs while nothing
// happens: deliveries are driven by requests and by timers set for the
// next ack-deadline expiry or backoff end of each subscription.
type Server struct {
	pb.UnimplementedPublisherServer
	pb.UnimplementedSubscriberServer
	pb.UnimplementedSchemaServiceServer

	now  func() time.Time
	logf func(format string, args ...any)

	mu       sync.Mutex
	topics   map[string]*topic
	topicIdx []string // sorted names of topics
	subs     map[string]*subscription
	subIdx   []string // sorted names of subscriptions
	schemas  map[string][]*pb.Schema
	nextID   uint64
	closed   bool

	push *pusher
	wg   sync.WaitGroup // stream send loops
}

// New returns an engine with no state. Close releases its timers and push
// workers.
func New(opts Options) *Server {
	s := &Server{
		now:     opts.Now,
		logf:    opts.Logf,
		topics:  map[string]*topic{},
		subs:    map[string]*subscription{},
		schemas: map[string][]*pb.Schema{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logf == nil {
		s.logf = log.Printf
	}
	s.push = newPusher(s, opts.Push)
	return s
}

// Close stops the timers and the push workers and waits for them. The
// gRPC server serving s must be stopped first.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	for _, sub := range s.subs {
		sub.stopTimer()
		for _, st := range sub.streams {
			st.close()
		}
	}
	s.mu.Unlock()
	s.push.close()
	s.wg.Wait()
}

// Kick re-examines every subscription now: expired ack deadlines and ended
// backoffs take effect. Tests that move the clock given in Options.Now
// call it; the engine itself never needs it.
func (s *Server) Kick() {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	for _, sub := range s.subs {
		sub.onTimer(now)
	}
}

// --- sorted name indexes ---

func indexInsert(idx []string, name string) []string {
	i, found := slices.BinarySearch(idx, name)
	if found {
		return idx
	}
	return slices.Insert(idx, i, name)
}

func indexDelete(idx []string, name string) []string {
	i, found := slices.BinarySearch(idx, name)
	if !found {
		return idx
	}
	return slices.Delete(idx, i, i+1)
}

// indexPage returns the names of idx that start with prefix, from the
// offset token on, at most size of them (all when size is 0), and the
// next page's token.
func indexPage(idx []string, prefix string, size int32, token string) ([]string, string, error) {
	from := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 {
			return nil, "", status.Errorf(codes.InvalidArgument, "Invalid page_token %q", token)
		}
		from = n
	}
	lo, _ := slices.BinarySearch(idx, prefix)
	hi := lo + sortSearchPrefixEnd(idx[lo:], prefix)
	n := hi - lo
	if from > n {
		from = n
	}
	to := n
	next := ""
	if size > 0 && from+int(size) < n {
		to = from + int(size)
		next = strconv.Itoa(to)
	}
	return idx[lo+from : lo+to], next, nil
}

// sortSearchPrefixEnd returns how many leading names of idx (sorted, all
// >= prefix) start with prefix.
func sortSearchPrefixEnd(idx []string, prefix string) int {
	lo, hi := 0, len(idx)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if strings.HasPrefix(idx[m], prefix) {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// projectPrefix turns "projects/p" into "projects/p/<collection>/"; ""
// (every project) stays "".
func projectPrefix(project, collection string) string {
	if project == "" {
		return ""
	}
	return strings.TrimSuffix(project, "/") + "/" + collection + "/"
}

// --- topics ---

type topic struct {
	proto *pb.Topic // replaced, never modified, once stored
	subs  map[string]*subscription
	// log holds the messages published while the topic has a message
	// retention, for Seek.
	log []*storedMessage
}

func checkTopicRetention(d *durpb.Duration) error {
	if d == nil {
		return nil
	}
	if v := d.AsDuration(); v < minTopicRetention || v > maxTopicRetention {
		return status.Errorf(codes.InvalidArgument, "bad message_retention_duration %+v", d)
	}
	return nil
}

// CreateTopic creates a topic.
func (s *Server) CreateTopic(_ context.Context, t *pb.Topic) (*pb.Topic, error) {
	if t.GetName() == "" {
		return nil, status.Errorf(codes.InvalidArgument, "missing topic name")
	}
	if err := checkTopicRetention(t.MessageRetentionDuration); err != nil {
		return nil, err
	}
	t = proto.Clone(t).(*pb.Topic)
	if t.State == pb.Topic_STATE_UNSPECIFIED {
		t.State = pb.Topic_ACTIVE
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.topics[t.Name] != nil {
		return nil, status.Errorf(codes.AlreadyExists, "Topic already exists: %s", t.Name)
	}
	s.topics[t.Name] = &topic{proto: t, subs: map[string]*subscription{}}
	s.topicIdx = indexInsert(s.topicIdx, t.Name)
	return t, nil
}

// GetTopic returns a topic. The result must not be modified.
func (s *Server) GetTopic(_ context.Context, req *pb.GetTopicRequest) (*pb.Topic, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.topics[req.Topic]; t != nil {
		return t.proto, nil
	}
	return nil, status.Errorf(codes.NotFound, "Topic not found: %s", req.Topic)
}

// UpdateTopic changes the fields of the update mask.
func (s *Server) UpdateTopic(_ context.Context, req *pb.UpdateTopicRequest) (*pb.Topic, error) {
	if req.GetTopic() == nil || req.UpdateMask == nil {
		return nil, status.Errorf(codes.InvalidArgument, "missing topic or update_mask")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.topics[req.Topic.Name]
	if t == nil {
		return nil, status.Errorf(codes.NotFound, "Topic not found: %s", req.Topic.Name)
	}
	p := proto.Clone(t.proto).(*pb.Topic)
	in := req.Topic
	ss := func() *pb.SchemaSettings {
		if p.SchemaSettings == nil {
			p.SchemaSettings = &pb.SchemaSettings{}
		}
		return p.SchemaSettings
	}
	for _, path := range req.UpdateMask.Paths {
		switch path {
		case "labels":
			p.Labels = in.Labels
		case "message_storage_policy":
			p.MessageStoragePolicy = in.MessageStoragePolicy
		case "message_retention_duration":
			if err := checkTopicRetention(in.MessageRetentionDuration); err != nil {
				return nil, err
			}
			p.MessageRetentionDuration = in.MessageRetentionDuration
		case "kms_key_name":
			p.KmsKeyName = in.KmsKeyName
		case "schema_settings":
			p.SchemaSettings = in.SchemaSettings
		case "schema_settings.schema":
			ss().Schema = in.GetSchemaSettings().GetSchema()
		case "schema_settings.encoding":
			ss().Encoding = in.GetSchemaSettings().GetEncoding()
		case "schema_settings.first_revision_id":
			ss().FirstRevisionId = in.GetSchemaSettings().GetFirstRevisionId()
		case "schema_settings.last_revision_id":
			ss().LastRevisionId = in.GetSchemaSettings().GetLastRevisionId()
		case "ingestion_data_source_settings":
			p.IngestionDataSourceSettings = in.IngestionDataSourceSettings
			if p.IngestionDataSourceSettings != nil {
				p.State = pb.Topic_ACTIVE
			}
		case "message_transforms":
			p.MessageTransforms = in.MessageTransforms
		default:
			return nil, status.Errorf(codes.InvalidArgument, "unknown field name %q", path)
		}
	}
	p = proto.Clone(p).(*pb.Topic) // own every field taken from the request
	t.proto = p
	if p.MessageRetentionDuration == nil {
		t.log = nil
	}
	return p, nil
}

// ListTopics lists the topics of a project ("projects/P") in name order,
// with offset page tokens.
func (s *Server) ListTopics(_ context.Context, req *pb.ListTopicsRequest) (*pb.ListTopicsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names, next, err := indexPage(s.topicIdx, projectPrefix(req.Project, "topics"), req.PageSize, req.PageToken)
	if err != nil {
		return nil, err
	}
	res := &pb.ListTopicsResponse{NextPageToken: next, Topics: make([]*pb.Topic, 0, len(names))}
	for _, n := range names {
		res.Topics = append(res.Topics, s.topics[n].proto)
	}
	return res, nil
}

// ListTopicSubscriptions lists the subscriptions attached to a topic.
func (s *Server) ListTopicSubscriptions(_ context.Context, req *pb.ListTopicSubscriptionsRequest) (*pb.ListTopicSubscriptionsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.topics[req.Topic]
	if t == nil {
		return nil, status.Errorf(codes.NotFound, "Topic not found: %s", req.Topic)
	}
	names := make([]string, 0, len(t.subs))
	for n := range t.subs {
		names = append(names, n)
	}
	slices.Sort(names)
	page, next, err := indexPage(names, "", req.PageSize, req.PageToken)
	if err != nil {
		return nil, err
	}
	return &pb.ListTopicSubscriptionsResponse{Subscriptions: page, NextPageToken: next}, nil
}

// DeleteTopic deletes a topic; its subscriptions stay, with the topic
// _deleted-topic_.
func (s *Server) DeleteTopic(_ context.Context, req *pb.DeleteTopicRequest) (*emptypb.Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.topics[req.Topic]
	if t == nil {
		return nil, status.Errorf(codes.NotFound, "Topic not found: %s", req.Topic)
	}
	for _, n := range s.subIdx {
		if s.subs[n].proto.GetDeadLetterPolicy().GetDeadLetterTopic() == req.Topic {
			return nil, status.Errorf(codes.FailedPrecondition, "topic %q used as deadLetter for %s", req.Topic, n)
		}
	}
	for _, sub := range t.subs {
		p := proto.Clone(sub.proto).(*pb.Subscription)
		p.Topic = DeletedTopic
		sub.proto = p
		sub.topic = nil
	}
	delete(s.topics, req.Topic)
	s.topicIdx = indexDelete(s.topicIdx, req.Topic)
	return &emptypb.Empty{}, nil
}

// --- subscriptions ---

func checkSubRetention(d *durpb.Duration) error {
	if d == nil {
		return nil
	}
	if v := d.AsDuration(); v < minSubRetention || v > maxSubRetention {
		return status.Errorf(codes.InvalidArgument, "bad message_retention_duration %+v", d)
	}
	return nil
}

func checkAckDeadline(secs int32) error {
	if secs < 0 || secs > maxAckDeadline {
		return status.Errorf(codes.InvalidArgument, "bad ack_deadline_seconds: %d", secs)
	}
	return nil
}

// normPushConfig makes a pull subscription's push config empty and
// defaults a push subscription's wrapper to the Pub/Sub wrapper.
func normPushConfig(pc *pb.PushConfig) *pb.PushConfig {
	if pc == nil || pc.PushEndpoint == "" {
		return &pb.PushConfig{}
	}
	if pc.Wrapper == nil {
		pc.Wrapper = &pb.PushConfig_PubsubWrapper_{PubsubWrapper: &pb.PushConfig_PubsubWrapper{}}
	}
	return pc
}

// CreateSubscription creates a subscription.
func (s *Server) CreateSubscription(_ context.Context, ps *pb.Subscription) (*pb.Subscription, error) {
	if ps.GetName() == "" {
		return nil, status.Errorf(codes.InvalidArgument, "missing name")
	}
	if ps.Topic == "" {
		return nil, status.Errorf(codes.InvalidArgument, "missing topic")
	}
	if err := checkAckDeadline(ps.AckDeadlineSeconds); err != nil {
		return nil, err
	}
	if err := checkSubRetention(ps.MessageRetentionDuration); err != nil {
		return nil, err
	}
	var f filterNode
	if ps.Filter != "" {
		var err error
		if f, err = parseFilter(ps.Filter); err != nil {
			return nil, status.Errorf(codes.InvalidArgument, "bad filter: %v", err)
		}
	}
	ps = proto.Clone(ps).(*pb.Subscription)
	if ps.MessageRetentionDuration == nil {
		ps.MessageRetentionDuration = durpb.New(defaultSubRetain)
	}
	ps.PushConfig = normPushConfig(ps.PushConfig)
	if ps.GetBigqueryConfig().GetTable() != "" {
		ps.BigqueryConfig.State = pb.BigQueryConfig_ACTIVE
	}
	if ps.CloudStorageConfig != nil && ps.CloudStorageConfig.Bucket != "" {
		ps.CloudStorageConfig.State = pb.CloudStorageConfig_ACTIVE
	}
	if ps.BigtableConfig != nil {
		ps.BigtableConfig.State = pb.BigtableConfig_ACTIVE
	}
	ps.State = pb.Subscription_ACTIVE
	ps.Detached = false

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subs[ps.Name] != nil {
		return nil, status.Errorf(codes.AlreadyExists, "Subscription already exists: %s", ps.Name)
	}
	top := s.topics[ps.Topic]
	if top == nil {
		return nil, status.Errorf(codes.NotFound, "Topic not found: %s", ps.Topic)
	}
	if dl := ps.DeadLetterPolicy; dl != nil && s.topics[dl.DeadLetterTopic] == nil {
		return nil, status.Errorf(codes.NotFound, "deadLetter topic %q", dl.DeadLetterTopic)
	}
	ps.TopicMessageRetentionDuration = top.proto.MessageRetentionDuration
	sub := newSubscription(s, top, ps, f)
	top.subs[ps.Name] = sub
	s.subs[ps.Name] = sub
	s.subIdx = indexInsert(s.subIdx, ps.Name)
	return ps, nil
}

func (s *Server) findSub(name string) (*subscription, error) {
	if name == "" {
		return nil, status.Errorf(codes.InvalidArgument, "missing subscription")
	}
	sub := s.subs[name]
	if sub == nil {
		return nil, status.Errorf(codes.NotFound, "Subscription does not exist (resource=%s)", name)
	}
	return sub, nil
}

// GetSubscription returns a subscription. The result must not be
// modified.
func (s *Server) GetSubscription(_ context.Context, req *pb.GetSubscriptionRequest) (*pb.Subscription, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.findSub(req.Subscription)
	if err != nil {
		return nil, err
	}
	return sub.proto, nil
}

// UpdateSubscription changes the fields of the update mask.
func (s *Server) UpdateSubscription(_ context.Context, req *pb.UpdateSubscriptionRequest) (*pb.Subscription, error) {
	if req.GetSubscription() == nil || req.UpdateMask == nil {
		return nil, status.Errorf(codes.InvalidArgument, "missing subscription or update_mask")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.findSub(req.Subscription.Name)
	if err != nil {
		return nil, err
	}
	p := proto.Clone(sub.proto).(*pb.Subscription)
	in := req.Subscription
	f := sub.filter
	for _, path := range req.UpdateMask.Paths {
		switch path {
		case "push_config":
			p.PushConfig = normPushConfig(proto.Clone(in.GetPushConfig()).(*pb.PushConfig))
		case "bigquery_config":
			p.BigqueryConfig = in.BigqueryConfig
			if p.BigqueryConfig != nil {
				if p.BigqueryConfig.Table == "" {
					return nil, status.Errorf(codes.InvalidArgument, "table must be provided")
				}
				p.BigqueryConfig.State = pb.BigQueryConfig_ACTIVE
			}
		case "cloud_storage_config":
			p.CloudStorageConfig = in.CloudStorageConfig
			if p.CloudStorageConfig != nil {
				p.CloudStorageConfig.State = pb.CloudStorageConfig_ACTIVE
			}
		case "bigtable_config":
			p.BigtableConfig = in.BigtableConfig
			if p.BigtableConfig != nil {
				p.BigtableConfig.State = pb.BigtableConfig_ACTIVE
			}
		case "ack_deadline_seconds":
			if err := checkAckDeadline(in.AckDeadlineSeconds); err != nil {
				return nil, err
			}
			p.AckDeadlineSeconds = in.AckDeadlineSeconds
		case "retain_acked_messages":
			p.RetainAckedMessages = in.RetainAckedMessages
		case "message_retention_duration":
			if err := checkSubRetention(in.MessageRetentionDuration); err != nil {
				return nil, err
			}
			p.MessageRetentionDuration = in.MessageRetentionDuration
			if p.MessageRetentionDuration == nil {
				p.MessageRetentionDuration = durpb.New(defaultSubRetain)
			}
		case "labels":
			p.Labels = in.Labels
		case "expiration_policy":
			p.ExpirationPolicy = in.ExpirationPolicy
		case "dead_letter_policy":
			if dl := in.DeadLetterPolicy; dl != nil && s.topics[dl.DeadLetterTopic] == nil {
				return nil, status.Errorf(codes.NotFound, "Topic not found: %s", dl.DeadLetterTopic)
			}
			p.DeadLetterPolicy = in.DeadLetterPolicy
		case "retry_policy":
			p.RetryPolicy = in.RetryPolicy
		case "filter":
			nf, err := parseFilter(in.Filter)
			if in.Filter == "" {
				nf, err = nil, nil
			}
			if err != nil {
				return nil, status.Errorf(codes.InvalidArgument, "bad filter: %v", err)
			}
			f = nf
			p.Filter = in.Filter
		case "enable_exactly_once_delivery":
			p.EnableExactlyOnceDelivery = in.EnableExactlyOnceDelivery
		case "message_transforms":
			p.MessageTransforms = in.MessageTransforms
		default:
			return nil, status.Errorf(codes.InvalidArgument, "unknown field name %q", path)
		}
	}
	p = proto.Clone(p).(*pb.Subscription) // own every field taken from the request
	sub.proto = p
	sub.filter = f
	for _, st := range sub.streams {
		st.exactlyOnce = p.EnableExactlyOnceDelivery
	}
	sub.deliver(s.now())
	return p, nil
}

// ListSubscriptions lists the subscriptions of a project ("projects/P")
// in name order, with offset page tokens.
func (s *Server) ListSubscriptions(_ context.Context, req *pb.ListSubscriptionsRequest) (*pb.ListSubscriptionsResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	names, next, err := indexPage(s.subIdx, projectPrefix(req.Project, "subscriptions"), req.PageSize, req.PageToken)
	if err != nil {
		return nil, err
	}
	res := &pb.ListSubscriptionsResponse{NextPageToken: next, Subscriptions: make([]*pb.Subscription, 0, len(names))}
	for _, n := range names {
		res.Subscriptions = append(res.Subscriptions, s.subs[n].proto)
	}
	return res, nil
}

// DeleteSubscription deletes a subscription and its messages.
func (s *Server) DeleteSubscription(_ context.Context, req *pb.DeleteSubscriptionRequest) (*emptypb.Empty, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.findSub(req.Subscription)
	if err != nil {
		return nil, err
	}
	sub.remove()
	delete(s.subs, req.Subscription)
	s.subIdx = indexDelete(s.subIdx, req.Subscription)
	return &emptypb.Empty{}, nil
}

// DetachSubscription detaches a subscription from its topic: it gets no
// more messages, drops those it has and refuses to deliver.
func (s *Server) DetachSubscription(_ context.Context, req *pb.DetachSubscriptionRequest) (*pb.DetachSubscriptionResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sub, err := s.findSub(req.Subscription)
	if err != nil {
		return nil, err
	}
	if sub.topic != nil {
		delete(sub.topic.subs, sub.proto.Name)
		sub.topic = nil
	}
	p := proto.Clone(sub.proto).(*pb.Subscription)
	p.Detached = true
	sub.proto = p
	sub.dropMessages()
	return &pb.DetachSubscriptionResponse{}, nil
}

// --- publish ---

// Publish publishes messages to a topic and wakes the subscriptions that
// take them.
func (s *Server) Publish(_ context.Context, req *pb.PublishRequest) (*pb.PublishResponse, error) {
	if req.Topic == "" {
		return nil, status.Errorf(codes.InvalidArgument, "missing topic")
	}
	msgs, err := s.topicTransforms(req)
	if err != nil {
		return nil, err
	}
	pre := s.subscriptionTransforms(req.Topic, msgs)
	s.mu.Lock()
	defer s.mu.Unlock()
	top := s.topics[req.Topic]
	if top == nil {
		return nil, status.Errorf(codes.NotFound, "Topic not found: %s", req.Topic)
	}
	ids := make([]string, 0, len(req.Messages))
	now := s.now()
	if pre != nil {
		now = pre.now
	}
	for i, pm := range msgs {
		var seq uint64
		var done map[*subscription]subResult
		if pre != nil {
			seq, done = pre.seqs[i], pre.results[i]
		} else {
			s.nextID++
			seq = s.nextID
		}
		if pm == nil { // filtered out by a topic transform: an ID, but not stored
			ids = append(ids, fmt.Sprint(seq))
			continue
		}
		ids = append(ids, s.publishSeqLocked(top, pm, now, seq, done))
	}
	for _, sub := range top.subs {
		sub.deliver(now)
	}
	return &pb.PublishResponse{MessageIds: ids}, nil
}

// publishLocked stores pm (which it takes over) in top's subscriptions;
// the caller delivers.
func (s *Server) publishLocked(top *topic, pm *pb.PubsubMessage, now time.Time) string {
	s.nextID++
	return s.publishSeqLocked(top, pm, now, s.nextID, nil)
}

// publishSeqLocked is publishLocked with the message's sequence number
// (its ID) already reserved, and the subscription transforms already run
// outside the lock (done; a subscription missing from it, or changed
// since, runs them here).
func (s *Server) publishSeqLocked(top *topic, pm *pb.PubsubMessage, now time.Time, seq uint64, done map[*subscription]subResult) string {
	id := fmt.Sprint(seq)
	pm.MessageId = id
	pm.PublishTime = timestampOf(now)
	sm := &storedMessage{msg: pm, publishTime: now, seq: seq}
	if top.proto.MessageRetentionDuration != nil {
		top.log = append(top.log, sm)
		top.pruneLog(now)
	}
	for _, sub := range top.subs {
		tm := sm
		if r, ok := done[sub]; ok && r.proto == sub.proto {
			tm = sub.applyResult(sm, r, now)
		} else {
			tm = sub.transformFor(sm, now)
		}
		if tm != nil {
			sub.add(tm)
		}
	}
	return id
}

func (t *topic) pruneLog(now time.Time) {
	cut := now.Add(-t.proto.MessageRetentionDuration.AsDuration())
	i := 0
	for i < len(t.log) && t.log[i].publishTime.Before(cut) {
		i++
	}
	if i > 0 {
		t.log = slices.Delete(t.log, 0, i)
	}
}
