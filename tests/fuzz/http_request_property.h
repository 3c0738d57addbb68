#pragma once
// What must hold for every byte stream a client sends the gateway, shared by
// the libFuzzer target and the regression test that replays the inputs it
// once failed on. The bytes go through Beast's request parser with the
// connection's limits, one request after another as on a keep-alive
// connection, and each parsed request through the gateway's transport-free
// logic (`MatchRoute`, `PrepareWebhook`, `ToHttpError`), once with
// signature verification and once without:
//   - every error answer is a google.rpc.Status-shaped JSON document (valid
//     UTF-8) whose code is its HTTP status, and the status is one the route
//     can produce (404/405 routing; 415, 401, 400 for a webhook);
//   - with verification on, nothing unsigned gets through;
//   - an accepted webhook keeps the raw body, has an id and a type, and
//     carries the request's path and request id in `ingress`.

#include <cstddef>
#include <string>
#include <variant>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "transcode/json_document.h"
#include "transcode/signature.h"
#include "transcode/transcoder.h"
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "vouchstream/v1/event.pb.h"

#include "gateway/webhook/error_mapping.h"
#include "gateway/webhook/router.h"
#include "gateway/webhook/webhook_handler.h"

namespace vouchstream::testing {

// The connection's limits (gateway/http/http_connection.cc) with the e2e test's
// body limit, small enough for the fuzzer to cross.
inline constexpr size_t kFuzzHeaderLimit = size_t{16} * 1024;
inline constexpr size_t kFuzzBodyLimit = size_t{64} * 1024;
inline constexpr int kFuzzMaxRequests = 8;

// Returns "" when `error` is a well-formed answer with `status`.
inline std::string ErrorBodyViolation(const gateway::HttpError& error,
                                      int status) {
  if (error.http_status != status) {
    return absl::StrCat("expected HTTP ", status, ", got ", error.http_status);
  }
  const std::string prefix = absl::StrCat("{\"error\":{\"code\":", status, ",");
  if (!absl::StartsWith(error.body, prefix)) {
    return absl::StrCat("error body does not start with ", prefix);
  }
  static auto* const document = new transcode::JsonDocument(8);
  auto parsed = document->Parse(error.body);
  if (!parsed.ok()) {
    return absl::StrCat("error body is not JSON: ", parsed.status().message(),
                        ": ", error.body);
  }
  return "";
}

// Checks one parsed request the way the session handles it.
inline std::string RequestViolation(
    const boost::beast::http::request<boost::beast::http::string_body>& request,
    transcode::Transcoder& transcoder) {
  namespace http = boost::beast::http;
  const auto view = [](boost::beast::string_view v) {
    return absl::string_view(v.data(), v.size());
  };
  const absl::string_view method = view(request.method_string());
  const absl::string_view target = view(request.target());
  const gateway::RouteMatch match = gateway::MatchRoute(method, target);
  if (match.route == gateway::Route::kNotFound) {
    return ErrorBodyViolation(
        gateway::ToHttpError(absl::NotFoundError(
            absl::StrCat("no route for ", method, " ", target))),
        404);
  }
  if (!match.method_allowed) {
    return ErrorBodyViolation(
        gateway::ToHttpError(gateway::MethodNotAllowed(
            absl::StrCat("method ", method, " not allowed on ", target))),
        405);
  }
  if (match.route != gateway::Route::kWebhookEnvelope &&
      match.route != gateway::Route::kWebhookTyped) {
    return "";
  }
  gateway::WebhookRequest webhook;
  webhook.route = match.route;
  webhook.type = match.type;
  webhook.path = target;
  webhook.content_type = view(request[http::field::content_type]);
  webhook.signature = view(request["x-voucherify-signature"]);
  webhook.body = request.body();
  webhook.remote_address = "127.0.0.1:1";
  webhook.request_id = "fuzz-request";
  static const auto* const verifier =
      transcode::SignatureVerifier::Create({"fuzz-secret"})->release();
  const transcode::SignatureVerifier* const checks[] = {verifier, nullptr};
  for (const transcode::SignatureVerifier* check : checks) {
    gateway::WebhookPolicy policy;
    policy.verifier = check;
    policy.gateway_instance = "fuzz";
    std::variant<v1::Event, gateway::HttpError> prepared =
        gateway::PrepareWebhook(webhook, policy, transcoder, nullptr);
    if (const auto* error = std::get_if<gateway::HttpError>(&prepared)) {
      const int status = error->http_status;
      if (status != 415 && status != 400 &&
          !(status == 401 && check != nullptr)) {
        return absl::StrCat("webhook answered HTTP ", status);
      }
      std::string violation = ErrorBodyViolation(*error, status);
      if (!violation.empty()) {
        return violation;
      }
      continue;
    }
    const v1::Event& event = std::get<v1::Event>(prepared);
    if (check != nullptr) {
      return "an unsigned request passed signature verification";
    }
    if (event.raw() != webhook.body || event.id().empty() ||
        event.type().empty() || event.ingress().path() != target ||
        event.ingress().request_id() != "fuzz-request" ||
        event.ingress().signature_verified()) {
      return "accepted webhook lost its body, id, type or ingress facts";
    }
  }
  return "";
}

// Returns "" when the properties hold for every request in `input`.
inline std::string HttpRequestPropertyViolation(
    transcode::Transcoder& transcoder, absl::string_view input) {
  namespace http = boost::beast::http;
  boost::beast::string_view rest(input.data(), input.size());
  for (int i = 0; i < kFuzzMaxRequests && !rest.empty(); ++i) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(kFuzzHeaderLimit);
    parser.body_limit(kFuzzBodyLimit);
    parser.eager(true);
    boost::beast::error_code ec;
    size_t used = 0;
    while (!ec && !parser.is_done()) {
      const size_t n = parser.put(
          boost::asio::buffer(rest.data() + used, rest.size() - used), ec);
      used += n;
      if (ec == http::error::need_more) {
        // All bytes are in: the request ends with the connection (an
        // unsized body) or is incomplete.
        ec = {};
        parser.put_eof(ec);
        break;
      }
      if (n == 0) {
        break;
      }
    }
    if (ec || !parser.is_done()) {
      return "";  // The session answers 400/413/431 and closes.
    }
    if (used == 0 || used > rest.size()) {
      return "the parser consumed nothing or more than it was given";
    }
    std::string violation = RequestViolation(parser.get(), transcoder);
    if (!violation.empty()) {
      return violation;
    }
    rest.remove_prefix(used);
  }
  return "";
}

}  // namespace vouchstream::testing
