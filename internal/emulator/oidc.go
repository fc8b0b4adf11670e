package emulator

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// OIDC tokens on push requests (pubsub-facts §11): the emulator signs them
// with an RSA key of its own and serves the public key the ways Google
// does, so an application verifies them locally by pointing its
// certificate URL at the emulator.
const (
	// OIDCIssuer is the iss claim of the push tokens, Google's.
	OIDCIssuer = "https://accounts.google.com"
	// OIDCTokenLifetime is how long a push token is valid.
	OIDCTokenLifetime = time.Hour

	certsV1Path   = "/oauth2/v1/certs"
	certsV3Path   = "/oauth2/v3/certs"
	discoveryPath = "/.well-known/openid-configuration"
)

// oidcIssuer signs push tokens and serves its keys over HTTP. The key is
// generated on first use (a token or a key request), so that emulators
// that never push with a token do not pay for an RSA key.
type oidcIssuer struct {
	now  func() time.Time
	base string // http://host:port
	lis  net.Listener
	srv  *http.Server
	done chan struct{}

	once    sync.Once
	err     error
	kid     string
	signer  jose.Signer
	certPEM string
	jwks    []byte
}

// startOIDC listens on addr ("" picks a free loopback port) and serves the
// key documents until close.
func startOIDC(ctx context.Context, addr string, now func() time.Time) (*oidcIssuer, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	lis, err := (&net.ListenConfig{}).Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("emulator: cannot listen on %s for the OIDC certificates: %w", addr, err)
	}
	o := &oidcIssuer{now: now, lis: lis, base: "http://" + lis.Addr().String(), done: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+certsV1Path, o.serveV1)
	mux.HandleFunc("GET "+certsV3Path, o.serveV3)
	mux.HandleFunc("GET "+discoveryPath, o.serveDiscovery)
	o.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	go func() {
		defer close(o.done)
		_ = o.srv.Serve(lis) // ends with http.ErrServerClosed on close
	}()
	return o, nil
}

func (o *oidcIssuer) close() {
	_ = o.srv.Close()
	<-o.done
}

// key generates the signing key, its self-signed certificate and its
// JWKS, once.
func (o *oidcIssuer) key() error {
	o.once.Do(func() { o.err = o.generate() })
	return o.err
}

func (o *oidcIssuer) generate() error {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return fmt.Errorf("generate the OIDC signing key: %w", err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		return fmt.Errorf("encode the OIDC public key: %w", err)
	}
	sum := sha256.Sum256(pub)
	o.kid = hex.EncodeToString(sum[:20])
	now := o.now()
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return fmt.Errorf("OIDC certificate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "pubsubctl emulator OIDC signer"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		return fmt.Errorf("self-sign the OIDC certificate: %w", err)
	}
	o.certPEM = string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	o.signer, err = jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: k, KeyID: o.kid, Algorithm: string(jose.RS256)}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return fmt.Errorf("OIDC signer: %w", err)
	}
	o.jwks, err = json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &k.PublicKey, KeyID: o.kid, Algorithm: string(jose.RS256), Use: "sig",
	}}})
	if err != nil {
		return fmt.Errorf("encode the JWKS: %w", err)
	}
	return nil
}

// serviceAccountID is the stable, numeric-looking unique ID the tokens
// give a service account (azp and sub), derived from its email.
func serviceAccountID(email string) string {
	h := sha256.Sum256([]byte(email))
	return fmt.Sprintf("1%020d", binary.BigEndian.Uint64(h[:8]))
}

type pushClaims struct {
	jwt.Claims
	AuthorizedParty string `json:"azp"`
	Email           string `json:"email"`
	EmailVerified   bool   `json:"email_verified"`
}

// token signs the OIDC token of one push request.
func (o *oidcIssuer) token(_ context.Context, audience, serviceAccount string) (string, error) {
	if serviceAccount == "" {
		return "", errors.New("oidc_token has no service_account_email")
	}
	if err := o.key(); err != nil {
		return "", err
	}
	now := o.now()
	id := serviceAccountID(serviceAccount)
	c := pushClaims{
		Claims: jwt.Claims{
			Issuer:   OIDCIssuer,
			Subject:  id,
			Audience: jwt.Audience{audience},
			IssuedAt: jwt.NewNumericDate(now),
			Expiry:   jwt.NewNumericDate(now.Add(OIDCTokenLifetime)),
		},
		AuthorizedParty: id,
		Email:           serviceAccount,
		EmailVerified:   true,
	}
	tok, err := jwt.Signed(o.signer).Claims(c).Serialize()
	if err != nil {
		return "", fmt.Errorf("sign the push token: %w", err)
	}
	return tok, nil
}

func writeJSON(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	_, _ = w.Write(body)
}

func (o *oidcIssuer) keyOr500(w http.ResponseWriter) bool {
	if err := o.key(); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return false
	}
	return true
}

// serveV1 serves the key as Google's v1 document: key ID → x509
// certificate PEM (what older google-auth and google-auth-library read).
func (o *oidcIssuer) serveV1(w http.ResponseWriter, _ *http.Request) {
	if !o.keyOr500(w) {
		return
	}
	b, err := json.Marshal(map[string]string{o.kid: o.certPEM})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, b)
}

// serveV3 serves the key as a JWKS.
func (o *oidcIssuer) serveV3(w http.ResponseWriter, _ *http.Request) {
	if !o.keyOr500(w) {
		return
	}
	writeJSON(w, o.jwks)
}

func (o *oidcIssuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	b, err := json.Marshal(map[string]any{
		"issuer":                                OIDCIssuer,
		"jwks_uri":                              o.base + certsV3Path,
		"id_token_signing_alg_values_supported": []string{string(jose.RS256)},
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"claims_supported":                      []string{"aud", "azp", "email", "email_verified", "exp", "iat", "iss", "sub"},
	})
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	writeJSON(w, b)
}

// OIDCBaseURL returns the base URL of the emulator's key server
// (http://host:port), which serves /oauth2/v1/certs, /oauth2/v3/certs and
// /.well-known/openid-configuration.
func (s *Server) OIDCBaseURL() string { return s.oidc.base }

// CertsURL returns the URL of the push-token keys as Google's v1
// document, a JSON map of key ID to x509 certificate PEM: the certs_url
// of Python google-auth's id_token.verify_token and what Node
// google-auth-library's OAuth2Client reads.
func (s *Server) CertsURL() string { return s.oidc.base + certsV1Path }

// JWKSURL returns the URL of the push-token keys as a JWKS.
func (s *Server) JWKSURL() string { return s.oidc.base + certsV3Path }

// DiscoveryURL returns the URL of the OpenID discovery document, whose
// jwks_uri is JWKSURL.
func (s *Server) DiscoveryURL() string { return s.oidc.base + discoveryPath }
