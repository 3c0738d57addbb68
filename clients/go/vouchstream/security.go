package vouchstream

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Security says how to reach the server: plaintext (the zero value), TLS, or
// mTLS, plus an optional bearer token.
//
//	client, err := vouchstream.DialSecure("vs.internal:50051", vouchstream.Security{
//		CA: "ca.pem", Cert: "client.pem", Key: "client.key",
//		Token: os.Getenv("VOUCHSTREAM_TOKEN"),
//	})
type Security struct {
	// TLS turns TLS on with the system's roots; CA, Cert or Key imply it.
	TLS bool
	// CA is a PEM file of the CA the server's certificate must chain to.
	CA string
	// Cert and Key are PEM files of a client certificate (mTLS), both or
	// neither.
	Cert, Key string
	// ServerName is the name expected in the server's certificate when it is
	// not the target's host.
	ServerName string
	// Token is sent as "authorization: Bearer <token>" on every call (over
	// plaintext too: readable by anyone on the path unless TLS is on).
	Token string
}

// DialOptions turns s into dial options: transport credentials and, with a
// Token, per-call credentials.
func (s Security) DialOptions() ([]grpc.DialOption, error) {
	if (s.Cert == "") != (s.Key == "") {
		return nil, errors.New("Cert and Key (client certificate and key) go together")
	}
	var opts []grpc.DialOption
	if s.TLS || s.CA != "" || s.Cert != "" {
		config := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: s.ServerName}
		if s.CA != "" {
			pem, err := os.ReadFile(s.CA)
			if err != nil {
				return nil, fmt.Errorf("CA: %w", err)
			}
			config.RootCAs = x509.NewCertPool()
			if !config.RootCAs.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("CA: %s holds no PEM certificate", s.CA)
			}
		}
		if s.Cert != "" {
			pair, err := tls.LoadX509KeyPair(s.Cert, s.Key)
			if err != nil {
				return nil, fmt.Errorf("Cert/Key: %w", err)
			}
			config.Certificates = []tls.Certificate{pair}
		}
		opts = append(opts, grpc.WithTransportCredentials(credentials.NewTLS(config)))
	} else {
		if s.ServerName != "" {
			return nil, errors.New("ServerName needs TLS (TLS or CA)")
		}
		opts = append(opts, grpc.WithInsecure())
	}
	if s.Token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearerToken(s.Token)))
	}
	return opts, nil
}

// DialSecure connects to target ("host:port") per s; opts come after s's
// options. The connection is lazy.
func DialSecure(target string, s Security, opts ...grpc.DialOption) (*Client, error) {
	secure, err := s.DialOptions()
	if err != nil {
		return nil, err
	}
	return Dial(target, append(secure, opts...)...)
}

// bearerToken sends "authorization: Bearer <token>". It does not require
// transport security, so a plaintext loopback deployment can send it too.
type bearerToken string

func (b bearerToken) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

func (b bearerToken) RequireTransportSecurity() bool { return false }
