#include "service/core/reference_data.h"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <string>
#include <thread>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

#include "tests/testing/status_matchers.h"

namespace vouchstream::core {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Pair;
using ::vouchstream::testing::IsOk;
using ::vouchstream::testing::StatusIs;

TEST(ReferenceDataTest, ParsesCampaignsAndProducts) {
  absl::StatusOr<ReferenceData> data = ReferenceData::Parse(R"({
    "campaigns": {"camp_1": {"owner_team": "growth", "budget": 1200,
                             "paused": false}},
    "products": {"prod_1": {"product_name": "Espresso"}, "prod_2": {}}
  })");
  ASSERT_THAT(data, IsOk());
  EXPECT_THAT(
      data->campaigns,
      ElementsAre(Pair("camp_1", ElementsAre(Pair("budget", "1200"),
                                             Pair("owner_team", "growth"),
                                             Pair("paused", "false")))));
  EXPECT_THAT(
      data->products,
      ElementsAre(Pair("prod_1", ElementsAre(Pair("product_name", "Espresso"))),
                  Pair("prod_2", IsEmpty())));
}

TEST(ReferenceDataTest, SectionsAreOptional) {
  absl::StatusOr<ReferenceData> data = ReferenceData::Parse("{}");
  ASSERT_THAT(data, IsOk());
  EXPECT_THAT(data->campaigns, IsEmpty());
}

struct BadCase {
  const char* json;
  const char* message;
};

TEST(ReferenceDataTest, RejectsWhatIsWrongNamingIt) {
  const BadCase cases[] = {
      {"{", "reference data:"},
      {"[]", "expected a JSON object"},
      {R"({"campaign": {}})", "unknown key \"campaign\""},
      {R"({"campaigns": []})", "campaigns: expected an object"},
      {R"({"products": {"p": 1}})", "products.p: expected an object"},
      {R"({"products": {"p": {"tags": ["a"]}}})",
       "products.p.tags: expected a string, number or boolean"},
      {R"({"products": {"p": {"name": null}}})", "got null"},
  };
  for (const BadCase& c : cases) {
    EXPECT_THAT(
        ReferenceData::Parse(c.json),
        StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(c.message)))
        << c.json;
  }
}

class ReferenceStoreTest : public ::testing::Test {
 protected:
  void Write(const std::string& text) { std::ofstream(path_) << text; }
  void TearDown() override { std::remove(path_.c_str()); }

  // One file per test: ctest runs the tests of this suite in parallel.
  const std::string path_ =
      ::testing::TempDir() + "/reference_store_" +
      ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".json";
};

TEST_F(ReferenceStoreTest, EmptyStoreHasEmptySnapshot) {
  ReferenceStore store;
  ASSERT_NE(store.Get(), nullptr);
  EXPECT_THAT(store.Get()->campaigns, IsEmpty());
  EXPECT_THAT(store.Reload(), StatusIs(absl::StatusCode::kFailedPrecondition,
                                       HasSubstr("no file")));
}

TEST_F(ReferenceStoreTest, OpenMissingFileFails) {
  EXPECT_THAT(ReferenceStore::Open(path_ + ".absent"),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr("cannot open")));
}

TEST_F(ReferenceStoreTest, ReloadSwapsAndKeepsOldOnFailure) {
  Write(R"({"campaigns": {"camp_1": {"owner_team": "growth"}}})");
  absl::StatusOr<std::unique_ptr<ReferenceStore>> store =
      ReferenceStore::Open(path_);
  ASSERT_THAT(store, IsOk());
  std::shared_ptr<const ReferenceData> before = (*store)->Get();
  EXPECT_EQ(before->campaigns.at("camp_1").at("owner_team"), "growth");

  Write(R"({"campaigns": {"camp_1": {"owner_team": "loyalty"}}})");
  ASSERT_THAT((*store)->Reload(), IsOk());
  EXPECT_EQ((*store)->Get()->campaigns.at("camp_1").at("owner_team"),
            "loyalty");
  // A snapshot taken earlier stays valid and unchanged.
  EXPECT_EQ(before->campaigns.at("camp_1").at("owner_team"), "growth");

  Write(R"({"campaigns": )");
  EXPECT_THAT((*store)->Reload(),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(path_)));
  EXPECT_EQ((*store)->Get()->campaigns.at("camp_1").at("owner_team"),
            "loyalty");
}

TEST_F(ReferenceStoreTest, GetRacesReload) {
  Write(R"({"products": {"p": {"product_name": "A"}}})");
  absl::StatusOr<std::unique_ptr<ReferenceStore>> store =
      ReferenceStore::Open(path_);
  ASSERT_THAT(store, IsOk());
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      std::shared_ptr<const ReferenceData> data = (*store)->Get();
      ASSERT_EQ(data->products.size(), 1U);
    }
  });
  for (int i = 0; i < 50; ++i) {
    EXPECT_THAT((*store)->Reload(), IsOk());
  }
  done = true;
  reader.join();
}

}  // namespace
}  // namespace vouchstream::core
