#pragma once
// The gRPC server's TLS material (`--tls-cert`, `--tls-key`, `--client-ca`),
// reloadable while the server runs (SIGHUP). Open connections keep the
// material they were made with; new handshakes get the new one.
//
// How: gRPC 1.51's `TlsServerCredentials` with a
// `FileWatcherCertificateProvider` that watches a private copy of the
// material, never the operator's files. `Create` and `Reload` read and check
// the operator's files (readable, PEM, the key matches the leaf certificate,
// the CA parses, the key not readable by group/others unless
// `allow_loose_files`) and only then replace the copy with one atomic
// rename per file; a failed check leaves the copy, so the server keeps
// serving the old material. Certificate chain and key share one file, so
// the watcher can never read a new certificate beside an old key. The
// watcher polls the copy every `refresh_seconds`: new handshakes see the
// new material at most that long after `Reload` returns.
//
//   ReloadableServerTls::Options options;
//   options.files = {cert_path, key_path, client_ca_path};
//   auto tls = ReloadableServerTls::Create(options);
//   if (!tls.ok()) { /* names the flag and the file */ }
//   builder.AddListeningPort(listen, (*tls)->credentials(), &port);
//   ...
//   absl::Status reloaded = (*tls)->Reload();  // on SIGHUP; log if not OK
//
// Thread-safe: `Reload` may be called from any thread (calls are
// serialised); `credentials` is fixed at creation.

#include <memory>
#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/security/server_credentials.h"

namespace vouchstream::rpc {

// File paths, empty when not given. `cert` and `key` go together;
// `client_ca` needs both.
struct ServerTlsOptions {
  std::string cert;       // --tls-cert: PEM certificate chain, leaf first
  std::string key;        // --tls-key: PEM private key of the leaf
  std::string client_ca;  // --client-ca: PEM CA(s) client certs must chain to
  // --allow-loose-files: a reload accepts a key that group/others may read
  // (the start-up check is the binary's own, common::CheckPrivateFile).
  bool allow_loose_files = false;
};

class ReloadableServerTls {
 public:
  struct Options {
    ServerTlsOptions files;  // `cert` and `key` must be set
    // Where the private copy lives (a new 0700 directory is made in it and
    // removed by the destructor). Empty: $RUNTIME_DIRECTORY (systemd's
    // RuntimeDirectory=), else $TMPDIR, else /tmp.
    std::string runtime_dir;
    // How often gRPC's watcher looks at the copy.
    unsigned refresh_seconds = 1;
  };

  // Errors: kNotFound (a file cannot be read), kInvalidArgument (no PEM
  // block of the right kind, a PEM that does not parse, a key that does
  // not match the certificate), kFailedPrecondition (the copy cannot be
  // written). Messages name the flag and the file, never their bytes.
  static absl::StatusOr<std::unique_ptr<ReloadableServerTls>> Create(
      const Options& options);

  ~ReloadableServerTls();
  ReloadableServerTls(const ReloadableServerTls&) = delete;
  ReloadableServerTls& operator=(const ReloadableServerTls&) = delete;

  // For `ServerBuilder::AddListeningPort`.
  std::shared_ptr<grpc::ServerCredentials> credentials() const {
    return credentials_;
  }
  // Whether clients must present a certificate (`--client-ca` was given).
  bool mutual() const { return !options_.files.client_ca.empty(); }

  // Reads and checks the files again and, when they pass, hands them to new
  // handshakes. Errors as `Create`, plus kFailedPrecondition for a key that
  // group/others may read (unless `allow_loose_files`); on error the
  // material in use does not change.
  absl::Status Reload();

 private:
  explicit ReloadableServerTls(Options options, std::string dir)
      : options_(std::move(options)), dir_(std::move(dir)) {}

  absl::Status LoadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  const std::string dir_;  // the private copy's directory
  std::shared_ptr<grpc::ServerCredentials> credentials_;
  absl::Mutex mu_;
};

}  // namespace vouchstream::rpc
