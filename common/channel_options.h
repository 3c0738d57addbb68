#pragma once
// How a vouchstream client reaches the server: plaintext, TLS (verify the
// server against a CA), or mTLS (also present a client certificate), plus an
// optional bearer token sent as `authorization: Bearer <token>` on every
// call. Shared by the C++ library users, vouchstream-cli, the example
// consumer and the gateway's upstream channel.
//
//   ChannelOptions options;
//   options.ca_file = "ca.pem";                 // TLS
//   options.cert_file = "client.pem";           // mTLS
//   options.key_file = "client.key";
//   options.token_file = "/run/secrets/token";  // bearer token
//   absl::StatusOr<ChannelFactory> factory = ChannelFactory::Create(options);
//   if (!factory.ok()) { /* names the option and the file */ }
//   std::shared_ptr<grpc::Channel> channel = factory->Connect("host:50051");
//
// The token travels in a client interceptor, not in gRPC call credentials:
// gRPC refuses call credentials on a plaintext channel, and a loopback
// deployment (plaintext by default) must be able to send the token too.
// Over plaintext the token is readable by anyone on the path: use TLS off
// loopback.
//
// Thread-safe: a ChannelFactory is immutable after Create.

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace vouchstream::client {

// Paths are PEM files; empty means "not given". TLS is on when `tls` is set
// or any of `ca_file`, `cert_file`, `key_file` is given; without `ca_file`
// the server is verified against the system's roots.
struct ChannelOptions {
  bool tls = false;
  std::string ca_file;      // CA the server's certificate must chain to
  std::string cert_file;    // client certificate chain (mTLS), with key_file
  std::string key_file;     // client private key (mTLS), with cert_file
  std::string server_name;  // expected name in the server's certificate
                            // (grpc.ssl_target_name_override); TLS only
  std::string token;        // bearer token; wins over token_file
  std::string token_file;   // file holding the bearer token (trimmed)
};

// Loads the files of a ChannelOptions once and opens channels with them.
class ChannelFactory {
 public:
  // Reads and checks the files. Errors: kInvalidArgument (cert without key
  // or the reverse, server_name without TLS, a file without the right PEM
  // block, a key that is not the certificate's, checked with OpenSSL; an
  // empty token file), kNotFound (a file cannot be read); the message names
  // the option and the file.
  static absl::StatusOr<ChannelFactory> Create(const ChannelOptions& options);

  // A channel to `target` ("HOST:PORT") with these credentials; `args` may
  // carry other settings (message sizes, backoff). Never fails: errors show
  // on the calls (UNAVAILABLE when the handshake fails).
  std::shared_ptr<grpc::Channel> Connect(
      const std::string& target,
      grpc::ChannelArguments args = grpc::ChannelArguments()) const;

  // "off", "on" (TLS) or "mtls".
  const std::string& tls_mode() const { return tls_mode_; }
  bool has_token() const { return !token_.empty(); }

 private:
  ChannelFactory() = default;

  std::shared_ptr<grpc::ChannelCredentials> credentials_;
  std::string server_name_;
  std::string token_;
  std::string tls_mode_ = "off";
};

// Consumes `arg` when it is one of the command-line flags that fill a
// ChannelOptions: --tls, --ca=FILE, --cert=FILE, --key=FILE,
// --server-name=NAME, --token-file=FILE. Used by vouchstream-cli and the
// example consumer.
bool ParseChannelFlag(const std::string& arg, ChannelOptions* options);

// The usage text of those flags, for a command's help.
inline constexpr const char* kChannelFlagsUsage =
    "[--tls] [--ca=PEM] [--cert=PEM --key=PEM] [--server-name=NAME] "
    "[--token-file=FILE]";

}  // namespace vouchstream::client
