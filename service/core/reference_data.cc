#include "service/core/reference_data.h"

#include <fstream>
#include <sstream>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "simdjson.h"

namespace vouchstream::core {
namespace {

using Section = std::map<std::string, std::map<std::string, std::string>>;

// simdjson speaks std::string_view, Debian's Abseil its own string_view.
absl::string_view View(std::string_view s) { return {s.data(), s.size()}; }

// A fact's value as text: strings as they are, numbers and booleans as JSON
// writes them. Nested objects and arrays are refused: a fact is one value.
absl::StatusOr<std::string> FactValue(simdjson::dom::element value,
                                      absl::string_view path) {
  switch (value.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(value.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64:
    case simdjson::dom::element_type::UINT64:
    case simdjson::dom::element_type::DOUBLE:
    case simdjson::dom::element_type::BOOL:
      return simdjson::minify(value);
    default:
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": expected a string, number or boolean, got ",
                       value.is_null() ? "null" : "an object or array"));
  }
}

// {"<id>": {"<fact>": value, ...}, ...} into `out`.
absl::Status ParseSection(simdjson::dom::element element,
                          absl::string_view name, Section* out) {
  simdjson::dom::object ids;
  if (element.get_object().get(ids) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat(name, ": expected an object"));
  }
  for (simdjson::dom::key_value_pair id : ids) {
    const std::string id_path = absl::StrCat(name, ".", View(id.key));
    simdjson::dom::object facts;
    if (id.value.get_object().get(facts) != simdjson::SUCCESS) {
      return absl::InvalidArgumentError(
          absl::StrCat(id_path, ": expected an object"));
    }
    std::map<std::string, std::string>& entry = (*out)[std::string(id.key)];
    for (simdjson::dom::key_value_pair fact : facts) {
      absl::StatusOr<std::string> value =
          FactValue(fact.value, absl::StrCat(id_path, ".", View(fact.key)));
      if (!value.ok()) {
        return value.status();
      }
      entry[std::string(fact.key)] = *std::move(value);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat(path, ": cannot open"));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    return absl::UnavailableError(absl::StrCat(path, ": read error"));
  }
  return std::move(text).str();
}

}  // namespace

absl::StatusOr<ReferenceData> ReferenceData::Parse(absl::string_view json) {
  // Reference files are small and parsed rarely: a parser per call keeps
  // Parse thread-safe without sharing buffers.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (auto error = parser.parse(json.data(), json.size()).get(root);
      error != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        absl::StrCat("reference data: ", simdjson::error_message(error)));
  }
  simdjson::dom::object sections;
  if (root.get_object().get(sections) != simdjson::SUCCESS) {
    return absl::InvalidArgumentError(
        "reference data: expected a JSON object at the top");
  }
  ReferenceData data;
  for (simdjson::dom::key_value_pair section : sections) {
    absl::Status status;
    if (section.key == "campaigns") {
      status = ParseSection(section.value, "campaigns", &data.campaigns);
    } else if (section.key == "products") {
      status = ParseSection(section.value, "products", &data.products);
    } else {
      // A typo would otherwise silently drop facts.
      status = absl::InvalidArgumentError(
          absl::StrCat(R"(reference data: unknown key ")", View(section.key),
                       R"(" (expected "campaigns" or "products"))"));
    }
    if (!status.ok()) {
      return status;
    }
  }
  return data;
}

absl::StatusOr<std::unique_ptr<ReferenceStore>> ReferenceStore::Open(
    const std::string& path) {
  auto store = std::make_unique<ReferenceStore>();
  store->path_ = path;
  absl::Status status = store->Reload();
  if (!status.ok()) {
    return status;
  }
  return store;
}

std::shared_ptr<const ReferenceData> ReferenceStore::Get() const {
  absl::ReaderMutexLock lock(&mu_);
  return data_;
}

absl::Status ReferenceStore::Reload() {
  if (path_.empty()) {
    return absl::FailedPreconditionError(
        "reference data: no file configured, nothing to reload");
  }
  // Read and parse outside the lock; only the pointer swap is guarded, so
  // Get() never waits on disk.
  absl::StatusOr<std::string> text = ReadFile(path_);
  if (!text.ok()) {
    return text.status();
  }
  absl::StatusOr<ReferenceData> data = ReferenceData::Parse(*text);
  if (!data.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path_, ": ", data.status().message()));
  }
  auto snapshot = std::make_shared<const ReferenceData>(*std::move(data));
  absl::MutexLock lock(&mu_);
  data_ = std::move(snapshot);
  return absl::OkStatus();
}

}  // namespace vouchstream::core
