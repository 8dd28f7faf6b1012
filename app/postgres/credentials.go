package postgres

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/rds/auth"
)

// PasswordSource supplies the password for each new connection (Options.Password), asked
// again every time the pool dials, so that a credential rotated while the service runs is
// used by the next connection without a restart.
type PasswordSource interface {
	Password(ctx context.Context, host string, port uint16, user string) (string, error)
}

// PasswordFile reads the password from a file at every new connection: a mounted secret that
// the platform rewrites on rotation. Surrounding white space (the trailing newline an editor or
// `echo` leaves) is not part of it.
func PasswordFile(path string) PasswordSource { return passwordFile(path) }

type passwordFile string

func (f passwordFile) Password(context.Context, string, uint16, string) (string, error) {
	b, err := os.ReadFile(string(f))
	if err != nil {
		return "", fmt.Errorf("read password file: %w", err)
	}
	pw := strings.TrimSpace(string(b))
	if pw == "" {
		return "", fmt.Errorf("password file %s is empty", string(f))
	}
	return pw, nil
}

// RDSIAMAuth makes an RDS IAM authentication token for every new connection: a SigV4
// presigned "connect" request for the connection's host, port and user, valid 15 minutes,
// signed locally with creds (no network call but what creds itself needs). The database user
// must hold rds_iam, the caller rds-db:connect on that user, and the connection must use TLS.
func RDSIAMAuth(region string, creds aws.CredentialsProvider) PasswordSource {
	return rdsIAMAuth{region: region, creds: creds}
}

type rdsIAMAuth struct {
	region string
	creds  aws.CredentialsProvider
}

func (a rdsIAMAuth) Password(ctx context.Context, host string, port uint16, user string) (string, error) {
	token, err := auth.BuildAuthToken(ctx, net.JoinHostPort(host, strconv.Itoa(int(port))), a.region, user, a.creds)
	if err != nil {
		return "", fmt.Errorf("rds iam auth token: %w", err)
	}
	return token, nil
}

// RDSRegion returns the AWS region an RDS or Aurora endpoint is in, from its DNS name
// (name.id.region.rds.amazonaws.com, also cluster-, cluster-ro- and proxy- endpoints).
func RDSRegion(host string) (string, error) {
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(host, ".")), ".")
	for i := len(labels) - 3; i >= 2; i-- {
		if labels[i] == "rds" && labels[i+1] == "amazonaws" {
			return labels[i-1], nil
		}
	}
	return "", errors.New("not an RDS endpoint (name.id.region.rds.amazonaws.com)")
}
