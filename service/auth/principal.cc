#include "service/auth/principal.h"

namespace vouchstream::auth {
namespace {

std::shared_ptr<const Principal> MakeAnonymous() {
  auto anonymous = std::make_shared<Principal>();
  anonymous->name = "anonymous";
  anonymous->publish = true;
  anonymous->admin = true;
  anonymous->subscribe.emplace();
  return anonymous;
}

}  // namespace

std::shared_ptr<const Principal> Principal::Anonymous() {
  // Never destroyed, so that no call outlives it at exit.
  static const auto* const kAnonymous =
      new std::shared_ptr<const Principal>(MakeAnonymous());
  return *kAnonymous;
}

}  // namespace vouchstream::auth
