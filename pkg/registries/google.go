package registries

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/docker/cli/cli/config/types"
	"golang.org/x/oauth2/google"
)

// googleScope is the OAuth scope Google's registries accept.
const googleScope = "https://www.googleapis.com/auth/cloud-platform"

// googleUser is the username that goes with a Google access token.
const googleUser = "oauth2accesstoken"

// googleKeyfileToken returns the token function of a GCR or GAR
// integration with a service-account key: golang.org/x/oauth2/google
// signs a JWT with the key and trades it at the key's token_uri for an
// access token (valid an hour).
func googleKeyfileToken(i *Integration) (tokenFunc, error) {
	key, err := os.ReadFile(i.Keyfile)
	if err != nil {
		return nil, fmt.Errorf("reading keyfile: %w", err)
	}
	return func(ctx context.Context) (types.AuthConfig, time.Time, error) {
		creds, err := google.CredentialsFromJSONWithType(ctx, key, google.ServiceAccount, googleScope)
		if err != nil {
			return types.AuthConfig{}, time.Time{}, fmt.Errorf("keyfile %s: %w", i.Keyfile, err)
		}
		return googleAuth(i, creds)
	}, nil
}

// googleAmbientToken returns the token function of a GCR or GAR
// integration without a keyfile: Google's application default
// credentials ($GOOGLE_APPLICATION_CREDENTIALS, gcloud's, the metadata
// server).
func googleAmbientToken(i *Integration) tokenFunc {
	return func(ctx context.Context) (types.AuthConfig, time.Time, error) {
		creds, err := google.FindDefaultCredentials(ctx, googleScope)
		if err != nil {
			return types.AuthConfig{}, time.Time{}, err
		}
		return googleAuth(i, creds)
	}
}

func googleAuth(i *Integration, creds *google.Credentials) (types.AuthConfig, time.Time, error) {
	tok, err := creds.TokenSource.Token()
	if err != nil {
		return types.AuthConfig{}, time.Time{}, err
	}
	exp := tok.Expiry
	if exp.IsZero() {
		exp = time.Now().Add(time.Hour)
	}
	return types.AuthConfig{Username: googleUser, Password: tok.AccessToken, ServerAddress: i.Domain}, exp, nil
}
