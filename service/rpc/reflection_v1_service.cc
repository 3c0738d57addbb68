#include "service/rpc/reflection_v1_service.h"

#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"

namespace vouchstream::rpc {
namespace {

namespace pb = ::google::protobuf;
using grpc::reflection::v1::ServerReflectionRequest;
using grpc::reflection::v1::ServerReflectionResponse;

// Adds `file` and, transitively, the files it imports, skipping those this
// stream has already sent (as gRPC's v1alpha service does).
void AddFileAndImports(const pb::FileDescriptor* file,
                       std::set<std::string>& sent,
                       ServerReflectionResponse& response) {
  if (file == nullptr || !sent.insert(file->name()).second) {
    return;
  }
  pb::FileDescriptorProto proto;
  file->CopyTo(&proto);
  proto.SerializeToString(
      response.mutable_file_descriptor_response()->add_file_descriptor_proto());
  for (int i = 0; i < file->dependency_count(); ++i) {
    AddFileAndImports(file->dependency(i), sent, response);
  }
}

void SetError(ServerReflectionResponse& response, grpc::StatusCode code,
              std::string message) {
  response.clear_message_response();
  response.mutable_error_response()->set_error_code(static_cast<int>(code));
  response.mutable_error_response()->set_error_message(std::move(message));
}

// Answers one request from `pool`; never fails the stream, as the protocol
// carries errors in the response.
void Answer(const pb::DescriptorPool& pool,
            const std::vector<std::string>& services,
            const ServerReflectionRequest& request, std::set<std::string>& sent,
            ServerReflectionResponse& response) {
  response.set_valid_host(request.host());
  *response.mutable_original_request() = request;
  switch (request.message_request_case()) {
    case ServerReflectionRequest::kFileByFilename: {
      const pb::FileDescriptor* file =
          pool.FindFileByName(request.file_by_filename());
      if (file == nullptr) {
        SetError(response, grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("file not found: ", request.file_by_filename()));
        return;
      }
      AddFileAndImports(file, sent, response);
      return;
    }
    case ServerReflectionRequest::kFileContainingSymbol: {
      const pb::FileDescriptor* file =
          pool.FindFileContainingSymbol(request.file_containing_symbol());
      if (file == nullptr) {
        SetError(response, grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("symbol not found: ",
                              request.file_containing_symbol()));
        return;
      }
      AddFileAndImports(file, sent, response);
      return;
    }
    case ServerReflectionRequest::kFileContainingExtension: {
      const auto& wanted = request.file_containing_extension();
      const pb::Descriptor* type =
          pool.FindMessageTypeByName(wanted.containing_type());
      const pb::FieldDescriptor* extension =
          type == nullptr
              ? nullptr
              : pool.FindExtensionByNumber(type, wanted.extension_number());
      if (extension == nullptr) {
        SetError(response, grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("extension not found: ", wanted.containing_type(),
                              " ", wanted.extension_number()));
        return;
      }
      AddFileAndImports(extension->file(), sent, response);
      return;
    }
    case ServerReflectionRequest::kAllExtensionNumbersOfType: {
      const std::string& name = request.all_extension_numbers_of_type();
      const pb::Descriptor* type = pool.FindMessageTypeByName(name);
      if (type == nullptr) {
        SetError(response, grpc::StatusCode::NOT_FOUND,
                 absl::StrCat("type not found: ", name));
        return;
      }
      std::vector<const pb::FieldDescriptor*> extensions;
      pool.FindAllExtensions(type, &extensions);
      auto& numbers = *response.mutable_all_extension_numbers_response();
      numbers.set_base_type_name(name);
      for (const pb::FieldDescriptor* extension : extensions) {
        numbers.add_extension_number(extension->number());
      }
      return;
    }
    case ServerReflectionRequest::kListServices:
      for (const std::string& service : services) {
        response.mutable_list_services_response()->add_service()->set_name(
            service);
      }
      return;
    case ServerReflectionRequest::MESSAGE_REQUEST_NOT_SET:
      break;
  }
  SetError(response, grpc::StatusCode::UNIMPLEMENTED,
           "unknown reflection request");
}

}  // namespace

// One reflection stream: read a request, write its answer, read the next.
// Only one read or write is ever outstanding, so no lock is needed.
class ReflectionV1Service::Reactor final
    : public grpc::ServerBidiReactor<ServerReflectionRequest,
                                     ServerReflectionResponse> {
 public:
  explicit Reactor(const ReflectionV1Service& service) : service_(service) {
    StartRead(&request_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);  // The client closed its side.
      return;
    }
    response_.Clear();
    Answer(*service_.pool_, service_.services_, request_, sent_, response_);
    StartWrite(&response_);
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::CANCELLED);  // The stream is gone.
      return;
    }
    StartRead(&request_);
  }

  void OnDone() override { delete this; }

 private:
  const ReflectionV1Service& service_;
  ServerReflectionRequest request_;
  ServerReflectionResponse response_;
  std::set<std::string> sent_;  // Files already sent on this stream.
};

ReflectionV1Service::ReflectionV1Service(std::vector<std::string> services,
                                         const pb::DescriptorPool* pool)
    : services_(std::move(services)), pool_(pool) {}

grpc::ServerBidiReactor<ServerReflectionRequest, ServerReflectionResponse>*
ReflectionV1Service::ServerReflectionInfo(
    grpc::CallbackServerContext* /*context*/) {
  return new Reactor(*this);
}

}  // namespace vouchstream::rpc
