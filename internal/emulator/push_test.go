package emulator

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	pb "cloud.google.com/go/pubsub/v2/apiv1/pubsubpb"
	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"google.golang.org/grpc/codes"
)

// Push delivery conformance: a real HTTP endpoint (httptest) receives the
// emulator's pushes; the emulator is driven by the raw gRPC stubs.

// pushRequest is what the endpoint received.
type pushRequest struct {
	at     time.Time
	header http.Header
	body   []byte
}

// endpoint records push requests and answers each with what reply says.
type endpoint struct {
	mu    sync.Mutex
	reqs  []pushRequest
	reply func(n int, r pushRequest) int // n counts from 1
	got   chan struct{}
	srv   *httptest.Server
}

func newEndpoint(t *testing.T, reply func(n int, r pushRequest) int) *endpoint {
	t.Helper()
	e := &endpoint{reply: reply, got: make(chan struct{}, 1000)}
	e.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		pr := pushRequest{at: time.Now(), header: r.Header.Clone(), body: body}
		e.mu.Lock()
		e.reqs = append(e.reqs, pr)
		n := len(e.reqs)
		e.mu.Unlock()
		code := http.StatusNoContent
		if e.reply != nil {
			code = e.reply(n, pr)
		}
		w.WriteHeader(code)
		e.got <- struct{}{}
	}))
	t.Cleanup(e.srv.Close)
	return e
}

func (e *endpoint) url() string { return e.srv.URL + "/push" }

func (e *endpoint) requests() []pushRequest {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]pushRequest(nil), e.reqs...)
}

// waitN waits until the endpoint answered n requests in all.
func (e *endpoint) waitN(t *testing.T, n int, limit time.Duration) []pushRequest {
	t.Helper()
	deadline := time.After(limit)
	for {
		if r := e.requests(); len(r) >= n {
			return r
		}
		select {
		case <-e.got:
		case <-deadline:
			t.Fatalf("endpoint got %d push requests within %v, want %d", len(e.requests()), limit, n)
		}
	}
}

type wrapped struct {
	Message struct {
		Data         string            `json:"data"`
		Attributes   map[string]string `json:"attributes"`
		MessageID    string            `json:"messageId"`
		MessageID2   string            `json:"message_id"`
		PublishTime  string            `json:"publishTime"`
		PublishTime2 string            `json:"publish_time"`
		OrderingKey  string            `json:"orderingKey"`
	} `json:"message"`
	Subscription    string `json:"subscription"`
	DeliveryAttempt *int   `json:"deliveryAttempt"`
}

func decodeWrapped(t *testing.T, r pushRequest) wrapped {
	t.Helper()
	var w wrapped
	if err := json.Unmarshal(r.body, &w); err != nil {
		t.Fatalf("push body %q: %v", r.body, err)
	}
	return w
}

func pushSub(endpoint string, extra ...func(*pb.Subscription)) func(*pb.Subscription) {
	return func(s *pb.Subscription) {
		s.PushConfig = &pb.PushConfig{PushEndpoint: endpoint}
		for _, f := range extra {
			f(s)
		}
	}
}

func TestPushWrapped(t *testing.T) {
	e := newEndpoint(t, nil)
	s := startEmu(t)
	c := dial(t, s.Addr())
	ctx := ctxT(t)
	if err := mkTopicSub(pushSub(e.url()), func(s *pb.Subscription) { s.EnableMessageOrdering = true })(ctx, c); err != nil {
		t.Fatal(err)
	}
	id := publishOne(ctx, t, c, topic, "hello", map[string]string{"k": "v"}, "key-1")
	r := e.waitN(t, 1, 10*time.Second)[0]
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if a := r.header.Get("Authorization"); a != "" {
		t.Errorf("Authorization %q without an oidc_token", a)
	}
	w := decodeWrapped(t, r)
	data, _ := base64.StdEncoding.DecodeString(w.Message.Data)
	if string(data) != "hello" || w.Message.Attributes["k"] != "v" || w.Message.MessageID != id || w.Message.MessageID2 != id ||
		w.Message.OrderingKey != "key-1" || w.Subscription != sub || w.DeliveryAttempt != nil {
		t.Errorf("push body %s", r.body)
	}
	if _, err := time.Parse(time.RFC3339Nano, w.Message.PublishTime); err != nil || w.Message.PublishTime2 != w.Message.PublishTime {
		t.Errorf("publish time %q / %q: %v", w.Message.PublishTime, w.Message.PublishTime2, err)
	}
	// 204 acknowledged it: a pull finds nothing and no second push comes.
	if m := pullOnce(ctx, t, c, sub); m != nil {
		t.Errorf("pulled %v after a successful push", m)
	}
	publishOne(ctx, t, c, topic, "second", nil, "key-1")
	if got := e.waitN(t, 2, 10*time.Second); len(got) != 2 || !strings.Contains(string(got[1].body), base64.StdEncoding.EncodeToString([]byte("second"))) {
		t.Errorf("second push: %d requests, last %s", len(got), got[len(got)-1].body)
	}
}

func TestPushUnwrappedWithMetadata(t *testing.T) {
	e := newEndpoint(t, nil)
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	noWrapper := func(meta bool) func(*pb.Subscription) {
		return func(s *pb.Subscription) {
			s.PushConfig.Wrapper = &pb.PushConfig_NoWrapper_{NoWrapper: &pb.PushConfig_NoWrapper{WriteMetadata: meta}}
		}
	}
	if err := mkTopicSub(pushSub(e.url(), noWrapper(true)))(ctx, c); err != nil {
		t.Fatal(err)
	}
	bare := proj + "/subscriptions/bare"
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: bare, Topic: topic,
		PushConfig: &pb.PushConfig{PushEndpoint: e.url() + "?bare", Wrapper: &pb.PushConfig_NoWrapper_{NoWrapper: &pb.PushConfig_NoWrapper{}}}}); err != nil {
		t.Fatal(err)
	}
	id := publishOne(ctx, t, c, topic, "raw bytes", map[string]string{"color": "red"}, "")
	reqs := e.waitN(t, 2, 10*time.Second)
	for _, r := range reqs {
		if string(r.body) != "raw bytes" {
			t.Errorf("unwrapped body %q", r.body)
		}
		withMeta := r.header.Get("x-goog-pubsub-subscription-name") != ""
		if withMeta {
			if r.header.Get("x-goog-pubsub-message-id") != id || r.header.Get("x-goog-pubsub-subscription-name") != sub ||
				r.header.Get("color") != "red" || r.header.Get("x-goog-pubsub-publish-time") == "" {
				t.Errorf("write_metadata headers: %v", r.header)
			}
		} else if r.header.Get("color") != "" || r.header.Get("x-goog-pubsub-message-id") != "" {
			t.Errorf("metadata headers without write_metadata: %v", r.header)
		}
	}
	if a, b := reqs[0].header.Get("x-goog-pubsub-subscription-name"), reqs[1].header.Get("x-goog-pubsub-subscription-name"); (a == "") == (b == "") {
		t.Errorf("want one request with metadata and one without, got %q and %q", a, b)
	}
}

func TestPushFailureBacksOffThenSucceeds(t *testing.T) {
	e := newEndpoint(t, func(n int, _ pushRequest) int {
		if n <= 3 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	if err := mkTopicSub(pushSub(e.url()))(ctx, c); err != nil {
		t.Fatal(err)
	}
	publishOne(ctx, t, c, topic, "x", nil, "")
	reqs := e.waitN(t, 4, 20*time.Second)
	// Push backoff without a retry policy: 100 ms, 200 ms, 400 ms.
	for i, want := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond} {
		if gap := reqs[i+1].at.Sub(reqs[i].at); gap < want {
			t.Errorf("push %d came %v after push %d, want no earlier than %v", i+2, gap, i+1, want)
		}
	}
	// 200 acknowledged: nothing left.
	time.Sleep(300 * time.Millisecond)
	if n := len(e.requests()); n != 4 {
		t.Errorf("%d pushes, want 4 (3 failures, then the acknowledging one)", n)
	}
}

func TestPushRetryPolicyBackoff(t *testing.T) {
	e := newEndpoint(t, func(n int, _ pushRequest) int {
		if n == 1 {
			return http.StatusServiceUnavailable
		}
		return http.StatusAccepted
	})
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	if err := mkTopicSub(pushSub(e.url(), retryPolicy(time.Second, 2*time.Second)))(ctx, c); err != nil {
		t.Fatal(err)
	}
	publishOne(ctx, t, c, topic, "x", nil, "")
	reqs := e.waitN(t, 2, 15*time.Second)
	if gap := reqs[1].at.Sub(reqs[0].at); gap < time.Second {
		t.Errorf("retry after %v, want no earlier than the retry policy's minimum_backoff 1s", gap)
	}
}

func TestPushDeadLetter(t *testing.T) {
	e := newEndpoint(t, func(int, pushRequest) int { return http.StatusInternalServerError })
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	if err := mkTopic(dlq)(ctx, c); err != nil {
		t.Fatal(err)
	}
	dlqSub := proj + "/subscriptions/dlq-sub"
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: dlqSub, Topic: dlq}); err != nil {
		t.Fatal(err)
	}
	if err := mkTopicSub(pushSub(e.url(), retryPolicy(0, 0), func(s *pb.Subscription) {
		s.DeadLetterPolicy = &pb.DeadLetterPolicy{DeadLetterTopic: dlq, MaxDeliveryAttempts: 5}
	}))(ctx, c); err != nil {
		t.Fatal(err)
	}
	publishOne(ctx, t, c, topic, "doomed", map[string]string{"a": "1"}, "")
	m := pullWithin(ctx, t, c, dlqSub, 20*time.Second)
	reqs := e.requests()
	if len(reqs) != 5 {
		t.Fatalf("%d pushes before dead-lettering, want 5", len(reqs))
	}
	for i, r := range reqs {
		if w := decodeWrapped(t, r); w.DeliveryAttempt == nil || *w.DeliveryAttempt != i+1 {
			t.Errorf("push %d: deliveryAttempt %v, want %d", i+1, w.DeliveryAttempt, i+1)
		}
	}
	if string(m.Message.Data) != "doomed" || m.Message.Attributes["a"] != "1" ||
		m.Message.Attributes["CloudPubSubDeadLetterSourceDeliveryCount"] != "5" ||
		m.Message.Attributes["CloudPubSubDeadLetterSourceSubscription"] != "sub-1" {
		t.Errorf("dead-lettered message %v", m.Message)
	}
}

func TestPushOrdering(t *testing.T) {
	// The first push of message 2 fails; messages 3 and 4 of the same key
	// must wait until message 2 is acknowledged.
	e := newEndpoint(t, func(n int, r pushRequest) int {
		if n == 3 {
			return http.StatusInternalServerError
		}
		return http.StatusOK
	})
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	if err := mkTopicSub(pushSub(e.url()), func(s *pb.Subscription) { s.EnableMessageOrdering = true })(ctx, c); err != nil {
		t.Fatal(err)
	}
	var msgs []*pb.PubsubMessage
	for i := range 5 {
		msgs = append(msgs, &pb.PubsubMessage{Data: []byte(fmt.Sprint(i)), OrderingKey: "k"})
	}
	if _, err := c.pub.Publish(ctx, &pb.PublishRequest{Topic: topic, Messages: msgs}); err != nil {
		t.Fatal(err)
	}
	reqs := e.waitN(t, 6, 20*time.Second)
	var got []string
	for _, r := range reqs {
		d, _ := base64.StdEncoding.DecodeString(decodeWrapped(t, r).Message.Data)
		got = append(got, string(d))
	}
	if want := "0 1 2 2 3 4"; strings.Join(got, " ") != want {
		t.Errorf("push order %q, want %q (one at a time per key, 2 retried before 3)", strings.Join(got, " "), want)
	}
}

// TestPushBadEndpoints: endpoints that refuse, hang, fail, answer a huge
// body or redirect get their message nacked and retried, and the emulator
// keeps serving.
func TestPushBadEndpoints(t *testing.T) {
	redirected := make(chan struct{}, 100)
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		redirected <- struct{}{}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(target.Close)
	hang := make(chan struct{})
	var attempts sync.Map // endpoint name -> *int32 count (guarded by mu)
	var mu sync.Mutex
	count := func(name string) int {
		mu.Lock()
		defer mu.Unlock()
		v, _ := attempts.Load(name)
		n, _ := v.(int)
		return n
	}
	mux := http.NewServeMux()
	handle := func(name string, h http.HandlerFunc) {
		mux.HandleFunc("/"+name, func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			v, _ := attempts.Load(name)
			n, _ := v.(int)
			attempts.Store(name, n+1)
			mu.Unlock()
			h(w, r)
		})
	}
	handle("hang", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	})
	handle("500", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusInternalServerError) })
	handle("huge", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadRequest)
		chunk := []byte(strings.Repeat("x", 64<<10))
		for range 160 { // 10 MiB
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	handle("redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/ok", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(hang) })

	refusing := mustListen(t)
	refusingURL := "http://" + refusing.Addr().String() + "/refuse"
	_ = refusing.Close()

	var logMu sync.Mutex
	var logs []string
	s := startEmu(t, func(o *Options) {
		o.pushTimeout = 300 * time.Millisecond
		o.Logf = func(format string, args ...any) {
			logMu.Lock()
			logs = append(logs, fmt.Sprintf(format, args...))
			logMu.Unlock()
		}
	})
	c := dial(t, s.Addr())
	ctx := ctxT(t)
	if err := mkTopic(topic)(ctx, c); err != nil {
		t.Fatal(err)
	}
	endpoints := map[string]string{
		"refuse": refusingURL, "hang": srv.URL + "/hang", "500": srv.URL + "/500",
		"huge": srv.URL + "/huge", "redirect": srv.URL + "/redirect",
		"public": "https://203.0.113.7/push",
	}
	for name, url := range endpoints {
		if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: proj + "/subscriptions/bad-" + name, Topic: topic,
			PushConfig: &pb.PushConfig{PushEndpoint: url}}); err != nil {
			t.Fatalf("create push subscription to %s: %v", url, err)
		}
	}
	publishOne(ctx, t, c, topic, "x", nil, "")
	// Every endpoint the test controls sees its message again: nacked and
	// retried with backoff.
	deadline := time.Now().Add(15 * time.Second)
	for _, name := range []string{"hang", "500", "huge", "redirect"} {
		for count(name) < 2 {
			if time.Now().After(deadline) {
				t.Fatalf("endpoint %s got %d pushes, want a retry", name, count(name))
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	if len(redirected) != 0 {
		t.Errorf("the emulator followed a redirect")
	}
	// The emulator still serves: a pull subscription gets a message.
	if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: sub, Topic: topic}); err != nil {
		t.Fatal(err)
	}
	publishOne(ctx, t, c, topic, "y", nil, "")
	if m := pullWithin(ctx, t, c, sub, 5*time.Second); string(m.Message.Data) != "y" {
		t.Errorf("pulled %q", m.Message.Data)
	}
	logMu.Lock()
	all := strings.Join(logs, "\n")
	logMu.Unlock()
	for _, want := range []string{"bad-public failed", "is public", "bad-refuse failed", "bad-redirect failed", "redirect"} {
		if !strings.Contains(all, want) {
			t.Errorf("log lacks %q:\n%s", want, all)
		}
	}
}

func TestPushNoGoroutineLeak(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(hang)
	before := emulatorGoroutines()
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	func() {
		c := dial(t, s.Addr())
		ctx := ctxT(t)
		if err := mkTopicSub(pushSub(srv.URL+"/hang"))(ctx, c); err != nil {
			t.Fatal(err)
		}
		var msgs []*pb.PubsubMessage
		for i := range 50 {
			msgs = append(msgs, &pb.PubsubMessage{Data: []byte(fmt.Sprint(i))})
		}
		if _, err := c.pub.Publish(ctx, &pb.PublishRequest{Topic: topic, Messages: msgs}); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond) // pushes in flight, hanging
	}()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		after := emulatorGoroutines()
		if len(after) <= len(before) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d emulator goroutines after Close, %d before Start:\n%s", len(after), len(before), strings.Join(after, "\n\n"))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// emulatorGoroutines returns the stacks of the goroutines that run the
// emulator's code or its push client's connections (not the test's, nor
// the test endpoint's).
func emulatorGoroutines() []string {
	buf := make([]byte, 4<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "_test.go") {
			continue
		}
		if strings.Contains(g, "internal/emulator/engine.") || strings.Contains(g, "internal/emulator.(") ||
			strings.Contains(g, "net/http.(*persistConn)") {
			out = append(out, g)
		}
	}
	return out
}

func TestPushEndpointRules(t *testing.T) {
	c := dial(t, startEmu(t).Addr())
	ctx := ctxT(t)
	if err := mkTopic(topic)(ctx, c); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		url  string
		want codes.Code
	}{
		{"http://127.0.0.1:8080/push", codes.OK},
		{"http://localhost:8080/push", codes.OK},
		{"http://[::1]:8080/push", codes.OK},
		{"http://10.1.2.3/push", codes.OK},
		{"http://192.168.1.20:9000/push", codes.OK},
		{"http://app:8080/push", codes.OK}, // a compose service
		{"https://example.com/push", codes.OK},
		{"http://example.com/push", codes.InvalidArgument},
		{"http://8.8.8.8/push", codes.InvalidArgument},
		{"ftp://127.0.0.1/push", codes.InvalidArgument},
	} {
		_, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: fmt.Sprintf("%s/subscriptions/push-%d", proj, i), Topic: topic,
			PushConfig: &pb.PushConfig{PushEndpoint: tc.url}})
		if err := wantCode(tc.want)(nil, err); err != nil {
			t.Errorf("%s: %v", tc.url, err)
		}
	}
}

// --- OIDC ---

type googleClaims struct {
	jwt.Claims
	AZP           string `json:"azp"`
	Email         string `json:"email"`
	EmailVerified bool   `json:"email_verified"`
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func TestPushOIDCToken(t *testing.T) {
	e := newEndpoint(t, nil)
	s := startEmu(t)
	c := dial(t, s.Addr())
	ctx := ctxT(t)
	const account = "pusher@my-project.iam.gserviceaccount.com"
	if err := mkTopic(topic)(ctx, c); err != nil {
		t.Fatal(err)
	}
	subs := map[string]string{ // subscription -> audience configured
		proj + "/subscriptions/aud": "https://my-service.example/",
		proj + "/subscriptions/url": "",
	}
	for name, aud := range subs {
		if _, err := c.sub.CreateSubscription(ctx, &pb.Subscription{Name: name, Topic: topic, PushConfig: &pb.PushConfig{
			PushEndpoint:         e.url(),
			AuthenticationMethod: &pb.PushConfig_OidcToken_{OidcToken: &pb.PushConfig_OidcToken{ServiceAccountEmail: account, Audience: aud}},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	publishOne(ctx, t, c, topic, "x", nil, "")
	reqs := e.waitN(t, 2, 10*time.Second)

	// The keys, as a JWKS (v3) and as a PEM map (v1), fetched over HTTP.
	var jwks jose.JSONWebKeySet
	getJSON(t, s.JWKSURL(), &jwks)
	var pems map[string]string
	getJSON(t, s.CertsURL(), &pems)
	var disco map[string]any
	getJSON(t, s.DiscoveryURL(), &disco)
	if disco["jwks_uri"] != s.JWKSURL() || disco["issuer"] != "https://accounts.google.com" {
		t.Errorf("discovery document %v", disco)
	}
	if len(jwks.Keys) != 1 || len(pems) != 1 {
		t.Fatalf("%d JWKS keys and %d PEM certificates, want 1 each", len(jwks.Keys), len(pems))
	}
	ids := map[string]bool{}
	for _, r := range reqs {
		raw, ok := strings.CutPrefix(r.header.Get("Authorization"), "Bearer ")
		if !ok {
			t.Fatalf("Authorization %q", r.header.Get("Authorization"))
		}
		tok, err := jwt.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
		if err != nil {
			t.Fatalf("parse token: %v", err)
		}
		kid := tok.Headers[0].KeyID
		keys := jwks.Key(kid)
		if kid == "" || len(keys) != 1 {
			t.Fatalf("token kid %q not in the JWKS", kid)
		}
		var cl googleClaims
		if err := tok.Claims(keys[0].Key, &cl); err != nil {
			t.Fatalf("verify against the JWKS: %v", err)
		}
		var w wrapped
		_ = json.Unmarshal(r.body, &w)
		wantAud := subs[w.Subscription]
		if wantAud == "" {
			wantAud = e.url()
		}
		if err := cl.Claims.ValidateWithLeeway(jwt.Expected{Issuer: "https://accounts.google.com", AnyAudience: jwt.Audience{wantAud}, Time: time.Now()}, time.Minute); err != nil {
			t.Errorf("%s: claims %+v: %v", w.Subscription, cl.Claims, err)
		}
		if cl.Email != account || !cl.EmailVerified || cl.Subject == "" || cl.AZP != cl.Subject || strings.Trim(cl.Subject, "0123456789") != "" {
			t.Errorf("claims email=%q verified=%v sub=%q azp=%q", cl.Email, cl.EmailVerified, cl.Subject, cl.AZP)
		}
		if life := cl.Expiry.Time().Sub(cl.IssuedAt.Time()); life != time.Hour {
			t.Errorf("exp - iat = %v, want 1h", life)
		}
		ids[cl.Subject] = true
		verifyWithPEM(t, raw, pems[kid])
	}
	if len(ids) != 1 {
		t.Errorf("the same service account got subjects %v, want one stable ID", ids)
	}
}

// verifyWithPEM checks an RS256 JWT by hand against an x509 certificate
// in PEM, as verifiers of Google's v1 certificate document do.
func verifyWithPEM(t *testing.T, token, certPEM string) {
	t.Helper()
	block, _ := pem.Decode([]byte(certPEM))
	if block == nil {
		t.Fatalf("v1 certificate is not PEM: %q", certPEM)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("v1 certificate: %v", err)
	}
	pub, ok := cert.PublicKey.(*rsa.PublicKey)
	if !ok {
		t.Fatalf("v1 certificate key %T", cert.PublicKey)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token has %d parts", len(parts))
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig); err != nil {
		t.Errorf("token does not verify against the v1 PEM certificate: %v", err)
	}
	// A forged signature must not verify.
	sig[0] ^= 0xff
	if rsa.VerifyPKCS1v15(pub, crypto.SHA256, sum[:], sig) == nil {
		t.Error("a forged signature verified")
	}
}

func TestCertsServerStopsOnClose(t *testing.T) {
	s, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	u := s.CertsURL()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(s.OIDCBaseURL(), "http://")
	if conn, err := net.DialTimeout("tcp", host, time.Second); err == nil {
		conn.Close()
		t.Errorf("the certificate server still accepts connections on %s after Close", host)
	}
}
