#include "tests/auth/auth_server.h"

#include <signal.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "grpcpp/support/client_interceptor.h"

#include "tests/testing/server_process.h"

namespace vouchstream::testing {
namespace {

using grpc::experimental::ClientInterceptorFactoryInterface;
using grpc::experimental::ClientRpcInfo;
using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::Interceptor;
using grpc::experimental::InterceptorBatchMethods;

class TokenInterceptor : public Interceptor {
 public:
  explicit TokenInterceptor(const std::string& value) : value_(value) {}
  void Intercept(InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      methods->GetSendInitialMetadata()->insert({"authorization", value_});
    }
    methods->Proceed();
  }

 private:
  const std::string value_;
};

class TokenInterceptorFactory : public ClientInterceptorFactoryInterface {
 public:
  explicit TokenInterceptorFactory(std::string value)
      : value_(std::move(value)) {}
  Interceptor* CreateClientInterceptor(ClientRpcInfo* /*info*/) override {
    return new TokenInterceptor(value_);
  }

 private:
  const std::string value_;
};

}  // namespace

void WriteFile(const std::string& path, const std::string& text) {
  // Written aside and renamed, so that a reload never reads half a file.
  const std::string temp = path + ".tmp";
  std::ofstream(temp, std::ios::trunc) << text;
  // Private, or the server refuses an access file (--allow-loose-files).
  std::filesystem::permissions(temp, std::filesystem::perms::owner_read |
                                         std::filesystem::perms::owner_write);
  std::rename(temp.c_str(), path.c_str());
}

std::shared_ptr<grpc::Channel> TokenChannel(const std::string& address,
                                            const std::string& token) {
  grpc::ChannelArguments args;
  // Distinct channels per token, not one shared connection.
  args.SetString("vs_test_token_channel", token);
  if (token.empty()) {
    return grpc::CreateCustomChannel(address,
                                     grpc::InsecureChannelCredentials(), args);
  }
  std::vector<std::unique_ptr<ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<TokenInterceptorFactory>(
      absl::StrCat("Bearer ", token)));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      address, grpc::InsecureChannelCredentials(), args, std::move(factories));
}

absl::StatusOr<std::unique_ptr<AuthServer>> AuthServer::Start(
    const TempDir& dir, const std::vector<std::string>& args,
    std::shared_ptr<grpc::ChannelCredentials> credentials) {
  const std::string log_path = dir.File("server.log");
  // The shell only redirects stderr and then becomes the server (exec), so
  // the pid is the server's.
  std::vector<std::string> argv = {"/bin/sh",
                                   "-c",
                                   "exec \"$@\" 2>>\"$0\"",
                                   log_path,
                                   VS_SERVER_PATH,
                                   "--listen=127.0.0.1:0",
                                   "--store=sqlite:" + dir.File("events.db")};
  argv.insert(argv.end(), args.begin(), args.end());
  absl::StatusOr<std::unique_ptr<ChildProcess>> process =
      ChildProcess::Start(argv, absl::Seconds(20));
  if (!process.ok()) {
    std::ifstream in(log_path);
    const std::string log(std::istreambuf_iterator<char>(in), {});
    return absl::Status(process.status().code(),
                        absl::StrCat(process.status().message(), "\n", log));
  }
  std::unique_ptr<AuthServer> server(
      new AuthServer(*std::move(process), log_path));
  std::shared_ptr<grpc::Channel> channel =
      credentials == nullptr
          ? server->Channel("")
          : grpc::CreateChannel(server->address(), credentials);
  absl::Status serving =
      ServerProcess::WaitServing(*channel, absl::Seconds(20));
  if (!serving.ok()) {
    return serving;
  }
  return server;
}

void AuthServer::Reload() const { kill(process_->pid(), SIGHUP); }

std::string AuthServer::Log() const {
  std::ifstream in(log_path_);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

bool AuthServer::WaitForLog(const std::string& text, int count) const {
  const absl::Time deadline = absl::Now() + absl::Seconds(20);
  while (absl::Now() < deadline) {
    int found = 0;
    for (absl::string_view line : absl::StrSplit(Log(), '\n')) {
      found += absl::StrContains(line, text) ? 1 : 0;
    }
    if (found >= count) {
      return true;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return false;
}

absl::Status AuthServer::Stop() {
  absl::Status stopped = process_->Stop(SIGTERM);
  if (!stopped.ok()) {
    return stopped;
  }
  if (!process_->exited_cleanly()) {
    return absl::InternalError("server did not exit with status 0");
  }
  return absl::OkStatus();
}

}  // namespace vouchstream::testing
