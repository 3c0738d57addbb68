#include "transcode/message_filler.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <variant>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/any.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"
#include "transcode/json_integer.h"

namespace vouchstream::transcode {
namespace {

namespace pb = ::google::protobuf;
using ::simdjson::dom::element;
using ::simdjson::dom::element_type;
using FieldType = pb::FieldDescriptor::CppType;

// google.protobuf.Any in JSON: the key that names the packed type, and the
// one URL prefix protobuf's JSON mapping resolves.
constexpr absl::string_view kAnyTypeKey = "@type";
constexpr absl::string_view kTypeUrlPrefix = "type.googleapis.com/";

enum class WellKnown {
  kNone,
  kTimestamp,
  kDuration,
  kStruct,
  kValue,
  kListValue,
  kWrapper,
  kFieldMask,
  kAny,
};

WellKnown ClassifyType(const pb::Descriptor& type) {
  if (type.file()->package() != "google.protobuf") {
    return WellKnown::kNone;
  }
  struct Row {
    absl::string_view name;
    WellKnown kind;
  };
  static constexpr std::array<Row, 7> kRows = {{
      {"Timestamp", WellKnown::kTimestamp},
      {"Duration", WellKnown::kDuration},
      {"Struct", WellKnown::kStruct},
      {"Value", WellKnown::kValue},
      {"ListValue", WellKnown::kListValue},
      {"FieldMask", WellKnown::kFieldMask},
      {"Any", WellKnown::kAny},
  }};
  for (const Row& row : kRows) {
    if (type.name() == row.name) {
      return row.kind;
    }
  }
  if (absl::EndsWith(type.name(), "Value") && type.field_count() == 1 &&
      type.field(0)->name() == "value") {
    return WellKnown::kWrapper;  // DoubleValue, Int64Value, StringValue, ...
  }
  return WellKnown::kNone;
}

const char* JsonTypeName(element_type type) {
  switch (type) {
    case element_type::ARRAY:
      return "array";
    case element_type::OBJECT:
      return "object";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE:
      return "number";
    case element_type::STRING:
      return "string";
    case element_type::BOOL:
      return "boolean";
    case element_type::NULL_VALUE:
      return "null";
  }
  return "value";
}

// simdjson speaks std::string_view; Debian's Abseil has its own string_view.
absl::string_view StringOf(element value) {
  const std::string_view text = value.get_string().value_unsafe();
  return {text.data(), text.size()};
}

std::string Expected(absl::string_view what, element value) {
  return absl::StrCat("expected ", what, ", got ", JsonTypeName(value.type()));
}

// The proto3 JSON mapping refuses numeric strings with surrounding blanks.
bool HasOuterSpace(absl::string_view text) {
  return !text.empty() && (absl::ascii_isspace(text.front()) ||
                           absl::ascii_isspace(text.back()));
}

// Integers: a JSON integer, an integral JSON double, or a decimal string.
template <typename T>
absl::StatusOr<T> ToInteger(element value) {
  constexpr T kMin = std::numeric_limits<T>::min();
  constexpr T kMax = std::numeric_limits<T>::max();
  const auto out_of_range = [&](auto number) {
    return absl::InvalidArgumentError(
        absl::StrCat("integer ", number, " is out of range"));
  };
  switch (value.type()) {
    case element_type::INT64: {
      const int64_t number = value.get_int64().value_unsafe();
      if constexpr (std::is_unsigned_v<T>) {
        if (number < 0) {
          return out_of_range(number);
        }
        if (static_cast<uint64_t>(number) > kMax) {
          return out_of_range(number);
        }
      } else if (number < kMin || number > kMax) {
        return out_of_range(number);
      }
      return static_cast<T>(number);
    }
    case element_type::UINT64: {
      const uint64_t number = value.get_uint64().value_unsafe();
      if (number > static_cast<uint64_t>(kMax)) {
        return out_of_range(number);
      }
      return static_cast<T>(number);
    }
    case element_type::DOUBLE: {
      // An integral number in fraction or exponent form (2.147483647e9).
      // The bounds are powers of two, exact in a double, so the range check
      // is exact: every 32-bit integer is a double, and 2^63 or 2^64 is the
      // first double past a 64-bit type.
      const double number = value.get_double().value_unsafe();
      if (std::trunc(number) != number) {
        return absl::InvalidArgumentError(
            absl::StrCat("expected an integer, got ", number));
      }
      constexpr double kLimit =
          2.0 * static_cast<double>(
                    T{1} << (std::numeric_limits<T>::digits - 1));  // 2^digits
      if (number >= kLimit ||
          (std::is_signed_v<T> ? number < -kLimit : number < 0)) {
        return out_of_range(number);
      }
      return static_cast<T>(number);
    }
    case element_type::STRING: {
      const absl::string_view text = StringOf(value);
      T number{};
      if (HasOuterSpace(text) || !absl::SimpleAtoi(text, &number)) {
        return absl::InvalidArgumentError(
            absl::StrCat("expected an integer, got string \"",
                         absl::CHexEscape(text), "\""));
      }
      return number;
    }
    default:
      return absl::InvalidArgumentError(Expected("an integer", value));
  }
}

absl::StatusOr<double> ToDouble(element value, bool is_float) {
  double number = 0;
  switch (value.type()) {
    case element_type::INT64:
      number = static_cast<double>(value.get_int64().value_unsafe());
      break;
    case element_type::UINT64:
      number = static_cast<double>(value.get_uint64().value_unsafe());
      break;
    case element_type::DOUBLE:
      number = value.get_double().value_unsafe();
      break;
    case element_type::STRING: {
      const absl::string_view text = StringOf(value);
      if (text == "NaN") {
        return std::numeric_limits<double>::quiet_NaN();
      }
      if (text == "Infinity") {
        return std::numeric_limits<double>::infinity();
      }
      if (text == "-Infinity") {
        return -std::numeric_limits<double>::infinity();
      }
      if (HasOuterSpace(text) || !absl::SimpleAtod(text, &number) ||
          std::isinf(number) || std::isnan(number)) {
        return absl::InvalidArgumentError(absl::StrCat(
            "expected a number, got string \"", absl::CHexEscape(text), "\""));
      }
      break;
    }
    default:
      return absl::InvalidArgumentError(Expected("a number", value));
  }
  if (is_float && std::isfinite(number) &&
      std::fabs(number) > std::numeric_limits<float>::max()) {
    return absl::InvalidArgumentError(
        absl::StrCat("number ", number, " is out of range for a float"));
  }
  return number;
}

absl::StatusOr<absl::string_view> ToString(element value) {
  if (value.type() != element_type::STRING) {
    return absl::InvalidArgumentError(Expected("a string", value));
  }
  return StringOf(value);
}

absl::StatusOr<std::string> ToBytes(element value) {
  absl::StatusOr<absl::string_view> text = ToString(value);
  if (!text.ok()) {
    return text.status();
  }
  std::string bytes;
  if (!absl::Base64Unescape(*text, &bytes) &&
      !absl::WebSafeBase64Unescape(*text, &bytes)) {
    return absl::InvalidArgumentError("expected base64 bytes");
  }
  return bytes;
}

// google.protobuf.NullValue, whose one value JSON spells `null`.
bool IsNullValue(const pb::EnumDescriptor* type) {
  return type != nullptr && type->full_name() == "google.protobuf.NullValue";
}

// Fields for which JSON null is a value to store, not "absent": a singular
// google.protobuf.Value (null_value) and google.protobuf.NullValue fields.
bool NullIsValue(const pb::FieldDescriptor& field) {
  if (field.cpp_type() == FieldType::CPPTYPE_ENUM) {
    return IsNullValue(field.enum_type());
  }
  return field.cpp_type() == FieldType::CPPTYPE_MESSAGE &&
         field.message_type()->full_name() == "google.protobuf.Value";
}

absl::StatusOr<int> ToEnum(element value, const pb::EnumDescriptor& type) {
  if (value.is_null() && IsNullValue(&type)) {
    return 0;  // NULL_VALUE
  }
  if (value.type() == element_type::STRING) {
    const absl::string_view name = StringOf(value);
    const pb::EnumValueDescriptor* found =
        type.FindValueByName(std::string{name});
    if (found == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown enum value \"", absl::CHexEscape(name),
                       "\" for ", type.full_name()));
    }
    return found->number();
  }
  if (value.type() == element_type::INT64 ||
      value.type() == element_type::UINT64 ||
      value.type() == element_type::DOUBLE) {
    // proto3 enums are open: any int32 is a valid (perhaps unknown) value.
    return ToInteger<int32_t>(value);
  }
  return absl::InvalidArgumentError(
      Expected(absl::StrCat("an enum name of ", type.full_name()), value));
}

// Two digits from `text[at]` with a value up to `max`, or -1.
int TwoDigits(absl::string_view text, size_t at, int max) {
  if (!absl::ascii_isdigit(text[at]) || !absl::ascii_isdigit(text[at + 1])) {
    return -1;
  }
  const int value = (text[at] - '0') * 10 + (text[at + 1] - '0');
  return value <= max ? value : -1;
}

// Whether `text` is "YYYY-MM-DDTHH:MM:SS", an optional fraction of one to
// nine digits, and "Z": the only shape handed to TimeUtil::FromString.
bool IsUtcRfc3339(absl::string_view text) {
  constexpr absl::string_view kShape = "dddd-dd-ddTdd:dd:dd";
  if (text.size() < kShape.size() + 1 || text.back() != 'Z') {
    return false;
  }
  for (size_t i = 0; i < kShape.size(); ++i) {
    if (kShape[i] == 'd' ? !absl::ascii_isdigit(text[i])
                         : text[i] != kShape[i]) {
      return false;
    }
  }
  absl::string_view fraction =
      text.substr(kShape.size(), text.size() - kShape.size() - 1);
  if (fraction.empty()) {
    return true;
  }
  return absl::ConsumePrefix(&fraction, ".") && !fraction.empty() &&
         fraction.size() <= 9 &&
         std::all_of(fraction.begin(), fraction.end(), absl::ascii_isdigit);
}

// RFC 3339 with "Z" or an offset, years 0001 to 9999 in the text, as
// protobuf's JSON parser takes it. TimeUtil::FromString shares that parser
// but CHECK-fails (aborts) when an offset carries the instant past the range
// ("0001-01-01T00:00:00+01:00", or "9999-12-31T23:59:59-1:00", an offset
// written in a form it reads and this does not), so the offset is applied
// here and TimeUtil sees only the checked UTC form.
absl::Status ParseTimestamp(absl::string_view text, pb::Timestamp& out) {
  std::string utc{text};
  int64_t offset_seconds = 0;
  const size_t sign = utc.size() >= 6 ? utc.size() - 6 : 0;
  if (sign > 0 && (utc[sign] == '+' || utc[sign] == '-')) {
    const int hours = TwoDigits(utc, sign + 1, 23);
    const int minutes = TwoDigits(utc, sign + 4, 59);
    if (hours >= 0 && minutes >= 0 && utc[sign + 3] == ':') {
      offset_seconds = (utc[sign] == '-' ? -1 : 1) *
                       (int64_t{hours} * 3600 + int64_t{minutes} * 60);
      utc.replace(sign, 6, "Z");
    }
  }
  pb::Timestamp local;
  if (!IsUtcRfc3339(utc) || !pb::util::TimeUtil::FromString(utc, &local)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid Timestamp \"", absl::CHexEscape(text),
                     "\" (want RFC 3339 from year 0001 to 9999, e.g. "
                     "2024-02-01T12:54:33.174Z)"));
  }
  out.set_seconds(local.seconds() - offset_seconds);
  out.set_nanos(local.nanos());
  return absl::OkStatus();
}

// The proto3 JSON form of a Duration: an optional "-", decimal seconds, an
// optional fraction of one to nine digits, and an "s" suffix ("-1.5s"),
// within +-10,000 years of 365.25 days as protobuf's JSON parser checks.
// TimeUtil::FromString is looser (it reads ".5s", "--5s" and "1.-5s", which
// protobuf's JSON parser refuses), so the digits are read here.
absl::Status ParseDuration(absl::string_view text, pb::Duration& out) {
  constexpr int64_t kMaxSeconds = 315'576'000'000;
  const auto invalid = [&] {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid Duration \"", absl::CHexEscape(text),
                     "\" (want seconds with an \"s\" suffix and at most "
                     "nine fractional digits, e.g. 1.5s)"));
  };
  absl::string_view rest = text;
  const bool negative = absl::ConsumePrefix(&rest, "-");
  if (!absl::ConsumeSuffix(&rest, "s")) {
    return invalid();
  }
  absl::string_view fraction;
  if (const size_t dot = rest.find('.'); dot != absl::string_view::npos) {
    fraction = rest.substr(dot + 1);
    rest = rest.substr(0, dot);
    if (fraction.empty() || fraction.size() > 9) {
      return invalid();
    }
  }
  const auto all_digits = [](absl::string_view digits) {
    return std::all_of(digits.begin(), digits.end(), absl::ascii_isdigit);
  };
  uint64_t seconds = 0;
  if (rest.empty() || !all_digits(rest) || !all_digits(fraction) ||
      !absl::SimpleAtoi(rest, &seconds)) {
    return invalid();
  }
  if (seconds > static_cast<uint64_t>(kMaxSeconds)) {
    return absl::InvalidArgumentError(
        absl::StrCat("expected a Duration within +-", kMaxSeconds, "s, got \"",
                     absl::CHexEscape(text), "\""));
  }
  int32_t nanos = 0;
  for (size_t i = 0; i < 9; ++i) {
    nanos = nanos * 10 + (i < fraction.size() ? fraction[i] - '0' : 0);
  }
  const int sign = negative ? -1 : 1;
  out.set_seconds(sign * static_cast<int64_t>(seconds));
  out.set_nanos(sign * nanos);
  return absl::OkStatus();
}

// "fooBar.baz" -> "foo_bar.baz", as the proto3 JSON mapping of FieldMask.
std::string FieldMaskPathToSnakeCase(absl::string_view path) {
  std::string out;
  out.reserve(path.size() + 4);
  for (const char c : path) {
    if (absl::ascii_isupper(c)) {
      out.push_back('_');
      out.push_back(absl::ascii_tolower(c));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// One converted scalar, ready to store; enums travel as their number.
struct EnumNumber {
  int value;
};
using Scalar = std::variant<int32_t, int64_t, uint32_t, uint64_t, float, double,
                            bool, std::string, EnumNumber>;

absl::StatusOr<Scalar> ToScalar(element value,
                                const pb::FieldDescriptor& field) {
  const auto wrap = [](auto converted) -> absl::StatusOr<Scalar> {
    if (!converted.ok()) {
      return converted.status();
    }
    return Scalar(*std::move(converted));
  };
  switch (field.cpp_type()) {
    case FieldType::CPPTYPE_INT32:
      return wrap(ToInteger<int32_t>(value));
    case FieldType::CPPTYPE_INT64:
      return wrap(ToInteger<int64_t>(value));
    case FieldType::CPPTYPE_UINT32:
      return wrap(ToInteger<uint32_t>(value));
    case FieldType::CPPTYPE_UINT64:
      return wrap(ToInteger<uint64_t>(value));
    case FieldType::CPPTYPE_DOUBLE:
      return wrap(ToDouble(value, /*is_float=*/false));
    case FieldType::CPPTYPE_FLOAT: {
      absl::StatusOr<double> number = ToDouble(value, /*is_float=*/true);
      if (!number.ok()) {
        return number.status();
      }
      return Scalar(static_cast<float>(*number));
    }
    case FieldType::CPPTYPE_BOOL:
      if (value.type() != element_type::BOOL) {
        return absl::InvalidArgumentError(Expected("a boolean", value));
      }
      return Scalar(value.get_bool().value_unsafe());
    case FieldType::CPPTYPE_STRING: {
      if (field.type() == pb::FieldDescriptor::TYPE_BYTES) {
        return wrap(ToBytes(value));
      }
      absl::StatusOr<absl::string_view> text = ToString(value);
      if (!text.ok()) {
        return text.status();
      }
      return Scalar(std::string{*text});
    }
    case FieldType::CPPTYPE_ENUM: {
      absl::StatusOr<int> number = ToEnum(value, *field.enum_type());
      if (!number.ok()) {
        return number.status();
      }
      return Scalar(EnumNumber{*number});
    }
    case FieldType::CPPTYPE_MESSAGE:
      break;
  }
  return absl::InternalError(
      absl::StrCat("not a scalar field: ", field.full_name()));
}

// `number` as a T, when it fits; `text` is how the JSON wrote it.
template <typename T>
absl::StatusOr<T> FitInteger(const JsonInteger& number,
                             absl::string_view text) {
  const auto out_of_range = [text] {
    return absl::InvalidArgumentError(
        absl::StrCat("integer ", absl::CHexEscape(text), " is out of range"));
  };
  if (number.overflow) {
    return out_of_range();
  }
  if (!number.negative || number.magnitude == 0) {
    if (number.magnitude >
        static_cast<uint64_t>(std::numeric_limits<T>::max())) {
      return out_of_range();
    }
    return static_cast<T>(number.magnitude);
  }
  if constexpr (std::is_unsigned_v<T>) {
    return out_of_range();
  } else {
    // |min| = 2^digits; negate without passing through |min| as a T.
    if (number.magnitude > uint64_t{1} << std::numeric_limits<T>::digits) {
      return out_of_range();
    }
    return static_cast<T>(-static_cast<int64_t>(number.magnitude - 1) - 1);
  }
}

bool IsIntegerOrEnum(const pb::FieldDescriptor& field) {
  switch (field.cpp_type()) {
    case FieldType::CPPTYPE_INT32:
    case FieldType::CPPTYPE_INT64:
    case FieldType::CPPTYPE_UINT32:
    case FieldType::CPPTYPE_UINT64:
    case FieldType::CPPTYPE_ENUM:
      return true;
    default:
      return false;
  }
}

// The value for integer or enum `field` of the JSON number written `text`.
absl::StatusOr<Scalar> ExactIntegerScalar(absl::string_view text,
                                          const pb::FieldDescriptor& field) {
  absl::StatusOr<JsonInteger> number = ParseJsonInteger(text);
  if (!number.ok()) {
    return number.status();
  }
  const auto wrap = [](auto converted) -> absl::StatusOr<Scalar> {
    if (!converted.ok()) {
      return converted.status();
    }
    return Scalar(*converted);
  };
  switch (field.cpp_type()) {
    case FieldType::CPPTYPE_INT32:
      return wrap(FitInteger<int32_t>(*number, text));
    case FieldType::CPPTYPE_INT64:
      return wrap(FitInteger<int64_t>(*number, text));
    case FieldType::CPPTYPE_UINT32:
      return wrap(FitInteger<uint32_t>(*number, text));
    case FieldType::CPPTYPE_UINT64:
      return wrap(FitInteger<uint64_t>(*number, text));
    case FieldType::CPPTYPE_ENUM: {
      absl::StatusOr<int32_t> value = FitInteger<int32_t>(*number, text);
      if (!value.ok()) {
        return value.status();
      }
      return Scalar(EnumNumber{*value});
    }
    default:
      break;
  }
  return absl::InternalError(
      absl::StrCat("not an integer field: ", field.full_name()));
}

// Appends to `out` the raw text of every number at `path[depth..]` below
// `value` that simdjson reads as `expected`. More than one only when keys
// repeat along the path.
void CollectNumberTokens(simdjson::ondemand::value value, const JsonPath& path,
                         size_t depth, double expected,
                         std::vector<std::string_view>& out) {
  if (depth == path.size()) {
    const std::string_view token = value.raw_json_token();
    double number = 0;
    if (value.get_double().get(number) == simdjson::SUCCESS &&
        number == expected) {
      out.push_back(token);
    }
    return;
  }
  if (path.is_index(depth)) {
    simdjson::ondemand::array array;
    if (value.get_array().get(array) != simdjson::SUCCESS) {
      return;
    }
    size_t index = 0;
    for (auto item : array) {
      simdjson::ondemand::value child;
      if (item.get(child) != simdjson::SUCCESS) {
        return;
      }
      if (index++ == path.index(depth)) {
        CollectNumberTokens(child, path, depth + 1, expected, out);
        return;
      }
    }
    return;
  }
  simdjson::ondemand::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return;
  }
  const absl::string_view want = path.key(depth);
  for (auto field : object) {
    std::string_view key;
    simdjson::ondemand::value child;
    if (field.unescaped_key().get(key) != simdjson::SUCCESS ||
        field.value().get(child) != simdjson::SUCCESS) {
      return;
    }
    if (absl::string_view(key.data(), key.size()) == want) {
      CollectNumberTokens(child, path, depth + 1, expected, out);
    }
  }
}

// Sets `scalar` into singular `field`, or appends it to repeated `field`.
void StoreScalar(Scalar scalar, const pb::FieldDescriptor& field,
                 pb::Message& message) {
  const pb::Reflection& r = *message.GetReflection();
  pb::Message* m = &message;
  const pb::FieldDescriptor* f = &field;
  const bool add = field.is_repeated();
  struct Store {
    const pb::Reflection& r;
    pb::Message* m;
    const pb::FieldDescriptor* f;
    bool add;
    void operator()(int32_t v) const {
      add ? r.AddInt32(m, f, v) : r.SetInt32(m, f, v);
    }
    void operator()(int64_t v) const {
      add ? r.AddInt64(m, f, v) : r.SetInt64(m, f, v);
    }
    void operator()(uint32_t v) const {
      add ? r.AddUInt32(m, f, v) : r.SetUInt32(m, f, v);
    }
    void operator()(uint64_t v) const {
      add ? r.AddUInt64(m, f, v) : r.SetUInt64(m, f, v);
    }
    void operator()(float v) const {
      add ? r.AddFloat(m, f, v) : r.SetFloat(m, f, v);
    }
    void operator()(double v) const {
      add ? r.AddDouble(m, f, v) : r.SetDouble(m, f, v);
    }
    void operator()(bool v) const {
      add ? r.AddBool(m, f, v) : r.SetBool(m, f, v);
    }
    void operator()(std::string& v) const {
      add ? r.AddString(m, f, std::move(v)) : r.SetString(m, f, std::move(v));
    }
    void operator()(EnumNumber v) const {
      add ? r.AddEnumValue(m, f, v.value) : r.SetEnumValue(m, f, v.value);
    }
  };
  std::visit(Store{r, m, f, add}, scalar);
}

}  // namespace

struct MessageFiller::MessageTable {
  WellKnown well_known = WellKnown::kNone;
  // Both the proto name and the json_name of every field.
  absl::flat_hash_map<absl::string_view, const pb::FieldDescriptor*> fields;
};

MessageFiller::MessageFiller(const Options& options)
    : keep_odd_values_(options.odd_values == OddValues::kKeepAsUnknown) {}
MessageFiller::~MessageFiller() = default;

const MessageFiller::MessageTable& MessageFiller::TableFor(
    const pb::Descriptor* type) {
  std::unique_ptr<MessageTable>& slot = tables_[type];
  if (slot == nullptr) {
    slot = std::make_unique<MessageTable>();
    slot->well_known = ClassifyType(*type);
    for (int i = 0; i < type->field_count(); ++i) {
      const pb::FieldDescriptor* field = type->field(i);
      slot->fields.emplace(field->name(), field);
      slot->fields.emplace(field->json_name(), field);
    }
  }
  return *slot;
}

absl::Status MessageFiller::Error(absl::string_view what) const {
  const std::string where = path_->ToString();
  return absl::InvalidArgumentError(
      absl::StrCat(where.empty() ? "root" : where, ": ", what));
}

absl::Status MessageFiller::Odd(absl::string_view what) {
  if (!keep_odd_values_) {
    return Error(what);
  }
  std::string where = path_->ToString();
  unknown_fields_->push_back(where);
  odd_values_.push_back({std::move(where), std::string{what}});
  return absl::OkStatus();
}

bool MessageFiller::Kept(const absl::Status& error) {
  if (!keep_odd_values_ || error.code() != absl::StatusCode::kInvalidArgument) {
    return false;
  }
  // Every input error comes from Error(), as "<path>: <what>". The reason
  // is <what> when the problem is this value itself, else the whole message
  // (a problem deeper inside a well-known type, e.g. the `value` of an Any).
  std::string where = path_->ToString();
  absl::string_view reason = error.message();
  if (!absl::ConsumePrefix(&reason, absl::StrCat(where, ": "))) {
    reason = error.message();
  }
  unknown_fields_->push_back(where);
  odd_values_.push_back({std::move(where), std::string{reason}});
  return true;
}

absl::Status MessageFiller::Fill(element value, pb::Message& message,
                                 JsonPath& path,
                                 std::vector<std::string>& unknown_fields,
                                 absl::string_view skip_key) {
  path_ = &path;
  unknown_fields_ = &unknown_fields;
  absl::Status status =
      FillMessage(value, message, TableFor(message.GetDescriptor()), skip_key);
  path_ = nullptr;
  unknown_fields_ = nullptr;
  return status;
}

absl::Status MessageFiller::FillMessage(element value, pb::Message& message,
                                        const MessageTable& table,
                                        absl::string_view skip) {
  if (table.well_known != WellKnown::kNone) {
    return FillWellKnown(value, message, table);
  }
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Error(Expected(
        absl::StrCat("an object (", message.GetDescriptor()->name(), ")"),
        value));
  }
  for (const simdjson::dom::key_value_pair member : object) {
    const absl::string_view key(member.key.data(), member.key.size());
    if (!skip.empty() && key == skip) {
      continue;
    }
    if (key.empty()) {
      constexpr absl::string_view kWhat =
          "empty key: a message field always has a name";
      if (!keep_odd_values_) {
        return Error(kWhat);  // At the message, as "nested." reads badly.
      }
      // Kept at the empty key's own path: "nested." ("" at the root).
      JsonPathScope scope(*path_, key);
      Odd(kWhat).IgnoreError();  // OK in this mode.
      continue;
    }
    JsonPathScope scope(*path_, key);
    const auto found = table.fields.find(key);
    if (found == table.fields.end()) {
      unknown_fields_->push_back(path_->ToString());
      continue;
    }
    absl::Status status = FillField(member.value, message, *found->second);
    if (!status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status MessageFiller::FillField(element value, pb::Message& message,
                                      const pb::FieldDescriptor& field) {
  // JSON null means "absent" for every field but a google.protobuf.Value or
  // NullValue one. In a oneof, null for a NullValue member selects it.
  if (value.is_null() && (field.is_repeated() || !NullIsValue(field))) {
    return absl::OkStatus();
  }
  if (field.is_map()) {
    return FillMap(value, message, field);
  }
  if (field.is_repeated()) {
    return FillRepeated(value, message, field);
  }
  // Oneof members, and proto3 `optional` fields (a oneof of one), may be set
  // once: a second key for them is a duplicate or a conflict.
  if (const pb::OneofDescriptor* oneof = field.containing_oneof()) {
    const pb::FieldDescriptor* set =
        message.GetReflection()->GetOneofFieldDescriptor(message, oneof);
    if (set == &field) {
      return Odd("duplicate key");
    }
    if (set != nullptr) {
      return Odd(absl::StrCat("oneof \"", oneof->name(), "\" already has \"",
                              set->name(), "\" set"));
    }
  }
  absl::Status status = AddOrSet(value, message, field);
  if (!status.ok() && Kept(status)) {
    // Unset, even if an earlier key for the field set it: as in protobuf,
    // the last key counts. No empty message is left behind either.
    message.GetReflection()->ClearField(&message, &field);
    return absl::OkStatus();
  }
  return status;
}

absl::Status MessageFiller::FillRepeated(element value, pb::Message& message,
                                         const pb::FieldDescriptor& field) {
  simdjson::dom::array array;
  if (value.get_array().get(array) != simdjson::SUCCESS) {
    return Odd(Expected("an array", value));
  }
  const bool null_is_value = NullIsValue(field);
  size_t index = 0;
  for (const element item : array) {
    JsonPathScope scope(*path_, index++);
    absl::Status status = item.is_null() && !null_is_value
                              ? Odd("null is not allowed in a repeated field")
                              : AddOrSet(item, message, field);
    if (!status.ok()) {
      if (!Kept(status)) {
        return status;
      }
      if (field.cpp_type() == FieldType::CPPTYPE_MESSAGE) {
        message.GetReflection()->RemoveLast(&message, &field);
      }
    }
  }
  return absl::OkStatus();
}

absl::Status MessageFiller::FillMap(element value, pb::Message& message,
                                    const pb::FieldDescriptor& field) {
  simdjson::dom::object object;
  if (value.get_object().get(object) != simdjson::SUCCESS) {
    return Odd(Expected("an object (map)", value));
  }
  const pb::Descriptor& entry_type = *field.message_type();
  const pb::FieldDescriptor& key_field = *entry_type.map_key();
  const pb::FieldDescriptor& value_field = *entry_type.map_value();
  const pb::Reflection& reflection = *message.GetReflection();
  absl::flat_hash_set<absl::string_view> seen;
  for (const simdjson::dom::key_value_pair member : object) {
    const absl::string_view key(member.key.data(), member.key.size());
    JsonPathScope scope(*path_, key);
    if (!seen.insert(key).second) {
      absl::Status status = Odd("duplicate key");
      if (!status.ok()) {
        return status;
      }
      continue;
    }
    pb::Message& entry = *reflection.AddMessage(&message, &field);
    const pb::Reflection& entry_reflection = *entry.GetReflection();
    bool key_ok = true;
    switch (key_field.cpp_type()) {
      case FieldType::CPPTYPE_STRING:
        entry_reflection.SetString(&entry, &key_field, std::string{key});
        break;
      case FieldType::CPPTYPE_BOOL:
        key_ok = key == "true" || key == "false";
        entry_reflection.SetBool(&entry, &key_field, key == "true");
        break;
      case FieldType::CPPTYPE_INT32: {
        int32_t number = 0;
        key_ok = !HasOuterSpace(key) && absl::SimpleAtoi(key, &number);
        entry_reflection.SetInt32(&entry, &key_field, number);
        break;
      }
      case FieldType::CPPTYPE_INT64: {
        int64_t number = 0;
        key_ok = !HasOuterSpace(key) && absl::SimpleAtoi(key, &number);
        entry_reflection.SetInt64(&entry, &key_field, number);
        break;
      }
      case FieldType::CPPTYPE_UINT32: {
        uint32_t number = 0;
        key_ok = !HasOuterSpace(key) && absl::SimpleAtoi(key, &number);
        entry_reflection.SetUInt32(&entry, &key_field, number);
        break;
      }
      case FieldType::CPPTYPE_UINT64: {
        uint64_t number = 0;
        key_ok = !HasOuterSpace(key) && absl::SimpleAtoi(key, &number);
        entry_reflection.SetUInt64(&entry, &key_field, number);
        break;
      }
      default:
        key_ok = false;
    }
    absl::Status status;
    if (!key_ok) {
      status = Error(
          absl::StrCat("map key is not a valid ", key_field.cpp_type_name()));
    } else if (member.value.is_null() && !NullIsValue(value_field)) {
      status = Error("null is not allowed as a map value");
    } else {
      status = AddOrSet(member.value, entry, value_field);
    }
    if (!status.ok()) {
      if (!Kept(status)) {
        return status;
      }
      reflection.RemoveLast(&message, &field);
    }
  }
  return absl::OkStatus();
}

// Sets a singular field, or adds one element to a repeated one.
absl::Status MessageFiller::AddOrSet(element value, pb::Message& message,
                                     const pb::FieldDescriptor& field) {
  if (field.cpp_type() == FieldType::CPPTYPE_MESSAGE) {
    const pb::Reflection& reflection = *message.GetReflection();
    pb::Message& child = field.is_repeated()
                             ? *reflection.AddMessage(&message, &field)
                             : *reflection.MutableMessage(&message, &field);
    return FillMessage(value, child, TableFor(field.message_type()), {});
  }
  absl::StatusOr<Scalar> scalar;
  if (value.type() == element_type::DOUBLE && !source_.empty() &&
      IsIntegerOrEnum(field)) {
    absl::StatusOr<absl::string_view> text = NumberText(value);
    if (!text.ok()) {
      const absl::Status error = Error(text.status().message());
      return {text.status().code(), error.message()};
    }
    scalar = ExactIntegerScalar(*text, field);
  } else {
    scalar = ToScalar(value, field);
  }
  if (!scalar.ok()) {
    return Error(scalar.status().message());
  }
  StoreScalar(*std::move(scalar), field, message);
  return absl::OkStatus();
}

absl::StatusOr<absl::string_view> MessageFiller::NumberText(element value) {
  // The DOM keeps the double simdjson read, not the text; find the text
  // again by the path. Only numbers in fraction or exponent form for
  // integer fields come here, which Voucherify does not send.
  simdjson::padded_string padded(source_.data(), source_.size());
  simdjson::ondemand::parser parser;
  simdjson::ondemand::document document;
  simdjson::ondemand::value root;
  std::vector<std::string_view> tokens;
  if (parser.iterate(padded).get(document) == simdjson::SUCCESS &&
      document.get_value().get(root) == simdjson::SUCCESS) {
    CollectNumberTokens(root, *path_, 0, value.get_double().value_unsafe(),
                        tokens);
  }
  for (std::string_view& token : tokens) {
    while (!token.empty() && absl::ascii_isspace(token.back())) {
      token.remove_suffix(1);
    }
  }
  std::sort(tokens.begin(), tokens.end());
  tokens.erase(std::unique(tokens.begin(), tokens.end()), tokens.end());
  if (tokens.size() > 1) {
    return absl::InvalidArgumentError(
        "duplicate key: numbers with different text under the same path");
  }
  if (tokens.empty()) {
    // simdjson's on-demand reading of the text did not give the DOM's double
    // (found by the fuzzer with long digit strings next to duplicate keys):
    // the exact integer cannot be had, so the value is odd, kept in the raw
    // body, rather than guessed or a reason to drop the event.
    return absl::InvalidArgumentError(
        "the number's text could not be read back exactly from the source");
  }
  // The tokens point into `padded`, a copy of the source; answer with the
  // source, which outlives this call.
  return source_.substr(
      static_cast<size_t>(tokens.front().data() - padded.data()),
      tokens.front().size());
}

absl::Status MessageFiller::FillWellKnown(element value, pb::Message& message,
                                          const MessageTable& table) {
  const pb::Descriptor& type = *message.GetDescriptor();
  switch (table.well_known) {
    case WellKnown::kTimestamp:
    case WellKnown::kDuration: {
      absl::StatusOr<absl::string_view> text = ToString(value);
      if (!text.ok()) {
        return Error(text.status().message());
      }
      absl::Status status;
      if (auto* timestamp = dynamic_cast<pb::Timestamp*>(&message)) {
        status = ParseTimestamp(*text, *timestamp);
      } else if (auto* duration = dynamic_cast<pb::Duration*>(&message)) {
        status = ParseDuration(*text, *duration);
      } else {
        return Error(absl::StrCat("internal: ", type.full_name(),
                                  " is not the generated type"));
      }
      if (!status.ok()) {
        return Error(status.message());
      }
      return absl::OkStatus();
    }
    case WellKnown::kStruct:
      return FillStruct(value, message);
    case WellKnown::kValue:
      return FillValue(value, message);
    case WellKnown::kListValue:
      return FillListValue(value, message);
    case WellKnown::kWrapper:
      if (value.is_null()) {
        return absl::OkStatus();
      }
      return AddOrSet(value, message, *type.field(0));
    case WellKnown::kFieldMask: {
      absl::StatusOr<absl::string_view> text = ToString(value);
      auto* mask = dynamic_cast<pb::FieldMask*>(&message);
      if (!text.ok() || mask == nullptr) {
        return Error(Expected("a FieldMask string", value));
      }
      // Parentheses, brackets and quotes are protobuf's own map-key syntax
      // (`a(key)`, `a["key"]`), not the proto3 JSON mapping's, and its
      // parser refuses them in many shapes (found by the fuzzer): refused
      // here in all.
      if (text->find_first_of("()[]\"\\") != absl::string_view::npos) {
        return Error(absl::StrCat("invalid FieldMask \"",
                                  absl::CHexEscape(*text),
                                  "\" (parentheses, brackets and quotes "
                                  "are not part of the JSON mapping)"));
      }
      for (const absl::string_view path :
           absl::StrSplit(*text, ',', absl::SkipEmpty())) {
        mask->add_paths(FieldMaskPathToSnakeCase(path));
      }
      return absl::OkStatus();
    }
    case WellKnown::kAny:
      return FillAny(value, message);
    case WellKnown::kNone:
      break;
  }
  return Error("internal: not a well-known type");
}

absl::Status MessageFiller::FillAny(element value, pb::Message& any_message) {
  auto* out = dynamic_cast<pb::Any*>(&any_message);
  simdjson::dom::object object;
  if (out == nullptr || value.get_object().get(object) != simdjson::SUCCESS) {
    return Error(Expected("an object (Any)", value));
  }
  // `@type` may come after the fields it types: the DOM lets us look ahead.
  element type_value;
  bool has_type = false;
  for (const simdjson::dom::key_value_pair member : object) {
    if (absl::string_view(member.key.data(), member.key.size()) ==
        kAnyTypeKey) {
      if (has_type) {
        JsonPathScope scope(*path_, kAnyTypeKey);
        return Error("duplicate key");
      }
      has_type = true;
      type_value = member.value;
    }
  }
  if (!has_type) {
    if (object.size() == 0) {
      return absl::OkStatus();  // {} is the empty Any.
    }
    return Error("expected \"@type\" in an object (Any), got none");
  }
  const pb::Descriptor* type = nullptr;
  {
    JsonPathScope scope(*path_, kAnyTypeKey);
    if (type_value.type() != element_type::STRING) {
      return Error(Expected("a type URL string", type_value));
    }
    const absl::string_view url = StringOf(type_value);
    absl::string_view name = url;
    if (absl::ConsumePrefix(&name, kTypeUrlPrefix)) {
      type = pb::DescriptorPool::generated_pool()->FindMessageTypeByName(
          std::string{name});
    }
    if (type == nullptr) {
      return Error(absl::StrCat("expected a type URL \"", kTypeUrlPrefix,
                                "<message type known here>\", got \"",
                                absl::CHexEscape(url), "\""));
    }
    out->set_type_url(url.data(), url.size());
  }
  std::unique_ptr<pb::Message> inner(
      pb::MessageFactory::generated_factory()->GetPrototype(type)->New());
  const MessageTable& table = TableFor(type);
  absl::Status status;
  if (table.well_known == WellKnown::kNone) {
    status = FillMessage(value, *inner, table, kAnyTypeKey);
  } else {
    status = FillWellKnownInAny(object, *inner, table);
  }
  if (!status.ok()) {
    return status;
  }
  if (!inner->SerializeToString(out->mutable_value())) {
    return Error(absl::StrCat("cannot serialize ", type->full_name()));
  }
  return absl::OkStatus();
}

// A well-known type inside an Any has a special JSON form, so it sits under
// "value": {"@type": ".../google.protobuf.Duration", "value": "1.5s"}.
absl::Status MessageFiller::FillWellKnownInAny(simdjson::dom::object object,
                                               pb::Message& message,
                                               const MessageTable& table) {
  bool has_value = false;
  for (const simdjson::dom::key_value_pair member : object) {
    const absl::string_view key(member.key.data(), member.key.size());
    if (key == kAnyTypeKey) {
      continue;
    }
    JsonPathScope scope(*path_, key);
    if (key != "value" || has_value) {
      absl::Status status =
          key != "value"
              ? Odd(absl::StrCat("expected only \"@type\" and \"value\" in "
                                 "an Any holding ",
                                 message.GetDescriptor()->full_name(),
                                 ", got another key"))
              : Odd("duplicate key");
      if (!status.ok()) {
        return status;
      }
      continue;
    }
    has_value = true;
    // null leaves the value empty, as for a field, but is a Value's null.
    if (member.value.is_null() && table.well_known != WellKnown::kValue) {
      continue;
    }
    absl::Status status = FillMessage(member.value, message, table, {});
    if (!status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status MessageFiller::FillValue(element value,
                                      pb::Message& value_message) {
  auto* out = dynamic_cast<pb::Value*>(&value_message);
  if (out == nullptr) {
    return Error("internal: google.protobuf.Value is not the generated type");
  }
  switch (value.type()) {
    case element_type::NULL_VALUE:
      out->set_null_value(pb::NULL_VALUE);
      return absl::OkStatus();
    case element_type::BOOL:
      out->set_bool_value(value.get_bool().value_unsafe());
      return absl::OkStatus();
    case element_type::INT64:
      out->set_number_value(
          static_cast<double>(value.get_int64().value_unsafe()));
      return absl::OkStatus();
    case element_type::UINT64:
      out->set_number_value(
          static_cast<double>(value.get_uint64().value_unsafe()));
      return absl::OkStatus();
    case element_type::DOUBLE:
      out->set_number_value(value.get_double().value_unsafe());
      return absl::OkStatus();
    case element_type::STRING: {
      const absl::string_view text = StringOf(value);
      out->set_string_value(text.data(), text.size());
      return absl::OkStatus();
    }
    case element_type::OBJECT:
      return FillStruct(value, *out->mutable_struct_value());
    case element_type::ARRAY:
      return FillListValue(value, *out->mutable_list_value());
  }
  return Error("unsupported JSON value");
}

absl::Status MessageFiller::FillStruct(element value,
                                       pb::Message& struct_message) {
  auto* out = dynamic_cast<pb::Struct*>(&struct_message);
  simdjson::dom::object object;
  if (out == nullptr || value.get_object().get(object) != simdjson::SUCCESS) {
    return Error(Expected("an object", value));
  }
  auto& fields = *out->mutable_fields();
  for (const simdjson::dom::key_value_pair member : object) {
    JsonPathScope scope(
        *path_, absl::string_view(member.key.data(), member.key.size()));
    auto [slot, inserted] = fields.try_emplace(std::string(member.key));
    if (!inserted) {
      absl::Status status = Odd("duplicate key");
      if (!status.ok()) {
        return status;
      }
      continue;
    }
    absl::Status status = FillValue(member.value, slot->second);
    if (!status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::Status MessageFiller::FillListValue(element value,
                                          pb::Message& list_message) {
  auto* out = dynamic_cast<pb::ListValue*>(&list_message);
  simdjson::dom::array array;
  if (out == nullptr || value.get_array().get(array) != simdjson::SUCCESS) {
    return Error(Expected("an array", value));
  }
  size_t index = 0;
  for (const element item : array) {
    JsonPathScope scope(*path_, index++);
    absl::Status status = FillValue(item, *out->add_values());
    if (!status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

}  // namespace vouchstream::transcode
