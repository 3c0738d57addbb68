#include "common/channel_options.h"

#include <fstream>
#include <memory>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "grpcpp/support/client_interceptor.h"
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace vouchstream::client {
namespace {

using grpc::experimental::ClientInterceptorFactoryInterface;
using grpc::experimental::ClientRpcInfo;
using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::Interceptor;
using grpc::experimental::InterceptorBatchMethods;

// Adds `authorization: Bearer <token>` to every call's initial metadata.
class BearerTokenInterceptor final : public Interceptor {
 public:
  explicit BearerTokenInterceptor(const std::string* header)
      : header_(header) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", *header_});
    }
    methods->Proceed();
  }

 private:
  const std::string* header_;
};

class BearerTokenInterceptorFactory final
    : public ClientInterceptorFactoryInterface {
 public:
  explicit BearerTokenInterceptorFactory(const std::string& token)
      : header_(absl::StrCat("Bearer ", token)) {}

  Interceptor* CreateClientInterceptor(ClientRpcInfo* /*info*/) override {
    return new BearerTokenInterceptor(&header_);
  }

 private:
  // Owned by the channel, which outlives its calls and their interceptors.
  const std::string header_;
};

absl::StatusOr<std::string> ReadFile(absl::string_view option,
                                     const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat(option, ": cannot read \"", path, "\""));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The contents of `path`, which must hold a PEM block whose label ends with
// `label` ("CERTIFICATE", "PRIVATE KEY").
absl::StatusOr<std::string> ReadPemFile(absl::string_view option,
                                        const std::string& path,
                                        absl::string_view label) {
  absl::StatusOr<std::string> pem = ReadFile(option, path);
  if (pem.ok() && (!absl::StrContains(*pem, "-----BEGIN ") ||
                   !absl::StrContains(*pem, absl::StrCat(label, "-----")))) {
    return absl::InvalidArgumentError(absl::StrCat(
        option, ": \"", path, "\" holds no PEM ", label, " block"));
  }
  return pem;
}

// OK when the private key `key_pem` belongs to the first certificate of
// `cert_pem`. gRPC would find out only at the first handshake, and say so
// in its own log lines; the user should hear it here, naming the files.
absl::Status CheckKeyMatchesCert(const ChannelOptions& options,
                                 const std::string& cert_pem,
                                 const std::string& key_pem) {
  const std::unique_ptr<BIO, decltype(&BIO_free)> cert_bio(
      BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size())),
      &BIO_free);
  const std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_bio_X509(cert_bio.get(), nullptr, nullptr, nullptr), &X509_free);
  // An encrypted key would make OpenSSL prompt on the terminal: the
  // password callback refuses instead.
  pem_password_cb* no_password = [](char*, int, int, void*) { return 0; };
  const std::unique_ptr<BIO, decltype(&BIO_free)> key_bio(
      BIO_new_mem_buf(key_pem.data(), static_cast<int>(key_pem.size())),
      &BIO_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_password, nullptr),
      &EVP_PKEY_free);
  ERR_clear_error();  // Nothing of this belongs in a later error report.
  if (cert == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("--cert: \"", options.cert_file,
                     "\" holds no certificate OpenSSL can read"));
  }
  if (key == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--key: \"", options.key_file,
        "\" holds no private key OpenSSL can read (an encrypted key is not "
        "supported)"));
  }
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    return absl::InvalidArgumentError(absl::StrCat(
        "--key: \"", options.key_file,
        "\" is not the private key of the certificate in --cert \"",
        options.cert_file, "\""));
  }
  return absl::OkStatus();
}

// Reads --cert and --key into `ssl`, checking that they belong together.
absl::Status LoadClientCertificate(const ChannelOptions& options,
                                   grpc::SslCredentialsOptions* ssl) {
  absl::StatusOr<std::string> cert =
      ReadPemFile("--cert", options.cert_file, "CERTIFICATE");
  if (!cert.ok()) {
    return cert.status();
  }
  absl::StatusOr<std::string> key =
      ReadPemFile("--key", options.key_file, "PRIVATE KEY");
  if (!key.ok()) {
    return key.status();
  }
  absl::Status matches = CheckKeyMatchesCert(options, *cert, *key);
  if (!matches.ok()) {
    return matches;
  }
  ssl->pem_cert_chain = *std::move(cert);
  ssl->pem_private_key = *std::move(key);
  return absl::OkStatus();
}

bool Consume(const std::string& arg, absl::string_view name,
             std::string* value) {
  if (!absl::StartsWith(arg, name)) {
    return false;
  }
  *value = arg.substr(name.size());
  return true;
}

}  // namespace

absl::StatusOr<ChannelFactory> ChannelFactory::Create(
    const ChannelOptions& options) {
  ChannelFactory factory;
  if (options.cert_file.empty() != options.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--cert and --key (client certificate and key) go together");
  }
  const bool tls =
      options.tls || !options.ca_file.empty() || !options.cert_file.empty();
  if (!tls) {
    if (!options.server_name.empty()) {
      return absl::InvalidArgumentError(
          "--server-name needs TLS (--tls or --ca)");
    }
    factory.credentials_ = grpc::InsecureChannelCredentials();
  } else {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      absl::StatusOr<std::string> ca =
          ReadPemFile("--ca", options.ca_file, "CERTIFICATE");
      if (!ca.ok()) {
        return ca.status();
      }
      ssl.pem_root_certs = *std::move(ca);
    }
    factory.tls_mode_ = "on";
    if (!options.cert_file.empty()) {
      absl::Status loaded = LoadClientCertificate(options, &ssl);
      if (!loaded.ok()) {
        return loaded;
      }
      factory.tls_mode_ = "mtls";
    }
    factory.credentials_ = grpc::SslCredentials(ssl);
    factory.server_name_ = options.server_name;
  }
  factory.token_ = options.token;
  if (factory.token_.empty() && !options.token_file.empty()) {
    absl::StatusOr<std::string> token =
        ReadFile("--token-file", options.token_file);
    if (!token.ok()) {
      return token.status();
    }
    factory.token_ = std::string(absl::StripAsciiWhitespace(*token));
    if (factory.token_.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--token-file: \"", options.token_file, "\" is empty"));
    }
  }
  return factory;
}

std::shared_ptr<grpc::Channel> ChannelFactory::Connect(
    const std::string& target, grpc::ChannelArguments args) const {
  if (!server_name_.empty()) {
    args.SetSslTargetNameOverride(server_name_);
  }
  if (token_.empty()) {
    return grpc::CreateCustomChannel(target, credentials_, args);
  }
  std::vector<std::unique_ptr<ClientInterceptorFactoryInterface>> interceptors;
  interceptors.push_back(
      std::make_unique<BearerTokenInterceptorFactory>(token_));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      target, credentials_, args, std::move(interceptors));
}

bool ParseChannelFlag(const std::string& arg, ChannelOptions* options) {
  if (arg == "--tls") {
    options->tls = true;
    return true;
  }
  return Consume(arg, "--ca=", &options->ca_file) ||
         Consume(arg, "--cert=", &options->cert_file) ||
         Consume(arg, "--key=", &options->key_file) ||
         Consume(arg, "--server-name=", &options->server_name) ||
         Consume(arg, "--token-file=", &options->token_file);
}

}  // namespace vouchstream::client
