// Admission without a server (service/app/admission.h) and the contract's
// scopes (service/auth/method_scopes.h): every RPC declares one, the
// authorizer reads it from the descriptors, and a service with an RPC that
// declares none is refused.

#include "service/app/admission.h"

#include <fstream>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "gtest/gtest.h"

#include "vouchstream/v1/api.pb.h"
#include "vouchstream/v1/options.pb.h"

#include "service/auth/authorizer.h"
#include "service/auth/method_scopes.h"
#include "service/auth/token_hash.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace vouchstream::app {
namespace {

using ::testing::HasSubstr;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

const google::protobuf::ServiceDescriptor& EventServiceDescriptor() {
  return *v1::PublishRequest::descriptor()->file()->FindServiceByName(
      "EventService");
}

TEST(MethodScopesTest, EveryEventServiceRpcDeclaresAScope) {
  const google::protobuf::ServiceDescriptor& service = EventServiceDescriptor();
  ASSERT_GT(service.method_count(), 0);
  for (int i = 0; i < service.method_count(); ++i) {
    const google::protobuf::MethodDescriptor& method = *service.method(i);
    EXPECT_NE(method.options().GetExtension(v1::required_scope),
              v1::SCOPE_UNSPECIFIED)
        << method.full_name() << " declares no (vouchstream.v1.required_scope)";
  }
  EXPECT_THAT(auth::MethodScopes::ForService(service).status(), IsOk());
}

TEST(MethodScopesTest, TheContractSaysWhoMayCallWhat) {
  auto scopes = auth::MethodScopes::ForService(EventServiceDescriptor());
  ASSERT_THAT(scopes.status(), IsOk());
  const std::pair<const char*, v1::Scope> expected[] = {
      {"Publish", v1::SCOPE_PUBLISH},      {"PublishStream", v1::SCOPE_PUBLISH},
      {"Subscribe", v1::SCOPE_SUBSCRIBE},  {"GetEvent", v1::SCOPE_SUBSCRIBE},
      {"ListEvents", v1::SCOPE_SUBSCRIBE}, {"SaveCursor", v1::SCOPE_SUBSCRIBE},
      {"GetCursor", v1::SCOPE_SUBSCRIBE},  {"ListQuarantined", v1::SCOPE_ADMIN},
      {"Reprocess", v1::SCOPE_ADMIN},
  };
  for (const auto& [method, scope] : expected) {
    EXPECT_EQ(scopes->ScopeOf(method).value_or(v1::SCOPE_UNSPECIFIED), scope)
        << method;
  }
  EXPECT_THAT(scopes->ScopeOf("Shutdown").status(),
              StatusIs(absl::StatusCode::kNotFound, ::testing::_));
}

TEST(MethodScopesTest, AServiceWithAnRpcWithoutAScopeIsRefused) {
  // A service built at run time: one method, no option.
  google::protobuf::FileDescriptorProto file;
  file.set_name("t/new.proto");
  file.set_package("t");
  file.set_syntax("proto3");
  file.add_message_type()->set_name("M");
  google::protobuf::ServiceDescriptorProto* service = file.add_service();
  service->set_name("S");
  google::protobuf::MethodDescriptorProto* method = service->add_method();
  method->set_name("Unguarded");
  method->set_input_type(".t.M");
  method->set_output_type(".t.M");
  google::protobuf::DescriptorPool pool;
  const google::protobuf::FileDescriptor* built = pool.BuildFile(file);
  ASSERT_NE(built, nullptr);
  EXPECT_THAT(auth::MethodScopes::ForService(*built->service(0)).status(),
              StatusIs(absl::StatusCode::kFailedPrecondition,
                       HasSubstr("t.S.Unguarded")));
}

TEST(AdmissionTest, WithoutAnAccessFileEveryCallerIsAnonymous) {
  auto admission = Admission::Create(nullptr);
  ASSERT_THAT(admission.status(), IsOk());
  EXPECT_FALSE(admission->access_control());
  auto who = admission->Admit("Reprocess", auth::Credentials(), "peer");
  ASSERT_THAT(who.status(), IsOk());
  EXPECT_EQ((*who)->name, "anonymous");
  EXPECT_THAT(admission->Readmit("Publish", auth::Credentials(), "x"), IsOk());
}

class AdmissionFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Write(R"({"name": "gateway", "token_sha256": [")" + Digest("gw") +
          R"("], "scopes": {"publish": true}})");
    auto authorizer = auth::Authorizer::Open(path_);
    ASSERT_THAT(authorizer.status(), IsOk());
    authorizer_ = *std::move(authorizer);
  }

  static std::string Digest(const std::string& token) {
    return auth::DigestHex(auth::HashToken(token));
  }
  void Write(const std::string& principals) const {
    std::ofstream(path_, std::ios::trunc)
        << R"({"principals": [)" << principals << "]}";
  }
  static auth::Credentials Token(const std::string& token) {
    auth::Credentials credentials;
    credentials.token = auth::HashToken(token);
    return credentials;
  }

  testing::TempDir dir_;
  const std::string path_ = dir_.File("access.json");
  std::unique_ptr<auth::Authorizer> authorizer_;
};

TEST_F(AdmissionFileTest, TheScopeComesFromTheMethod) {
  auto admission = Admission::Create(authorizer_.get());
  ASSERT_THAT(admission.status(), IsOk());
  EXPECT_TRUE(admission->access_control());
  auto gateway = admission->Admit("PublishStream", Token("gw"), "peer");
  ASSERT_THAT(gateway.status(), IsOk());
  EXPECT_EQ((*gateway)->name, "gateway");
  EXPECT_THAT(
      admission->Admit("Subscribe", Token("gw"), "peer").status(),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("subscribe")));
  EXPECT_THAT(
      admission->Admit("Reprocess", Token("gw"), "peer").status(),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("admin")));
  EXPECT_THAT(admission->Admit("Publish", Token("stranger"), "peer").status(),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
  EXPECT_THAT(admission->Admit("Publish", auth::Credentials(), "peer").status(),
              StatusIs(absl::StatusCode::kUnauthenticated, ::testing::_));
}

TEST_F(AdmissionFileTest, ReadmitFollowsReloads) {
  auto admission = Admission::Create(authorizer_.get());
  ASSERT_THAT(admission.status(), IsOk());
  EXPECT_THAT(admission->Readmit("PublishStream", Token("gw"), "gateway"),
              IsOk());

  // The token now names someone else: the stream's principal is revoked.
  Write(R"({"name": "other", "token_sha256": [")" + Digest("gw") +
        R"("], "scopes": {"publish": true}})");
  ASSERT_THAT(authorizer_->Reload().status(), IsOk());
  EXPECT_THAT(
      admission->Readmit("PublishStream", Token("gw"), "gateway"),
      StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("revoked")));

  // The same principal without the scope.
  Write(R"({"name": "gateway", "token_sha256": [")" + Digest("gw") +
        R"("], "scopes": {"admin": true}})");
  ASSERT_THAT(authorizer_->Reload().status(), IsOk());
  EXPECT_THAT(
      admission->Readmit("PublishStream", Token("gw"), "gateway"),
      StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("publish")));
}

}  // namespace
}  // namespace vouchstream::app
