// JsonPrinter against protobuf 3.21's MessageToJsonString, compared as
// strings with the options the CLI uses (proto names; compact for
// subscribe/list/get, with whitespace for transcode) and with json_name keys:
//   - every payload in testdata/voucherify/ (Voucherify's samples, our
//     variants, one body per event type), transcoded as the gateway does;
//   - every typed body of Event.payload and the whole Event with
//     enrichment, with every field filled (FillEverything below);
//   - edge values: defaults, presence, NaN and infinities, 64-bit limits,
//     escapes and invalid UTF-8, empty containers, map keys of every type,
//     Struct/Value/ListValue corners, Any, FieldMask, Timestamp and Duration
//     limits (where 3.21 fails, the printer must fail too), nesting depth.

#include "transcode/json_printer.h"

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "conformance_test_messages.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "testdata/json_mapping.pb.h"
#include "transcode/transcoder.h"

#include "vouchstream/v1/event.pb.h"

#include "tests/testing/fixture_events.h"

namespace vouchstream::transcode {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

struct Mode {
  const char* name;
  bool proto_names;
  bool whitespace;
};
constexpr Mode kModes[] = {
    {"cli", true, false},       // subscribe, list, get
    {"transcode", true, true},  // vouchstream-cli transcode
    {"json_names", false, false},
};

// Expects the printer and the oracle to agree on `message` in every mode:
// the same text, or both failing.
void ExpectSameAsOracle(const Message& message, const std::string& what) {
  for (const Mode& mode : kModes) {
    google::protobuf::util::JsonPrintOptions options;
    options.preserve_proto_field_names = mode.proto_names;
    options.add_whitespace = mode.whitespace;
    std::string expected;
    const bool oracle_ok =
        google::protobuf::util::MessageToJsonString(message, &expected, options)
            .ok();
    JsonPrinter printer({mode.proto_names, mode.whitespace});
    std::string actual = "prefix";
    const absl::Status status = printer.Print(message, &actual);
    ASSERT_EQ(status.ok(), oracle_ok)
        << what << " (" << mode.name << "): " << status << "\n"
        << expected;
    if (oracle_ok) {
      EXPECT_EQ(actual, "prefix" + expected)
          << what << " (" << mode.name << ")";
    } else {
      EXPECT_EQ(actual, "prefix") << "a failed Print appended text";
    }
  }
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

TEST(JsonPrinterTest, EveryEventFixtureMatchesOracle) {
  const std::vector<std::string> types = testing::FixtureEventTypes();
  ASSERT_GE(types.size(), 72U);
  for (const std::string& type : types) {
    absl::StatusOr<v1::Event> event = testing::FixtureEvent(type);
    ASSERT_TRUE(event.ok()) << type << ": " << event.status();
    ExpectSameAsOracle(*event, type);
  }
}

// Voucherify's samples and our variants: envelopes and bare bodies, named
// body.<type>.*.json, envelope.*.json or <type>.seed.json.
TEST(JsonPrinterTest, EverySampleAndVariantMatchesOracle) {
  Transcoder transcoder;
  int printed = 0;
  for (const char* dir : {"", "variants"}) {
    for (const auto& entry : std::filesystem::directory_iterator(
             std::filesystem::path(VS_TESTDATA_DIR) / dir)) {
      const std::string name = entry.path().filename().string();
      if (!absl::EndsWith(name, ".json")) {
        continue;
      }
      const std::string body = ReadFile(entry.path());
      absl::StatusOr<v1::Event> event = transcoder.FromEnvelope(body);
      if (!absl::StrContains(name, "envelope")) {
        std::string type = name.substr(0, name.find(".seed.json"));
        if (absl::StartsWith(name, "body.")) {
          type = name.substr(5, name.rfind('.', name.size() - 6) - 5);
        }
        event = transcoder.FromBody(type, body);
      }
      ASSERT_TRUE(event.ok()) << name << ": " << event.status();
      ExpectSameAsOracle(*event, name);
      ++printed;
    }
  }
  EXPECT_GE(printed, 8);
}

// Sets every field of `message`, recursively down to `depth`, to a value
// that varies with `seed`: each scalar type, strings with escapes and
// non-ASCII text, two elements per repeated field and map, a valid
// Timestamp and Duration, Struct and Value of every kind. In a oneof the
// member `seed` picks is set last, so it is the one that stays. At most
// `kFillBudget` messages are made per call from a test, so that types that
// nest many others stay small.
constexpr int kFillBudget = 3000;
void FillEverything(Message& message, int depth, int seed, int& budget);

void FillScalar(Message& message, const FieldDescriptor* field, int seed) {
  const Reflection& r = *message.GetReflection();
  const bool rep = field->is_repeated();
  const int k = seed + field->number();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      rep ? r.AddInt32(&message, field, -k * 1000)
          : r.SetInt32(&message, field, -k * 1000);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      rep ? r.AddInt64(&message, field, -(int64_t{k} << 40))
          : r.SetInt64(&message, field, -(int64_t{k} << 40));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      rep ? r.AddUInt32(&message, field, 4000000000U - k)
          : r.SetUInt32(&message, field, 4000000000U - k);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      rep ? r.AddUInt64(&message, field, ~uint64_t{0} - k)
          : r.SetUInt64(&message, field, ~uint64_t{0} - k);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      rep ? r.AddDouble(&message, field, k / 7.0)
          : r.SetDouble(&message, field, k * 1.5e300);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      rep ? r.AddFloat(&message, field, static_cast<float>(k) / 3.0F)
          : r.SetFloat(&message, field, static_cast<float>(k) * 0.1F);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      rep ? r.AddBool(&message, field, k % 2 == 0)
          : r.SetBool(&message, field, true);
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* type = field->enum_type();
      const int number = type->value(k % type->value_count())->number();
      const int value =
          number == 0 ? type->value(type->value_count() - 1)->number() : number;
      rep ? r.AddEnumValue(&message, field, value)
          : r.SetEnumValue(&message, field, value);
      break;
    }
    default: {
      const std::string text =
          field->type() == FieldDescriptor::TYPE_BYTES
              ? std::string("\x00\xff\xfe raw\x00\xa6", 7 + k % 3)
              : absl::StrCat("v", k, " \"q\" \\ <a>&\n\t\x01 \xc3\xa9 ",
                             "\xe2\x80\xa8 \xf0\x9f\x8e\x9f");
      rep ? r.AddString(&message, field, text)
          : r.SetString(&message, field, text);
    }
  }
}

// Timestamp, Duration and Value get valid values of their own; returns
// false for every other type.
bool FillWellKnown(Message& message, int seed) {
  const std::string& name = message.GetDescriptor()->full_name();
  const Reflection& r = *message.GetReflection();
  const auto* d = message.GetDescriptor();
  if (name == "google.protobuf.Timestamp") {
    r.SetInt64(&message, d->FindFieldByNumber(1), 1706792073 + seed);
    r.SetInt32(&message, d->FindFieldByNumber(2),
               // Wraps in 32 bits as before, without signed overflow: large
               // seeds give negative nanos, which both printers refuse.
               static_cast<int32_t>(static_cast<uint32_t>(seed) * 174000000U) %
                   1000000000);
  } else if (name == "google.protobuf.Duration") {
    r.SetInt64(&message, d->FindFieldByNumber(1), -89882188 - seed);
    r.SetInt32(&message, d->FindFieldByNumber(2), -452085794 + seed);
  } else if (name == "google.protobuf.Value") {
    google::protobuf::Value value;
    switch (seed % 6) {
      case 0:
        value.set_null_value(google::protobuf::NULL_VALUE);
        break;
      case 1:
        value.set_number_value(seed * 0.25);
        break;
      case 2:
        value.set_string_value("s\xe2\x80\x8b");
        break;
      case 3:
        value.set_bool_value(false);
        break;
      case 4:
        (*value.mutable_struct_value()->mutable_fields())["k"].set_number_value(
            1e21);
        break;
      default:
        value.mutable_list_value()->add_values()->set_string_value("x");
        value.mutable_list_value()->add_values();
        value.mutable_list_value()->add_values()->set_bool_value(true);
    }
    message.CopyFrom(value);
  } else {
    return false;
  }
  return true;
}

void FillEverything(Message& message, int depth, int seed, int& budget) {
  const auto* descriptor = message.GetDescriptor();
  if (FillWellKnown(message, seed)) {
    return;
  }
  const Reflection& r = *message.GetReflection();
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    const auto* oneof = field->real_containing_oneof();
    if (oneof != nullptr &&
        oneof->field(seed % oneof->field_count()) == field) {
      continue;  // set after the others
    }
    const int copies = field->is_repeated() ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
        FillScalar(message, field, seed + c);
      } else if (depth > 0 && --budget > 0) {
        Message* child = field->is_repeated()
                             ? r.AddMessage(&message, field)
                             : r.MutableMessage(&message, field);
        FillEverything(*child, depth - 1, seed + c + i, budget);
      }
    }
  }
  for (int i = 0; i < descriptor->oneof_decl_count(); ++i) {
    const auto* oneof = descriptor->oneof_decl(i);
    if (oneof->is_synthetic()) {
      continue;
    }
    const FieldDescriptor* field = oneof->field(seed % oneof->field_count());
    if (field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
      FillScalar(message, field, seed);
    } else if (depth > 0 && --budget > 0) {
      FillEverything(*r.MutableMessage(&message, field), depth - 1, seed,
                     budget);
    }
  }
}

TEST(JsonPrinterTest, EveryTypedBodyFilledMatchesOracle) {
  const auto* payload = v1::Event::descriptor()->FindOneofByName("payload");
  ASSERT_NE(payload, nullptr);
  for (int i = 0; i < payload->field_count(); ++i) {
    for (int seed = 0; seed < 3; ++seed) {
      v1::Event event;
      int budget = kFillBudget;
      FillEverything(event, 4, seed, budget);
      budget = kFillBudget;
      FillEverything(
          *event.GetReflection()->MutableMessage(&event, payload->field(i)), 6,
          seed, budget);
      ExpectSameAsOracle(event, payload->field(i)->name());
    }
  }
}

TEST(JsonPrinterTest, EmptyAndDefaultMessagesMatchOracle) {
  ExpectSameAsOracle(v1::Event(), "empty Event");
  ExpectSameAsOracle(testing::AllTypes(), "empty AllTypes");
  testing::AllTypes defaults;
  defaults.set_maybe(0);         // optional: present at zero
  defaults.set_choice_text("");  // oneof member at its default
  defaults.mutable_nested();     // empty message
  defaults.mutable_st();         // empty Struct
  defaults.mutable_lst();        // empty ListValue
  defaults.mutable_w_i64();      // wrapper at zero
  defaults.mutable_w_str();
  defaults.mutable_w_bool();
  defaults.mutable_ts();   // the epoch
  defaults.mutable_dur();  // 0s
  defaults.mutable_mask();
  defaults.add_r_nested();
  ExpectSameAsOracle(defaults, "defaults");
}

TEST(JsonPrinterTest, NumbersMatchOracle) {
  const double doubles[] = {0.1,
                            -0.0,
                            1.0 / 3,
                            1e15,
                            1e16,
                            123456789012345.0,
                            -9007199254740993.0,
                            1e21,
                            1e-5,
                            5e-324,
                            std::numeric_limits<double>::max(),
                            std::numeric_limits<double>::min(),
                            0.30000000000000004,
                            std::nan(""),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity()};
  const float floats[] = {
      0.1F,          -0.0F,         1.0F / 3,
      16777217.0F,   1e-45F,        1e-39F,
      3.4028235e38F, std::nanf(""), -std::numeric_limits<float>::infinity()};
  for (const double value : doubles) {
    testing::AllTypes message;
    message.set_dbl(value);
    message.add_r_dbl(value);
    message.mutable_w_dbl()->set_value(value);
    message.mutable_val()->set_number_value(value);
    ExpectSameAsOracle(message, absl::StrCat("double ", value));
  }
  for (const float value : floats) {
    testing::AllTypes message;
    message.set_flt(value);
    ExpectSameAsOracle(message, absl::StrCat("float ", value));
  }
  testing::AllTypes limits;
  limits.set_i32(std::numeric_limits<int32_t>::min());
  limits.set_i64(std::numeric_limits<int64_t>::min());
  limits.set_u32(std::numeric_limits<uint32_t>::max());
  limits.set_u64(std::numeric_limits<uint64_t>::max());
  limits.set_s64(std::numeric_limits<int64_t>::max());
  limits.set_f64(std::numeric_limits<uint64_t>::max());
  limits.set_sf64(std::numeric_limits<int64_t>::min());
  limits.set_color(static_cast<testing::AllTypes::Color>(77));  // not named
  limits.add_r_color(testing::AllTypes::GREEN);
  limits.add_r_color(static_cast<testing::AllTypes::Color>(-3));
  ExpectSameAsOracle(limits, "integer limits and unknown enum numbers");
}

TEST(JsonPrinterTest, StringsMatchOracle) {
  static constexpr char kWithNul[] = "nul \0 and controls \x01\x1f\x7f";
  const std::string texts[] = {
      std::string(kWithNul, sizeof(kWithNul) - 1),
      "quotes \" backslash \\ slash / <script>&'",
      "C1 \xc2\x80\xc2\x9f, nbsp \xc2\xa0, soft hyphen \xc2\xad",
      "\xe2\x80\x8b\xe2\x80\xa8\xe2\x80\xa9\xe2\x81\xa0\xef\xbb\xbf\xef\xbf"
      "\xb9",
      "\xd8\x80\xdb\x9d\xdc\x8f\xe1\x9e\xb4 arabic, syriac, khmer",
      "astral \xf0\x9f\x8e\x9f music \xf0\x9d\x85\xb3 tag \xf3\xa0\x80\x81",
      "Za\xc5\xbc\xc3\xb3\xc5\x82\xc4\x87 g\xc4\x99\xc5\x9bl\xc4\x85 "
      "\xe6\x97\xa5",
      // Not UTF-8: a stray continuation byte, a truncated sequence, a
      // surrogate, an overlong quote; 3.21 drops or decodes them its way.
      "a\x80z \xc3z \xed\xa0\x80z \xc0\xa2z \xf8z \xf4\x90\x80\x80z \xe2\x82",
  };
  for (const std::string& text : texts) {
    testing::AllTypes message;
    message.set_text(text);
    message.add_r_text(text);
    (*message.mutable_m_str_i32())[text] = 1;
    message.set_data(text);
    (*message.mutable_st()->mutable_fields())[text].set_string_value(text);
    ExpectSameAsOracle(message, text);
  }
}

TEST(JsonPrinterTest, ContainersMatchOracle) {
  testing::AllTypes message;
  (*message.mutable_m_i32_str())[-5] = "minus five";
  (*message.mutable_m_i32_str())[0] = "";
  (*message.mutable_m_bool_nested())[true].set_b("yes");
  (*message.mutable_m_bool_nested())[false];
  (*message.mutable_m_u64_color())[~uint64_t{0}] = testing::AllTypes::RED;
  (*message.mutable_m_u64_color())[1] =
      static_cast<testing::AllTypes::Color>(9);
  (*message.mutable_m_value())["null"].set_null_value(
      google::protobuf::NULL_VALUE);
  (*message.mutable_m_value())["unset"];  // no kind: left out
  (*message.mutable_m_value())["list"].mutable_list_value();
  message.mutable_val();  // no kind: left out with its key
  message.mutable_lst()->add_values();
  message.mutable_lst()->add_values()->mutable_struct_value();
  message.add_r_val();
  message.add_r_val()->set_bool_value(true);
  message.add_r_ts()->set_seconds(-62135596800);
  message.add_r_ts()->set_nanos(1000);
  auto& fields = *message.mutable_st()->mutable_fields();
  fields["empty"];
  fields["nested"].mutable_struct_value()->mutable_fields()->insert(
      {"deeper", google::protobuf::Value()});
  for (int i = 0; i < 20; ++i) {
    fields[absl::StrCat("k", i)].set_number_value(i);
  }
  message.mutable_nested()->mutable_child()->mutable_child()->set_a(0);
  message.mutable_mask()->add_paths("foo_bar.baz_qux");
  message.mutable_mask()->add_paths("x");
  ExpectSameAsOracle(message, "containers");
}

TEST(JsonPrinterTest, TimeLimitsMatchOracle) {
  struct Case {
    int64_t seconds;
    int32_t nanos;
  };
  const Case cases[] = {
      {0, 0},
      {-62135596800, 0},
      {253402300799, 999999999},
      {-62135596801, 0},  // before year 1: both fail
      {253402300800, 0},  // after 9999: both fail
      {0, -1},
      {0, 1000000000},
      {1, 10},
      {1, 10000},
      {1, 10000000},
      {-1, -500000000},
      {0, -5},
      {1, -5},  // signs disagree: 3.21 prints "1.294967291s"
      {5, -1000},
      {1, -294967296},  // 2^32 - 294967296 = 4 * 10^9: "1.000s"
      {-1, 5},
      {315576000000, 999999999},
      {315576000001, 0},
      {-315576000000, -999999999},
      {0, -1000000000},
  };
  for (const Case& c : cases) {
    testing::AllTypes timestamp;
    timestamp.mutable_ts()->set_seconds(c.seconds);
    timestamp.mutable_ts()->set_nanos(c.nanos);
    ExpectSameAsOracle(timestamp,
                       absl::StrCat("timestamp ", c.seconds, " ", c.nanos));
    testing::AllTypes duration;
    duration.mutable_dur()->set_seconds(c.seconds);
    duration.mutable_dur()->set_nanos(c.nanos);
    ExpectSameAsOracle(duration,
                       absl::StrCat("duration ", c.seconds, " ", c.nanos));
  }
}

TEST(JsonPrinterTest, AnyMatchesOracle) {
  testing::conformance::TestAllTypesProto3 message;
  message.mutable_optional_any();  // {}
  message.add_repeated_any()->set_type_url(
      "type.googleapis.com/google.protobuf.Duration");  // no value
  google::protobuf::Duration duration;
  duration.set_seconds(3);
  message.add_repeated_any()->PackFrom(duration);
  testing::conformance::TestAllTypesProto3 packed;
  packed.set_optional_int64(-7);
  packed.set_optional_string("packed");
  packed.mutable_optional_any()->PackFrom(duration);
  message.add_repeated_any()->PackFrom(packed);
  google::protobuf::Value value;
  value.mutable_struct_value();
  message.add_repeated_any()->PackFrom(value);
  message.set_oneof_null_value(google::protobuf::NULL_VALUE);
  ExpectSameAsOracle(message, "any");

  testing::conformance::TestAllTypesProto3 unknown_type;
  unknown_type.mutable_optional_any()->set_type_url(
      "type.googleapis.com/no.such.Type");
  unknown_type.mutable_optional_any()->set_value("\x08\x01");
  ExpectSameAsOracle(unknown_type, "any of an unknown type");
  testing::conformance::TestAllTypesProto3 no_url;
  no_url.mutable_optional_any()->set_value("\x08\x01");
  ExpectSameAsOracle(no_url, "any without a type URL");
}

TEST(JsonPrinterTest, DepthLimitMatchesOracle) {
  for (const int depth : {63, 64, 65, 90}) {
    testing::AllTypes message;
    testing::AllTypes::Nested* nested = message.mutable_nested();
    for (int i = 1; i < depth; ++i) {
      nested = nested->mutable_child();
    }
    nested->set_b("bottom");
    ExpectSameAsOracle(message, absl::StrCat("depth ", depth));
  }
}

TEST(JsonPrinterTest, WhitespaceOutputLooksLikeProtobufs) {
  testing::AllTypes message;
  message.set_i32(1);
  message.add_r_i32(2);
  message.add_r_i32(3);
  message.mutable_nested();
  JsonPrinter printer({/*preserve_proto_field_names=*/true,
                       /*add_whitespace=*/true});
  EXPECT_EQ(*printer.ToJson(message),
            "{\n \"i32\": 1,\n \"nested\": {},\n \"r_i32\": [\n  2,\n  3\n"
            " ]\n}\n");
}

}  // namespace
}  // namespace vouchstream::transcode
