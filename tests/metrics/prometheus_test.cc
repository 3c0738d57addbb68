// Issue 23 item 2: the alerts (deploy/prometheus/alerts.yml) and the
// dashboard (deploy/grafana/vouchstream-dashboard.json) against the real
// Prometheus. It scrapes a running gateway and server under a little load
// and loads the alert rules; then every rule must be evaluated without
// error, every alert expression and dashboard query must run through the
// HTTP API and name only metrics the binaries expose, and every dashboard
// query must return data.

#include <fstream>
#include <iostream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "re2/re2.h"

#include "vouchstream/v1/api.grpc.pb.h"

#include "tests/metrics/prometheus_server.h"
#include "tests/testing/deployment.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/test_events.h"
#include "tests/testing/webhook_load.h"

namespace vouchstream::testing {
namespace {

using google::protobuf::Struct;
using google::protobuf::Value;

constexpr absl::Duration kTimeout = absl::Seconds(90);

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

const Value& Field(const Struct& object, const std::string& name) {
  static const Value* const kNull = new Value();
  const auto it = object.fields().find(name);
  return it == object.fields().end() ? *kNull : it->second;
}

// The metric names a PromQL expression names: ours, process_* and up.
std::set<std::string> NamesIn(const std::string& expr) {
  std::set<std::string> names;
  static const RE2 kName(R"(\b((?:vouchstream|process)_[a-z0-9_]+|up)\b)");
  re2::StringPiece input(expr);
  std::string name;
  while (RE2::FindAndConsume(&input, kName, &name)) {
    names.insert(name);
  }
  return names;
}

// Runs `expr` as an instant query; its result vector.
absl::StatusOr<std::vector<Value>> Query(const PrometheusServer& prometheus,
                                         const std::string& expr) {
  absl::StatusOr<Struct> answer =
      prometheus.Api("/api/v1/query", {{"query", expr}});
  if (!answer.ok()) {
    return answer.status();
  }
  if (Field(*answer, "status").string_value() != "success") {
    return absl::InternalError(
        absl::StrCat(expr, ": ", Field(*answer, "error").string_value()));
  }
  const auto& result =
      Field(Field(*answer, "data").struct_value(), "result").list_value();
  return std::vector<Value>(result.values().begin(), result.values().end());
}

// The dashboard's queries, with Grafana's $__rate_interval as 1m.
std::vector<std::string> DashboardQueries(const std::string& path) {
  Struct dashboard;
  EXPECT_TRUE(
      google::protobuf::util::JsonStringToMessage(ReadFile(path), &dashboard)
          .ok())
      << path;
  std::vector<std::string> queries;
  for (const Value& panel : Field(dashboard, "panels").list_value().values()) {
    for (const Value& target :
         Field(panel.struct_value(), "targets").list_value().values()) {
      queries.push_back(absl::StrReplaceAll(
          Field(target.struct_value(), "expr").string_value(),
          {{"$__rate_interval", "1m"}}));
    }
  }
  return queries;
}

TEST(PrometheusTest, AlertsAndDashboardQueriesRunOnRealScrapes) {
  Deployment::Options options;
  options.server_args = {"--metrics-listen=127.0.0.1:0"};
  options.gateways = 1;
  auto deployment = Deployment::Start(options);
  ASSERT_THAT(deployment, IsOk());
  Deployment& d = **deployment;

  // A little load for the whole test, a subscriber and a named consumer.
  WebhookLoad::Options load_options = d.LoadOptions("pub_prometheus_");
  load_options.connections = 2;
  load_options.pause = absl::Milliseconds(20);
  WebhookLoad load(load_options);
  ASSERT_TRUE(load.WaitUntil(
      [](const WebhookLoad::Counts& c) { return c.ok >= 10; }, kTimeout));
  auto stub = d.NewStub();
  v1::SubscribeRequest from_start;
  from_start.set_after_seq(0);
  Subscriber subscriber(*stub, from_start);
  {
    grpc::ClientContext context;
    v1::SaveCursorRequest save;
    save.set_consumer("dashboard-reader");
    save.set_seq(1);
    v1::SaveCursorResponse saved;
    ASSERT_TRUE(stub->SaveCursor(&context, save, &saved).ok());
  }

  const std::string config = absl::StrCat(
      "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n"
      "rule_files:\n  - ",
      VS_DEPLOY_DIR,
      "/prometheus/alerts.yml\n"
      "scrape_configs:\n"
      "  - job_name: vouchstream-gateway\n    static_configs:\n"
      "      - targets: ['127.0.0.1:",
      d.gateway_port(),
      "']\n"
      "  - job_name: vouchstream-server\n    static_configs:\n"
      "      - targets: ['",
      d.server().metrics_address(), "']\n");
  auto prometheus = PrometheusServer::Start(d.dir().path(), config);
  ASSERT_THAT(prometheus, IsOk());

  // Wait for five scrapes of both targets, both up.
  const absl::Time deadline = absl::Now() + kTimeout;
  while (true) {
    absl::StatusOr<std::vector<Value>> scraped =
        Query(**prometheus, "count_over_time(up[1m]) >= 5 and up == 1");
    ASSERT_THAT(scraped, IsOk());
    if (scraped->size() == 2) {
      break;
    }
    ASSERT_LT(absl::Now(), deadline)
        << "Prometheus did not scrape both targets; see "
        << (*prometheus)->log_path();
    absl::SleepFor(absl::Milliseconds(200));  // Polling Prometheus.
  }

  absl::StatusOr<Struct> names_answer =
      (*prometheus)->Api("/api/v1/label/__name__/values");
  ASSERT_THAT(names_answer, IsOk());
  std::set<std::string> exposed;
  for (const Value& name : Field(*names_answer, "data").list_value().values()) {
    exposed.insert(name.string_value());
  }
  const auto expect_names_exist = [&](const std::string& expr) {
    for (const std::string& name : NamesIn(expr)) {
      EXPECT_TRUE(exposed.count(name) == 1)
          << name << " (in " << expr << ") is not exposed by either binary";
    }
  };

  // Every alert rule loaded and evaluated without error; every expression
  // runs as a query.
  std::vector<Value> rules;
  while (true) {
    absl::StatusOr<Struct> answer = (*prometheus)->Api("/api/v1/rules");
    ASSERT_THAT(answer, IsOk());
    rules.clear();
    for (const Value& group :
         Field(Field(*answer, "data").struct_value(), "groups")
             .list_value()
             .values()) {
      for (const Value& rule :
           Field(group.struct_value(), "rules").list_value().values()) {
        rules.push_back(rule);
      }
    }
    const bool all_evaluated =
        std::all_of(rules.begin(), rules.end(), [](const Value& rule) {
          return Field(rule.struct_value(), "health").string_value() !=
                 "unknown";
        });
    if (!rules.empty() && all_evaluated) {
      break;
    }
    ASSERT_LT(absl::Now(), deadline) << "rules not evaluated in time";
    absl::SleepFor(absl::Milliseconds(200));  // Polling Prometheus.
  }
  EXPECT_EQ(rules.size(), 7U);
  for (const Value& rule : rules) {
    const Struct& fields = rule.struct_value();
    const std::string name = Field(fields, "name").string_value();
    const std::string expr = Field(fields, "query").string_value();
    EXPECT_EQ(Field(fields, "health").string_value(), "ok")
        << name << ": " << Field(fields, "lastError").string_value();
    EXPECT_THAT(Query(**prometheus, expr), IsOk()) << name;
    expect_names_exist(expr);
  }

  // Every dashboard query runs and returns data.
  const std::vector<std::string> queries =
      DashboardQueries(VS_DEPLOY_DIR "/grafana/vouchstream-dashboard.json");
  EXPECT_GE(queries.size(), 20U);
  for (const std::string& query : queries) {
    absl::StatusOr<std::vector<Value>> result = Query(**prometheus, query);
    ASSERT_THAT(result, IsOk()) << query;
    EXPECT_FALSE(result->empty()) << "no data: " << query;
    expect_names_exist(query);
  }
  std::cout << "[prometheus] " << rules.size() << " alert rules evaluated, "
            << queries.size() << " dashboard queries returned data, "
            << exposed.size() << " metric names exposed\n";
  load.Stop();
  subscriber.Cancel();
  EXPECT_THAT(d.Stop(), IsOk());
}

}  // namespace
}  // namespace vouchstream::testing
