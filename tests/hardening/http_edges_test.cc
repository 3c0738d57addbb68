// The gateway's HTTP and TLS edges (issue 22): a Transfer-Encoding other
// than "chunked" is answered 501 and the connection closed (before, Beast
// read "xchunked" as an empty body, answered 401); TLS 1.2 on the HTTPS
// listener offers ECDHE with AES-GCM or ChaCha20-Poly1305 only (before, CBC
// suites such as ECDHE-ECDSA-AES128-SHA were accepted).

#include <unistd.h>

#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "transcode/signature.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "tests/gateway_e2e/raw_connection.h"
#include "tests/testing/deployment.h"
#include "tests/testing/gateway_process.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_certs.h"

namespace vouchstream::testing {
namespace {

using ::testing::HasSubstr;

constexpr char kSecret[] = "edges-secret";
constexpr absl::Duration kAnswerTimeout = absl::Seconds(10);

// A server and a gateway in front of it, shared by the suite.
class HttpEdgesTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Deployment::Options options;
    options.secret = kSecret;
    auto deployment = Deployment::Start(options);
    ASSERT_THAT(deployment.status(), IsOk());
    deployment_ = deployment->release();
  }
  static void TearDownTestSuite() { delete deployment_; }

  static absl::StatusOr<std::unique_ptr<GatewayProcess>> StartGateway(
      const std::vector<std::string>& args, bool wait_ready = true) {
    return deployment_->StartGateway(args, wait_ready);
  }

  // Google style's trailing underscore for a class's (static) data member,
  // which the naming check reads as a variable.
  static Deployment* deployment_;  // NOLINT(readability-identifier-naming)
};
Deployment* HttpEdgesTest::deployment_ = nullptr;

// A signed webhook POST whose body is sent in one chunk, with
// `transfer_encoding` as the Transfer-Encoding header.
std::string ChunkedPost(const std::string& transfer_encoding) {
  const std::string body =
      R"({"id": "evx_1", "data": {"customer": {"id": "cust_1"}}})";
  return absl::StrCat(
      "POST /webhooks/voucherify/x.custom HTTP/1.1\r\n"
      "Host: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "x-voucherify-signature: ",
      transcode::SignHex(kSecret, body),
      "\r\nTransfer-Encoding: ", transfer_encoding, "\r\n\r\n",
      absl::StrCat(absl::Hex(body.size())), "\r\n", body, "\r\n0\r\n\r\n");
}

TEST_F(HttpEdgesTest, TransferCodingsOtherThanChunkedAre501AndClose) {
  auto gateway = StartGateway({});
  ASSERT_THAT(gateway.status(), IsOk());
  for (const char* coding : {"xchunked", "gzip, chunked", "identity",
                             "chunked, chunked", "deflate"}) {
    SCOPED_TRACE(coding);
    auto connection = RawConnection::Connect((*gateway)->port());
    ASSERT_THAT(connection.status(), IsOk());
    ASSERT_THAT((*connection)->Write(ChunkedPost(coding), kAnswerTimeout),
                IsOk());
    auto responses = (*connection)->ReadResponses(1, kAnswerTimeout);
    ASSERT_THAT(responses.status(), IsOk());
    ASSERT_EQ(responses->size(), 1U);
    const HttpResponse& response = (*responses)[0];
    EXPECT_EQ(response.status, 501);
    EXPECT_THAT(response.body, HasSubstr(R"("status":"UNIMPLEMENTED")"));
    EXPECT_THAT(response.body, HasSubstr("Transfer-Encoding"));
    EXPECT_EQ(response.Header("connection"), "close");
    EXPECT_TRUE((*connection)->WaitClosed(kAnswerTimeout));
  }
  // The one coding supported still works, in any letter case.
  for (const char* coding : {"chunked", "Chunked"}) {
    SCOPED_TRACE(coding);
    auto connection = RawConnection::Connect((*gateway)->port());
    ASSERT_THAT(connection.status(), IsOk());
    ASSERT_THAT((*connection)->Write(ChunkedPost(coding), kAnswerTimeout),
                IsOk());
    auto responses = (*connection)->ReadResponses(1, kAnswerTimeout);
    ASSERT_THAT(responses.status(), IsOk());
    ASSERT_EQ(responses->size(), 1U);
    EXPECT_EQ((*responses)[0].status, 200) << (*responses)[0].body;
  }
}

// Whether a TLS 1.2 handshake with the gateway on `port` succeeds when the
// client offers only `cipher` (OpenSSL's name). The socket has a receive
// and send timeout, so a stuck handshake fails instead of hanging.
bool Tls12Handshake(int port, const std::string& ca_file, const char* cipher) {
  const std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)> ctx(
      SSL_CTX_new(TLS_client_method()), &SSL_CTX_free);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx.get(), TLS1_2_VERSION);
  if (SSL_CTX_set_cipher_list(ctx.get(), cipher) != 1 ||
      SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1) {
    ADD_FAILURE() << "client setup failed for " << cipher;
    return false;
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) == 0) {
    SSL* ssl = SSL_new(ctx.get());
    SSL_set_fd(ssl, fd);
    ok = SSL_connect(ssl) == 1;
    if (ok) {
      SSL_shutdown(ssl);
    }
    SSL_free(ssl);
  } else {
    ADD_FAILURE() << "cannot connect to 127.0.0.1:" << port;
  }
  ERR_clear_error();
  close(fd);
  return ok;
}

TEST_F(HttpEdgesTest, CbcSuitesAreRefusedOnTheHttpsListener) {
  auto pki = MakeTestPki(deployment_->dir().File("pki"));
  ASSERT_THAT(pki.status(), IsOk());
  // The listener is up once the port is printed; no upstream needed.
  auto gateway = StartGateway({absl::StrCat("--tls-cert=", pki->server_cert),
                               absl::StrCat("--tls-key=", pki->server_key)},
                              /*wait_ready=*/false);
  ASSERT_THAT(gateway.status(), IsOk());
  const int port = (*gateway)->port();
  for (const char* cbc :
       {"ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA",
        "ECDHE-ECDSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384"}) {
    EXPECT_FALSE(Tls12Handshake(port, pki->ca_cert, cbc)) << cbc;
  }
  for (const char* aead :
       {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305"}) {
    EXPECT_TRUE(Tls12Handshake(port, pki->ca_cert, aead)) << aead;
  }
}

}  // namespace
}  // namespace vouchstream::testing
