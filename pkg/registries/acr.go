package registries

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/docker/cli/cli/config/types"
	"github.com/google/go-containerregistry/pkg/name"
	"golang.org/x/oauth2/clientcredentials"
)

// acrUser is the username that goes with an ACR refresh token.
const acrUser = "00000000-0000-0000-0000-000000000000"

// azureAuthorityEnv overrides Microsoft Entra ID's authority, as it does
// for Azure's SDK (sovereign clouds, Azure Stack).
const azureAuthorityEnv = "AZURE_AUTHORITY_HOST"

// azureScope is the audience of the Entra ID token ACR exchanges.
const azureScope = "https://management.azure.com/.default"

// acrToken returns the token function of an ACR integration with a
// service principal: a client-credentials token from Entra ID, then
// ACR's documented exchange (POST /oauth2/exchange on the registry) for
// a refresh token, which is the registry password of user
// 00000000-0000-0000-0000-000000000000.
func acrToken(i *Integration, transport func() (http.RoundTripper, error)) tokenFunc {
	return func(ctx context.Context) (types.AuthConfig, time.Time, error) {
		secret, ok := os.LookupEnv(i.ClientSecretEnv)
		if !ok {
			return types.AuthConfig{}, time.Time{}, fmt.Errorf("client_secret_env names $%s, which is not set", i.ClientSecretEnv)
		}
		authority := os.Getenv(azureAuthorityEnv)
		if authority == "" {
			authority = "https://login.microsoftonline.com/"
		}
		cc := clientcredentials.Config{
			ClientID:     i.ClientID,
			ClientSecret: secret,
			TokenURL:     strings.TrimSuffix(authority, "/") + "/" + url.PathEscape(i.TenantID) + "/oauth2/v2.0/token",
			Scopes:       []string{azureScope},
		}
		aad, err := cc.Token(ctx)
		if err != nil {
			return types.AuthConfig{}, time.Time{}, fmt.Errorf("entra id token: %w", err)
		}
		t, err := transport()
		if err != nil {
			return types.AuthConfig{}, time.Time{}, err
		}
		reg, err := name.NewRegistry(i.Domain, registryOptions(i)...)
		if err != nil {
			return types.AuthConfig{}, time.Time{}, err
		}
		form := url.Values{"grant_type": {"access_token"}, "service": {reg.RegistryStr()}, "tenant": {i.TenantID}, "access_token": {aad.AccessToken}}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, reg.Scheme()+"://"+reg.RegistryStr()+"/oauth2/exchange", strings.NewReader(form.Encode()))
		if err != nil {
			return types.AuthConfig{}, time.Time{}, err
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := (&http.Client{Transport: t}).Do(req)
		if err != nil {
			return types.AuthConfig{}, time.Time{}, fmt.Errorf("token exchange: %w", err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if resp.StatusCode != http.StatusOK {
			return types.AuthConfig{}, time.Time{}, fmt.Errorf("token exchange: HTTP %d from the registry", resp.StatusCode)
		}
		var out struct {
			RefreshToken string `json:"refresh_token"`
		}
		if err := json.Unmarshal(body, &out); err != nil || out.RefreshToken == "" {
			return types.AuthConfig{}, time.Time{}, fmt.Errorf("token exchange: the registry returned no refresh token")
		}
		return types.AuthConfig{Username: acrUser, Password: out.RefreshToken, ServerAddress: i.Domain}, jwtExpiry(out.RefreshToken, 3*time.Hour), nil
	}
}

// jwtExpiry reads the exp claim of a JWT without checking it; def from
// now when there is none.
func jwtExpiry(token string, def time.Duration) time.Time {
	parts := strings.Split(token, ".")
	if len(parts) == 3 {
		if raw, err := base64.RawURLEncoding.DecodeString(parts[1]); err == nil {
			var claims struct {
				Exp int64 `json:"exp"`
			}
			if json.Unmarshal(raw, &claims) == nil && claims.Exp > 0 {
				return time.Unix(claims.Exp, 0)
			}
		}
	}
	return time.Now().Add(def)
}
