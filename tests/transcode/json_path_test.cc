#include "transcode/json_path.h"

#include "gtest/gtest.h"

namespace vouchstream::transcode {
namespace {

TEST(JsonPathTest, PrintsKeysAndIndices) {
  JsonPath path;
  EXPECT_EQ(path.ToString(), "");
  path.PushKey("data");
  path.PushKey("vouchers");
  path.PushIndex(3);
  path.PushKey("code");
  EXPECT_EQ(path.ToString(), "data.vouchers[3].code");
  path.Pop();
  path.Pop();
  EXPECT_EQ(path.ToString(), "data.vouchers");
}

TEST(JsonPathTest, ScopePopsOnExit) {
  JsonPath path;
  path.PushKey("a");
  {
    JsonPathScope scope(path, size_t{0});
    EXPECT_EQ(path.ToString(), "a[0]");
  }
  EXPECT_EQ(path.ToString(), "a");
}

}  // namespace
}  // namespace vouchstream::transcode
