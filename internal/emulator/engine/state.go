package engine

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
)

// State is the engine's state in a form that survives a restart: topics,
// subscriptions with their unacknowledged messages, and schemas, each
// proto as protojson. Deliveries in progress are not kept: their messages
// come back available.
type State struct {
	Topics        []json.RawMessage            `json:"topics"`
	Subscriptions []SubscriptionState          `json:"subscriptions"`
	Schemas       map[string][]json.RawMessage `json:"schemas"` // name -> revisions, oldest first
	NextID        uint64                       `json:"next_message_id"`
}

// SubscriptionState is one subscription and its unacknowledged messages,
// in publish order.
type SubscriptionState struct {
	Subscription json.RawMessage `json:"subscription"`
	Messages     []MessageState  `json:"messages,omitempty"`
}

// MessageState is an unacknowledged message and its delivery attempts.
type MessageState struct {
	Message    json.RawMessage `json:"message"`
	Deliveries int32           `json:"deliveries,omitempty"`
}

func marshal(m proto.Message) (json.RawMessage, error) {
	b, err := protojson.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", m, err)
	}
	return b, nil
}

// Export returns the state.
func (s *Server) Export() (*State, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := &State{Schemas: map[string][]json.RawMessage{}, NextID: s.nextID}
	for _, n := range s.topicIdx {
		b, err := marshal(s.topics[n].proto)
		if err != nil {
			return nil, err
		}
		st.Topics = append(st.Topics, b)
	}
	for _, n := range s.subIdx {
		sub := s.subs[n]
		b, err := marshal(sub.proto)
		if err != nil {
			return nil, err
		}
		ss := SubscriptionState{Subscription: b}
		for _, m := range sub.queue {
			if m.removed {
				continue
			}
			mb, err := marshal(m.msg)
			if err != nil {
				return nil, err
			}
			ss.Messages = append(ss.Messages, MessageState{Message: mb, Deliveries: m.deliveries})
		}
		st.Subscriptions = append(st.Subscriptions, ss)
	}
	for name, revs := range s.schemas {
		for _, r := range revs {
			b, err := marshal(r)
			if err != nil {
				return nil, err
			}
			st.Schemas[name] = append(st.Schemas[name], b)
		}
	}
	return st, nil
}

// Import loads st into an engine that has no topics, subscriptions or
// schemas yet.
func (s *Server) Import(st *State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.topics) > 0 || len(s.subs) > 0 || len(s.schemas) > 0 {
		return fmt.Errorf("import: the engine is not empty")
	}
	topics := map[string]*topic{}
	for i, raw := range st.Topics {
		t := &pb.Topic{}
		if err := protojson.Unmarshal(raw, t); err != nil || t.Name == "" {
			return fmt.Errorf("topic %d: not a topic: %v", i, err)
		}
		topics[t.Name] = &topic{proto: t, subs: map[string]*subscription{}}
	}
	subs := map[string]*subscription{}
	var seq uint64
	for i, ss := range st.Subscriptions {
		p := &pb.Subscription{}
		if err := protojson.Unmarshal(ss.Subscription, p); err != nil || p.Name == "" {
			return fmt.Errorf("subscription %d: not a subscription: %v", i, err)
		}
		var f filterNode
		if p.Filter != "" {
			var err error
			if f, err = parseFilter(p.Filter); err != nil {
				return fmt.Errorf("subscription %s: filter: %w", p.Name, err)
			}
		}
		t := topics[p.Topic]
		if p.Detached {
			t = nil
		}
		sub := newSubscription(s, t, p, f)
		for j, ms := range ss.Messages {
			pm := &pb.PubsubMessage{}
			if err := protojson.Unmarshal(ms.Message, pm); err != nil || pm.MessageId == "" {
				return fmt.Errorf("subscription %s: message %d: not a message: %v", p.Name, j, err)
			}
			id, err := strconv.ParseUint(pm.MessageId, 10, 64)
			if err != nil {
				id = seq + 1
			}
			seq = max(seq, id)
			sub.add(&storedMessage{msg: pm, publishTime: pm.GetPublishTime().AsTime(), seq: id})
			if m := sub.msgs[pm.MessageId]; m != nil {
				m.deliveries = ms.Deliveries
			}
		}
		sortQueue(sub.queue)
		if t != nil {
			t.subs[p.Name] = sub
		}
		subs[p.Name] = sub
	}
	schemas := map[string][]*pb.Schema{}
	for name, revs := range st.Schemas {
		for i, raw := range revs {
			sc := &pb.Schema{}
			if err := protojson.Unmarshal(raw, sc); err != nil {
				return fmt.Errorf("schema %s revision %d: %w", name, i, err)
			}
			schemas[name] = append(schemas[name], sc)
		}
	}
	s.topics, s.subs, s.schemas = topics, subs, schemas
	s.topicIdx, s.subIdx = nil, nil
	for n := range topics {
		s.topicIdx = append(s.topicIdx, n)
	}
	for n := range subs {
		s.subIdx = append(s.subIdx, n)
	}
	slices.Sort(s.topicIdx)
	slices.Sort(s.subIdx)
	s.nextID = max(st.NextID, seq)
	now := s.now()
	for _, sub := range subs {
		sub.deliver(now)
	}
	return nil
}
