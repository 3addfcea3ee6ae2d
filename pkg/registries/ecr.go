package registries

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/docker/cli/cli/config/types"
)

// awsConfig is the AWS SDK's configuration for an ECR integration: its
// region, its keys (or the default credential chain), the role it names
// assumed.
func awsConfig(ctx context.Context, i *Integration) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{config.WithRegion(i.Region)}
	if i.AccessKeyID != "" {
		secret := i.SecretAccessKey
		if i.SecretAccessKeyEnv != "" {
			v, ok := os.LookupEnv(i.SecretAccessKeyEnv)
			if !ok {
				return aws.Config{}, fmt.Errorf("secret_access_key_env names $%s, which is not set", i.SecretAccessKeyEnv)
			}
			secret = v
		}
		opts = append(opts, config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(i.AccessKeyID, secret, "")))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if i.RoleARN != "" {
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), i.RoleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "hoist"
		}))
	}
	return cfg, nil
}

// ecrToken returns the token function of an ECR integration: AWS's SDK
// with the integration's keys (or the default credential chain), the
// role it names assumed, asks ECR's GetAuthorizationToken for a
// registry password (valid 12 hours). The SDK's own settings apply, such
// as AWS_ENDPOINT_URL_ECR and AWS_ENDPOINT_URL_STS.
func ecrToken(i *Integration) tokenFunc {
	return func(ctx context.Context) (types.AuthConfig, time.Time, error) {
		cfg, err := awsConfig(ctx, i)
		if err != nil {
			return types.AuthConfig{}, time.Time{}, err
		}
		out, err := ecr.NewFromConfig(cfg).GetAuthorizationToken(ctx, &ecr.GetAuthorizationTokenInput{})
		if err != nil {
			return types.AuthConfig{}, time.Time{}, err
		}
		if len(out.AuthorizationData) == 0 || out.AuthorizationData[0].AuthorizationToken == nil {
			return types.AuthConfig{}, time.Time{}, errors.New("ECR returned no authorization token")
		}
		d := out.AuthorizationData[0]
		raw, err := base64.StdEncoding.DecodeString(*d.AuthorizationToken)
		if err != nil {
			return types.AuthConfig{}, time.Time{}, errors.New("ECR's authorization token is not base64")
		}
		user, pass, ok := strings.Cut(string(raw), ":")
		if !ok {
			return types.AuthConfig{}, time.Time{}, errors.New("ECR's authorization token is not USER:PASSWORD")
		}
		exp := time.Now().Add(12 * time.Hour)
		if d.ExpiresAt != nil {
			exp = *d.ExpiresAt
		}
		return types.AuthConfig{Username: user, Password: pass, ServerAddress: i.Domain}, exp, nil
	}
}

// ECRRepositories lists an ECR integration's repositories with
// DescribeRepositories, every page: ECR serves no _catalog.
func (c *Client) ECRRepositories(ctx context.Context) ([]string, error) {
	cfg, err := awsConfig(ctx, c.Integration)
	if err != nil {
		return nil, err
	}
	var out []string
	pages := ecr.NewDescribeRepositoriesPaginator(ecr.NewFromConfig(cfg), &ecr.DescribeRepositoriesInput{})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("ecr DescribeRepositories: %w", err)
		}
		for _, r := range page.Repositories {
			if r.RepositoryName != nil {
				out = append(out, *r.RepositoryName)
			}
		}
	}
	return out, nil
}
