package stack

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"
)

// A cloud stand-in answers at a cloud provider's token endpoint, at the
// address its client library lets tests override, as the provider's
// public API reference shows, and issues credentials that a real local
// registry accepts. Nothing else of the cloud is stood in.

// Token stand-ins' common settings.
type standIn struct {
	// Host is 127.0.0.1:PORT; URL is http://Host.
	Host, URL string
	// Requests counts the token requests it answered.
	Requests atomic.Int64
	// Refuse makes it refuse every token request, as for revoked keys.
	Refuse atomic.Bool
	// Password is what it issues: the registry password of the
	// provider's user. Set it before the first request.
	Password string
	srv      *httptest.Server
}

// Close stops the stand-in.
func (s *standIn) Close() { s.srv.Close() }

func (s *standIn) start(h http.Handler) {
	s.srv = httptest.NewServer(h)
	s.URL = s.srv.URL
	s.Host = strings.TrimPrefix(s.URL, "http://")
}

// ECRUser is the registry user of an ECR token.
const ECRUser = "AWS"

// ECR stands in for ECR's API (AWS_ENDPOINT_URL_ECR) and STS's
// (AWS_ENDPOINT_URL_STS): GetAuthorizationToken answers
// base64("AWS:"+Password); AssumeRole answers temporary keys whose key
// id is AssumedKeyID.
type ECR struct {
	standIn
	// KeyID is the access key id requests must be signed with; empty
	// accepts any.
	KeyID string
	// Expires is how long the tokens it issues hold; 12 hours when 0.
	Expires time.Duration
	// AssumeRoles counts AssumeRole requests.
	AssumeRoles atomic.Int64
	// Repositories are what DescribeRepositories lists; Listings counts
	// its requests.
	Repositories []string
	Listings     atomic.Int64
}

// describeRepositories answers ECR's DescribeRepositories from
// Repositories, two per page, following nextToken, as ECR's API reference
// shows (JSON 1.1 protocol).
func (e *ECR) describeRepositories(w http.ResponseWriter, r *http.Request) {
	e.Listings.Add(1)
	var in struct {
		NextToken string `json:"nextToken"`
	}
	json.NewDecoder(r.Body).Decode(&in)
	start := 0
	if in.NextToken != "" {
		fmt.Sscanf(in.NextToken, "page-%d", &start)
	}
	end := min(start+2, len(e.Repositories))
	var repos []map[string]any
	for _, n := range e.Repositories[start:end] {
		repos = append(repos, map[string]any{"repositoryName": n, "repositoryUri": r.Host + "/" + n})
	}
	out := map[string]any{"repositories": repos}
	if end < len(e.Repositories) {
		out["nextToken"] = fmt.Sprintf("page-%d", end)
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	json.NewEncoder(w).Encode(out)
}

// AssumedKeyID is the access key id of the keys the STS stand-in issues.
const AssumedKeyID = "ASIAHOISTTESTASSUMED"

// StartECR starts an ECR (and STS) stand-in issuing password.
func StartECR(password, keyID string) *ECR {
	e := &ECR{KeyID: keyID}
	e.Password = password
	e.start(http.HandlerFunc(e.serve))
	return e
}

func (e *ECR) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost && r.Header.Get("X-Amz-Target") == "" {
		// STS's query protocol: Action=AssumeRole.
		r.ParseForm()
		if r.Form.Get("Action") == "AssumeRole" {
			e.AssumeRoles.Add(1)
			w.Header().Set("Content-Type", "text/xml")
			fmt.Fprintf(w, `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>%s</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>assumed-session</SessionToken><Expiration>%s</Expiration></Credentials><AssumedRoleUser><Arn>%s/hoist</Arn><AssumedRoleUserId>AROA:hoist</AssumedRoleUserId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
				AssumedKeyID, time.Now().Add(time.Hour).UTC().Format(time.RFC3339), r.Form.Get("RoleArn"))
			return
		}
	}
	if r.Header.Get("X-Amz-Target") == "AmazonEC2ContainerRegistry_V20150921.DescribeRepositories" {
		e.describeRepositories(w, r)
		return
	}
	if r.Header.Get("X-Amz-Target") != "AmazonEC2ContainerRegistry_V20150921.GetAuthorizationToken" {
		http.Error(w, "not stood in", http.StatusNotFound)
		return
	}
	e.Requests.Add(1)
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	key := r.Header.Get("Authorization")
	if e.Refuse.Load() || (e.KeyID != "" && !strings.Contains(key, "Credential="+e.KeyID+"/")) {
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"__type":"UnrecognizedClientException","message":"The security token included in the request is invalid."}`)
		return
	}
	life := e.Expires
	if life == 0 {
		life = 12 * time.Hour
	}
	json.NewEncoder(w).Encode(map[string]any{"authorizationData": []map[string]any{{
		"authorizationToken": base64.StdEncoding.EncodeToString([]byte(ECRUser + ":" + e.Password)),
		"expiresAt":          float64(time.Now().Add(life).Unix()),
		"proxyEndpoint":      "https://" + r.Host,
	}}})
}

// GoogleUser is the registry user of a Google access token.
const GoogleUser = "oauth2accesstoken"

// Google stands in for Google's OAuth token endpoint (the token_uri of a
// service-account key): it checks the JWT assertion's signature against
// the key it made, and answers Password as the access token.
type Google struct {
	standIn
	key *rsa.PrivateKey
}

// StartGoogle starts a Google token stand-in issuing password.
func StartGoogle(password string) (*Google, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	g := &Google{key: key}
	g.Password = password
	g.start(http.HandlerFunc(g.serve))
	return g, nil
}

// Keyfile writes a service-account JSON key whose token_uri is the
// stand-in, and returns its path.
func (g *Google) Keyfile(dir string) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(g.key)
	if err != nil {
		return "", err
	}
	key, _ := json.Marshal(map[string]string{
		"type":           "service_account",
		"project_id":     "hoist-test",
		"private_key_id": "hoist-test-key",
		"private_key":    string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		"client_email":   "pusher@hoist-test.iam.gserviceaccount.com",
		"client_id":      "1",
		"token_uri":      g.URL + "/token",
	})
	path := filepath.Join(dir, "sa.json")
	return path, os.WriteFile(path, key, 0o600)
}

func (g *Google) serve(w http.ResponseWriter, r *http.Request) {
	g.Requests.Add(1)
	r.ParseForm()
	if g.Refuse.Load() || r.Form.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || !g.verify(r.Form.Get("assertion")) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprint(w, `{"error":"invalid_grant","error_description":"Invalid JWT Signature."}`)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": g.Password, "expires_in": 3599, "token_type": "Bearer"})
}

// verify checks an RS256 JWT against the stand-in's key.
func (g *Google) verify(jwt string) bool {
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	return verifyRS256(&g.key.PublicKey, parts[0]+"."+parts[1], sig) == nil
}

// ACRUser is the registry user of an ACR refresh token.
const ACRUser = "00000000-0000-0000-0000-000000000000"

// ACR stands in for Microsoft Entra ID's token endpoint
// (AZURE_AUTHORITY_HOST) and for ACR's /oauth2/exchange, and passes
// every other request on to the registry behind it: point the
// integration's endpoint at it.
type ACR struct {
	standIn
	// ClientID and ClientSecret are the service principal it accepts.
	ClientID, ClientSecret string
	// Exchanges counts /oauth2/exchange requests.
	Exchanges atomic.Int64
	aad       string
}

// StartACR starts an ACR stand-in in front of the registry at host.
func StartACR(host, password, clientID, clientSecret string) *ACR {
	a := &ACR{ClientID: clientID, ClientSecret: clientSecret, aad: "entra-" + password[:4]}
	a.Password = password
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: host})
	a.start(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/oauth2/v2.0/token"):
			a.token(w, r)
		case r.URL.Path == "/oauth2/exchange":
			a.exchange(w, r)
		default:
			rp.ServeHTTP(w, r)
		}
	}))
	return a
}

func (a *ACR) token(w http.ResponseWriter, r *http.Request) {
	a.Requests.Add(1)
	r.ParseForm()
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.Form.Get("client_id"), r.Form.Get("client_secret")
	}
	w.Header().Set("Content-Type", "application/json")
	if a.Refuse.Load() || id != a.ClientID || secret != a.ClientSecret || r.Form.Get("grant_type") != "client_credentials" {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}`)
		return
	}
	json.NewEncoder(w).Encode(map[string]any{"access_token": a.aad, "expires_in": 3599, "token_type": "Bearer"})
}

func (a *ACR) exchange(w http.ResponseWriter, r *http.Request) {
	a.Exchanges.Add(1)
	r.ParseForm()
	if r.Form.Get("grant_type") != "access_token" || r.Form.Get("access_token") != a.aad {
		http.Error(w, `{"errors":[{"code":"UNAUTHORIZED"}]}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"refresh_token": a.Password})
}
