package stack

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

// TokenServer is a registry token server as distribution's token
// authentication specification describes it: GET /token with basic auth
// (and POST /token with a password grant, as containerd asks first)
// answers a JWT, signed with a test key whose certificate the registry
// trusts (rootcertbundle), granting each user the actions its grants
// allow on the repositories asked for. It answers on the registry's own
// address, passing every other request on to the registry (see Front),
// as Harbor and GitLab serve tokens: go-containerregistry refuses a
// realm on another loopback or private address.
type TokenServer struct {
	// URL is http://Host; Realm is URL + "/token". Host is the address
	// clients use for the registry behind it.
	URL, Realm, Host string
	// Service and Issuer are what the registry's config must name.
	Service, Issuer string
	// CertFile holds the signing key's certificate (the rootcertbundle).
	CertFile string
	// Requests counts token requests.
	Requests atomic.Int64
	users    map[string]TokenUser
	backend  atomic.Pointer[httputil.ReverseProxy]
	key      *rsa.PrivateKey
	cert     []byte
	srv      *httptest.Server
}

// TokenUser is one account of a token server.
type TokenUser struct {
	Password string
	// Grants are what the user may do, the first grant whose prefix
	// holds a repository deciding.
	Grants []Grant
}

// Grant allows Actions (pull, push) on repositories under Prefix ("" is
// every repository).
type Grant struct {
	Prefix  string
	Actions []string
}

// StartTokenServer starts a token server for users, writing its
// certificate under dir.
func StartTokenServer(dir string, users map[string]TokenUser) (*TokenServer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "hoist test token issuer"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	ts := &TokenServer{Service: "hoist-test-registry", Issuer: "hoist-test-issuer", users: users, key: key, cert: der,
		CertFile: filepath.Join(dir, "token-ca.pem")}
	if err := writePEM(ts.CertFile, "CERTIFICATE", der); err != nil {
		return nil, err
	}
	ts.srv = httptest.NewServer(http.HandlerFunc(ts.serve))
	ts.URL = ts.srv.URL
	ts.Host = strings.TrimPrefix(ts.URL, "http://")
	ts.Realm = ts.URL + "/token"
	return ts, nil
}

// Front passes every request but /token on to the registry at host.
func (ts *TokenServer) Front(host string) {
	ts.backend.Store(httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: host}))
}

// Close stops the token server.
func (ts *TokenServer) Close() { ts.srv.Close() }

// RegistryAuth is the registry config's auth section for the server.
func (ts *TokenServer) RegistryAuth() string {
	return "auth:\n  token:\n    realm: " + ts.Realm + "\n    service: " + ts.Service + "\n    issuer: " + ts.Issuer + "\n    rootcertbundle: " + ts.CertFile + "\n"
}

func (ts *TokenServer) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/token" {
		if b := ts.backend.Load(); b != nil {
			b.ServeHTTP(w, r)
			return
		}
		http.NotFound(w, r)
		return
	}
	ts.Requests.Add(1)
	var user, pass string
	var scopes []string
	switch r.Method {
	case http.MethodGet:
		user, pass, _ = r.BasicAuth()
		scopes = r.URL.Query()["scope"]
	case http.MethodPost:
		r.ParseForm()
		if r.Form.Get("grant_type") != "password" {
			http.Error(w, `{"error":"unsupported_grant_type"}`, http.StatusBadRequest)
			return
		}
		user, pass = r.Form.Get("username"), r.Form.Get("password")
		scopes = strings.Fields(r.Form.Get("scope"))
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	u, known := ts.users[user]
	if user != "" && (!known || u.Password != pass) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"details":"incorrect username or password"}`))
		return
	}
	var access []map[string]any
	for _, s := range scopes {
		for _, one := range strings.Split(s, " ") {
			parts := strings.Split(one, ":")
			if len(parts) != 3 || parts[0] != "repository" {
				continue
			}
			granted := u.allowed(parts[1], strings.Split(parts[2], ","))
			access = append(access, map[string]any{"type": "repository", "name": parts[1], "actions": granted})
		}
	}
	tok, err := ts.sign(user, access)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"token": tok, "access_token": tok, "expires_in": 300, "issued_at": time.Now().UTC().Format(time.RFC3339)})
}

// allowed is the part of actions the user may do on repository name.
func (u TokenUser) allowed(name string, actions []string) []string {
	granted := []string{}
	for _, g := range u.Grants {
		if g.Prefix == "" || name == strings.TrimSuffix(g.Prefix, "/") || strings.HasPrefix(name, strings.TrimSuffix(g.Prefix, "/")+"/") {
			for _, a := range actions {
				if slices.Contains(g.Actions, a) {
					granted = append(granted, a)
				}
			}
			break
		}
	}
	return granted
}

// sign makes an RS256 JWT whose x5c header carries the certificate.
func (ts *TokenServer) sign(sub string, access []map[string]any) (string, error) {
	now := time.Now()
	head, _ := json.Marshal(map[string]any{"typ": "JWT", "alg": "RS256", "x5c": []string{base64.StdEncoding.EncodeToString(ts.cert)}})
	id := make([]byte, 8)
	rand.Read(id)
	claims, _ := json.Marshal(map[string]any{
		"iss": ts.Issuer, "sub": sub, "aud": ts.Service, "exp": now.Add(5 * time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(),
		"iat": now.Unix(), "jti": base64.RawURLEncoding.EncodeToString(id), "access": access,
	})
	signed := base64.RawURLEncoding.EncodeToString(head) + "." + base64.RawURLEncoding.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, ts.key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}
