#include "service/rpc/reloadable_server_tls.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/security/tls_certificate_provider.h"
#include "grpcpp/security/tls_credentials_options.h"
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/private_file.h"

namespace vouchstream::rpc {
namespace {

constexpr absl::string_view kIdentityFile = "identity.pem";  // chain, key
constexpr absl::string_view kClientCaFile = "client-ca.pem";

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct X509Free {
  void operator()(X509* x509) const { X509_free(x509); }
};
struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

std::unique_ptr<BIO, BioFree> MemoryBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(
      BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// The contents of `path` (given as `flag`), which must hold a PEM block
// whose label ends with `label` ("CERTIFICATE", "PRIVATE KEY").
absl::StatusOr<std::string> ReadPemFile(absl::string_view flag,
                                        const std::string& path,
                                        absl::string_view label) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(flag, ": cannot read \"", path, "\""));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  std::string pem = contents.str();
  // "-----BEGIN CERTIFICATE-----", "-----BEGIN EC PRIVATE KEY-----", ...
  if (!absl::StrContains(pem, "-----BEGIN ") ||
      !absl::StrContains(pem, absl::StrCat(label, "-----"))) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, ": \"", path, "\" holds no PEM ", label, " block"));
  }
  return pem;
}

absl::Status Unparsable(absl::string_view flag, const std::string& path,
                        absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat(flag, ": \"", path, "\": ", what));
}

// The leaf certificate of `cert_pem` and the key of `key_pem` must parse
// and belong together; gRPC would otherwise fail every handshake.
absl::Status CheckIdentity(const ServerTlsOptions& files,
                           const std::string& cert_pem,
                           const std::string& key_pem) {
  auto cert_bio = MemoryBio(cert_pem);
  std::unique_ptr<X509, X509Free> leaf(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr));
  if (leaf == nullptr) {
    return Unparsable("--tls-cert", files.cert,
                      "the certificate does not parse");
  }
  auto key_bio = MemoryBio(key_pem);
  std::unique_ptr<EVP_PKEY, KeyFree> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return Unparsable("--tls-key", files.key, "the private key does not parse");
  }
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    return absl::InvalidArgumentError(
        absl::StrCat("--tls-key: \"", files.key,
                     "\" does not match --tls-cert \"", files.cert, "\""));
  }
  return absl::OkStatus();
}

absl::Status CheckCa(const std::string& path, const std::string& ca_pem) {
  auto bio = MemoryBio(ca_pem);
  std::unique_ptr<X509, X509Free> first(
      PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (first == nullptr) {
    return Unparsable("--client-ca", path, "the certificate does not parse");
  }
  return absl::OkStatus();
}

// Replaces `dir`/`name` with `contents` in one rename, so that a reader sees
// the old file or the new one, never a part.
absl::Status WriteAtomically(const std::string& dir, absl::string_view name,
                             const std::string& contents) {
  const std::string path = absl::StrCat(dir, "/", name);
  const std::string temporary = absl::StrCat(path, ".new");
  const int fd =
      open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot write \"", temporary, "\": ", std::strerror(errno)));
  }
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n =
        write(fd, contents.data() + written, contents.size() - written);
    if (n <= 0) {
      const int error = errno;
      close(fd);
      return absl::FailedPreconditionError(absl::StrCat(
          "cannot write \"", temporary, "\": ", std::strerror(error)));
    }
    written += static_cast<size_t>(n);
  }
  close(fd);
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "cannot rename \"", temporary, "\": ", std::strerror(errno)));
  }
  return absl::OkStatus();
}

std::string RuntimeDir(const std::string& configured) {
  if (!configured.empty()) {
    return configured;
  }
  for (const char* variable : {"RUNTIME_DIRECTORY", "TMPDIR"}) {
    const char* value = std::getenv(variable);
    // RuntimeDirectory= with several names gives a colon-separated list.
    if (value != nullptr && *value != '\0') {
      const std::string text = value;
      return text.substr(0, text.find(':'));
    }
  }
  return "/tmp";
}

}  // namespace

absl::StatusOr<std::unique_ptr<ReloadableServerTls>>
ReloadableServerTls::Create(const Options& options) {
  std::string pattern =
      absl::StrCat(RuntimeDir(options.runtime_dir), "/vouchstream-tls-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("cannot make a private directory \"", pattern,
                     "\" for the TLS material: ", std::strerror(errno)));
  }
  std::unique_ptr<ReloadableServerTls> tls(
      new ReloadableServerTls(options, std::move(pattern)));
  {
    absl::MutexLock lock(&tls->mu_);
    absl::Status loaded = tls->LoadLocked();
    if (!loaded.ok()) {
      return loaded;
    }
  }
  const std::string identity = absl::StrCat(tls->dir_, "/", kIdentityFile);
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider;
  if (tls->mutual()) {
    provider =
        std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
            identity, identity, absl::StrCat(tls->dir_, "/", kClientCaFile),
            options.refresh_seconds);
  } else {
    provider =
        std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
            identity, identity, options.refresh_seconds);
  }
  grpc::experimental::TlsServerCredentialsOptions credentials(provider);
  credentials.watch_identity_key_cert_pairs();
  if (tls->mutual()) {
    credentials.watch_root_certs();
    credentials.set_cert_request_type(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  } else {
    credentials.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  }
  tls->credentials_ = grpc::experimental::TlsServerCredentials(credentials);
  return tls;
}

ReloadableServerTls::~ReloadableServerTls() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status ReloadableServerTls::Reload() {
  absl::MutexLock lock(&mu_);
  if (!options_.files.allow_loose_files) {
    absl::Status private_key =
        common::CheckPrivateFile("--tls-key", options_.files.key);
    if (!private_key.ok()) {
      return private_key;
    }
  }
  return LoadLocked();
}

// Checks everything before writing anything, then writes the client CA
// before the identity: a CA and an identity from two different reloads can
// meet for one refresh at most, and each is valid on its own.
absl::Status ReloadableServerTls::LoadLocked() {
  const ServerTlsOptions& files = options_.files;
  absl::StatusOr<std::string> cert =
      ReadPemFile("--tls-cert", files.cert, "CERTIFICATE");
  if (!cert.ok()) {
    return cert.status();
  }
  absl::StatusOr<std::string> key =
      ReadPemFile("--tls-key", files.key, "PRIVATE KEY");
  if (!key.ok()) {
    return key.status();
  }
  absl::Status identity = CheckIdentity(files, *cert, *key);
  if (!identity.ok()) {
    return identity;
  }
  std::string client_ca;
  if (mutual()) {
    absl::StatusOr<std::string> ca =
        ReadPemFile("--client-ca", files.client_ca, "CERTIFICATE");
    if (!ca.ok()) {
      return ca.status();
    }
    absl::Status parsed = CheckCa(files.client_ca, *ca);
    if (!parsed.ok()) {
      return parsed;
    }
    client_ca = *std::move(ca);
    absl::Status written = WriteAtomically(dir_, kClientCaFile, client_ca);
    if (!written.ok()) {
      return written;
    }
  }
  std::string chain_and_key = *std::move(cert);
  if (!chain_and_key.empty() && chain_and_key.back() != '\n') {
    chain_and_key.push_back('\n');
  }
  chain_and_key += *key;
  return WriteAtomically(dir_, kIdentityFile, chain_and_key);
}

}  // namespace vouchstream::rpc
