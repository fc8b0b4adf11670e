package engine

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
)

// PushOptions configure push delivery.
type PushOptions struct {
	// MaxConcurrent bounds the push requests in flight over all
	// subscriptions; 0 means DefaultMaxConcurrentPushes.
	MaxConcurrent int
	// PerSubscription bounds the push requests in flight for one
	// subscription; 0 means DefaultPushesPerSubscription.
	PerSubscription int
	// Token returns the OIDC token of a push request for a push config
	// with an oidc_token; nil makes such pushes fail.
	Token func(ctx context.Context, audience, serviceAccount string) (string, error)
	// Timeout, when positive, bounds a push request below the
	// subscription's ack deadline (tests).
	Timeout time.Duration
}

const (
	// DefaultMaxConcurrentPushes is PushOptions.MaxConcurrent's default.
	DefaultMaxConcurrentPushes = 64
	// DefaultPushesPerSubscription is PushOptions.PerSubscription's default.
	DefaultPushesPerSubscription = 16
	// maxPushResponse is how much of a push response body is read.
	maxPushResponse = 64 << 10
	pushUserAgent   = "APIs-Google; (+https://developers.google.com/webmasters/APIs-Google.html)"
)

// pushAck are the HTTP statuses that acknowledge a push (pubsub-facts §11).
var pushAck = map[int]bool{102: true, 200: true, 201: true, 202: true, 204: true}

// pushJob is one push request, built under the server mutex so that the
// worker needs no state.
type pushJob struct {
	sub      *subscription
	ackID    string
	endpoint string
	body     []byte
	header   http.Header
	audience string // OIDC; "" without a token
	account  string
	timeout  time.Duration
}

// pusher runs push requests on at most max workers, started when there is
// work and ended when there is none.
type pusher struct {
	s       *Server
	opts    PushOptions
	client  *http.Client
	ctx     context.Context
	cancel  context.CancelFunc
	mu      sync.Mutex
	queue   []*pushJob
	running int
	closed  bool
	wg      sync.WaitGroup
}

func newPusher(s *Server, opts PushOptions) *pusher {
	if opts.MaxConcurrent <= 0 {
		opts.MaxConcurrent = DefaultMaxConcurrentPushes
	}
	if opts.PerSubscription <= 0 {
		opts.PerSubscription = DefaultPushesPerSubscription
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second, Control: dialControl}
	tr := &http.Transport{
		Proxy:               nil, // pushes go to local endpoints, never through a proxy
		DialContext:         dialer.DialContext,
		MaxIdleConnsPerHost: opts.MaxConcurrent,
		IdleConnTimeout:     30 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &pusher{
		s:    s,
		opts: opts,
		client: &http.Client{
			Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse // a redirect is a failed push
			},
		},
		ctx:    ctx,
		cancel: cancel,
	}
}

// LocalAddr reports whether a is an address the emulator pushes to:
// loopback, private (RFC 1918, RFC 4193) or link-local.
func LocalAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast()
}

// dialControl refuses connections to public addresses: the emulator is a
// local tool and pushes only to the machine and its private networks.
func dialControl(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("push endpoint address %s: %w", address, err)
	}
	if !LocalAddr(ap.Addr()) {
		return fmt.Errorf("push endpoint address %s is public: the emulator pushes only to loopback and private addresses", ap.Addr())
	}
	return nil
}

func (p *pusher) close() {
	p.mu.Lock()
	p.closed = true
	p.queue = nil
	p.mu.Unlock()
	p.cancel()
	p.wg.Wait()
	p.client.CloseIdleConnections()
}

func (p *pusher) enqueue(j *pushJob) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.queue = append(p.queue, j)
	if p.running < p.opts.MaxConcurrent {
		p.running++
		p.wg.Add(1)
		go p.work()
	}
}

func (p *pusher) work() {
	defer p.wg.Done()
	for {
		p.mu.Lock()
		if p.closed || len(p.queue) == 0 {
			p.running--
			p.mu.Unlock()
			return
		}
		j := p.queue[0]
		p.queue[0] = nil
		p.queue = p.queue[1:]
		p.mu.Unlock()
		err := p.do(j)
		p.done(j, err)
	}
}

// dispatch starts pushes of the subscription's available messages, up to
// its share of concurrent requests; the server mutex is held.
func (p *pusher) dispatch(sub *subscription, now time.Time) {
	if sub.pushInflight >= p.opts.PerSubscription {
		return
	}
	sub.available(now, func(m *message) bool {
		d := sub.ackDeadline()
		rm := sub.lease(m, now, d)
		m.pushing = true
		j, err := buildPush(sub, rm, d)
		if err != nil { // cannot happen for a valid message; treat as a failed push
			sub.pushFailed(m, now, err)
			return true
		}
		if p.opts.Timeout > 0 && p.opts.Timeout < j.timeout {
			j.timeout = p.opts.Timeout
		}
		sub.pushInflight++
		p.enqueue(j)
		return sub.pushInflight < p.opts.PerSubscription
	})
}

type wrappedMessage struct {
	Data         string            `json:"data,omitempty"`
	Attributes   map[string]string `json:"attributes,omitempty"`
	MessageID    string            `json:"messageId"`
	MessageIDs   string            `json:"message_id"`
	PublishTime  string            `json:"publishTime"`
	PublishTimes string            `json:"publish_time"`
	OrderingKey  string            `json:"orderingKey,omitempty"`
}

type wrappedBody struct {
	Message         wrappedMessage `json:"message"`
	Subscription    string         `json:"subscription"`
	DeliveryAttempt int32          `json:"deliveryAttempt,omitempty"`
}

// buildPush makes the request of one delivery in the subscription's
// push format.
func buildPush(sub *subscription, rm *pb.ReceivedMessage, ackDeadline time.Duration) (*pushJob, error) {
	pc := sub.proto.GetPushConfig()
	m := rm.Message
	pt := m.GetPublishTime().AsTime().UTC().Format(time.RFC3339Nano)
	j := &pushJob{sub: sub, ackID: rm.AckId, endpoint: pc.PushEndpoint, header: http.Header{}, timeout: ackDeadline}
	j.header.Set("User-Agent", pushUserAgent)
	if nw := pc.GetNoWrapper(); nw != nil {
		j.body = m.Data
		if nw.WriteMetadata {
			for k, v := range m.Attributes {
				if validHeaderName(k) && validHeaderValue(v) {
					j.header.Set(k, v)
				}
			}
			j.header.Set("x-goog-pubsub-message-id", m.MessageId)
			j.header.Set("x-goog-pubsub-publish-time", pt)
			j.header.Set("x-goog-pubsub-subscription-name", sub.proto.Name)
			if m.OrderingKey != "" && validHeaderValue(m.OrderingKey) {
				j.header.Set("x-goog-pubsub-ordering-key", m.OrderingKey)
			}
		}
	} else {
		b, err := json.Marshal(wrappedBody{
			Message: wrappedMessage{
				Data:         base64.StdEncoding.EncodeToString(m.Data),
				Attributes:   m.Attributes,
				MessageID:    m.MessageId,
				MessageIDs:   m.MessageId,
				PublishTime:  pt,
				PublishTimes: pt,
				OrderingKey:  m.OrderingKey,
			},
			Subscription:    sub.proto.Name,
			DeliveryAttempt: rm.DeliveryAttempt,
		})
		if err != nil {
			return nil, fmt.Errorf("encode push body: %w", err)
		}
		j.body = b
		j.header.Set("Content-Type", "application/json")
	}
	if tok := pc.GetOidcToken(); tok != nil {
		j.account = tok.ServiceAccountEmail
		j.audience = tok.Audience
		if j.audience == "" {
			j.audience = pc.PushEndpoint
		}
	}
	return j, nil
}

func validHeaderName(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// checkEndpoint fails fast for an endpoint the emulator does not push to.
func checkEndpoint(endpoint string) error {
	u, err := url.Parse(endpoint)
	if err != nil {
		return fmt.Errorf("bad push endpoint: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("push endpoint scheme %q: want http or https", u.Scheme)
	}
	if a, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil && !LocalAddr(a) {
		return fmt.Errorf("push endpoint host %s is public: the emulator pushes only to loopback and private addresses", a)
	}
	return nil
}

// do sends one push request; nil means acknowledged.
func (p *pusher) do(j *pushJob) error {
	if err := checkEndpoint(j.endpoint); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(p.ctx, j.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.endpoint, bytes.NewReader(j.body))
	if err != nil {
		return fmt.Errorf("build push request: %w", err)
	}
	req.Header = j.header.Clone()
	if j.account != "" {
		if p.opts.Token == nil {
			return errors.New("push config has an oidc_token but the emulator has no token signer")
		}
		tok, err := p.opts.Token(ctx, j.audience, j.account)
		if err != nil {
			return fmt.Errorf("sign OIDC token: %w", err)
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("no answer within %v", j.timeout)
		}
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxPushResponse))
	_ = resp.Body.Close()
	if !pushAck[resp.StatusCode] {
		if loc := resp.Header.Get("Location"); loc != "" && resp.StatusCode/100 == 3 {
			return fmt.Errorf("HTTP %d redirect to %s (redirects are not followed)", resp.StatusCode, loc)
		}
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// done applies the outcome of a push.
func (p *pusher) done(j *pushJob, err error) {
	s := p.s
	s.mu.Lock()
	defer s.mu.Unlock()
	sub := j.sub
	sub.pushInflight--
	if s.closed || sub.deleted {
		return
	}
	now := s.now()
	if m := sub.byAckID(j.ackID); m != nil && m.pushing {
		if err == nil {
			sub.pushFailures = 0
			sub.pushReason = ""
			sub.ack(j.ackID, now)
		} else {
			sub.pushFailed(m, now, err)
		}
	}
	sub.deliver(now)
}

// pushFailed nacks m with the push backoff and logs the reason when it
// differs from the last one logged for the subscription.
func (sub *subscription) pushFailed(m *message, now time.Time, err error) {
	sub.pushFailures++
	reason := err.Error()
	if reason != sub.pushReason {
		sub.pushReason = reason
		sub.s.logf("emulator: push to %s for %s failed (message %s, attempt %s): %s; retrying after backoff",
			sub.proto.GetPushConfig().GetPushEndpoint(), sub.proto.Name, m.msg.MessageId, strconv.Itoa(int(m.deliveries)), reason)
	}
	sub.nack(m, now, true)
}
