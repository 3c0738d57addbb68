#include "tests/tls/metadata_recorder.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "grpcpp/support/server_interceptor.h"

#include "vouchstream/v1/api.grpc.pb.h"

namespace vouchstream::testing {
namespace {

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::Interceptor;
using grpc::experimental::InterceptorBatchMethods;
using grpc::experimental::ServerInterceptorFactoryInterface;
using grpc::experimental::ServerRpcInfo;

class RecordingInterceptor final : public Interceptor {
 public:
  RecordingInterceptor(MetadataRecorder* recorder, std::string method)
      : recorder_(recorder), method_(std::move(method)) {}

  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      MetadataRecorder::Call call;
      call.method = method_;
      for (const auto& [key, value] : *methods->GetRecvInitialMetadata()) {
        if (key == "authorization") {
          call.authorization.assign(value.data(), value.size());
        }
      }
      recorder_->Record(std::move(call));
    }
    methods->Proceed();
  }

 private:
  MetadataRecorder* const recorder_;
  const std::string method_;
};

class RecordingFactory final : public ServerInterceptorFactoryInterface {
 public:
  explicit RecordingFactory(MetadataRecorder* recorder) : recorder_(recorder) {}
  Interceptor* CreateServerInterceptor(ServerRpcInfo* info) override {
    return new RecordingInterceptor(recorder_, info->method());
  }

 private:
  MetadataRecorder* const recorder_;
};

// EventService with every method unimplemented: calls still pass the
// interceptor, and the client sees UNIMPLEMENTED.
class UnimplementedEventService final : public v1::EventService::Service {};

}  // namespace

absl::StatusOr<std::unique_ptr<MetadataRecorder>> MetadataRecorder::Start(
    std::shared_ptr<grpc::ServerCredentials> credentials) {
  static auto* const kService = new UnimplementedEventService();
  std::unique_ptr<MetadataRecorder> recorder(new MetadataRecorder());
  grpc::EnableDefaultHealthCheckService(true);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", std::move(credentials),
                           &recorder->port_);
  builder.RegisterService(kService);
  std::vector<std::unique_ptr<ServerInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<RecordingFactory>(recorder.get()));
  builder.experimental().SetInterceptorCreators(std::move(factories));
  recorder->server_ = builder.BuildAndStart();
  if (recorder->server_ == nullptr || recorder->port_ == 0) {
    return absl::UnavailableError("metadata recorder: cannot listen");
  }
  return recorder;
}

MetadataRecorder::~MetadataRecorder() {
  if (server_ != nullptr) {
    server_->Shutdown(std::chrono::system_clock::now());
  }
}

std::string MetadataRecorder::address() const {
  return absl::StrCat("127.0.0.1:", port_);
}

bool MetadataRecorder::WaitForAuthorization(const std::string& expected,
                                            absl::Duration timeout) const {
  auto seen = [this, &expected]() {
    return std::any_of(calls_.begin(), calls_.end(),
                       [&expected](const Call& call) {
                         return call.authorization == expected;
                       });
  };
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&seen), timeout);
}

std::vector<MetadataRecorder::Call> MetadataRecorder::calls() const {
  absl::MutexLock lock(&mu_);
  return calls_;
}

void MetadataRecorder::Record(Call call) {
  absl::MutexLock lock(&mu_);
  calls_.push_back(std::move(call));
}

}  // namespace vouchstream::testing
