#include "common/usage.h"

#include <string>

#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace vouchstream::common {

void SetUsage(absl::string_view program, absl::string_view folder,
              absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  absl::FlagsUsageConfig config;
  // A flag's file as the compiler named it: absolute, or relative to the
  // build directory under ccache ("../gateway/main.cc").
  const auto own = [folder = std::string{folder}](absl::string_view file) {
    return absl::StartsWith(file, folder) ||
           absl::StrContains(file, absl::StrCat("/", folder));
  };
  // "Flags from gateway/main.cc", wherever the checkout is.
  config.normalize_filename =
      [folder = std::string{folder}](absl::string_view file) {
        const size_t at = file.rfind(absl::StrCat("/", folder));
        return std::string{at == absl::string_view::npos ? file
                                                         : file.substr(at + 1)};
      };
  config.contains_helpshort_flags = own;
  config.contains_help_flags = own;
  config.version_string = [program = std::string{program}] {
    return absl::StrCat(program, " ", VS_VERSION, "\n");
  };
  absl::SetFlagsUsageConfig(config);
}

void NormalizeFlagNames(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    char* arg = argv[i];
    if (arg[0] != '-' || arg[1] != '-') {
      continue;
    }
    for (char* c = arg + 2; *c != '\0' && *c != '='; ++c) {
      if (*c == '-') {
        *c = '_';
      }
    }
  }
}

}  // namespace vouchstream::common
