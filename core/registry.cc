#include "core/registry.h"

#include <algorithm>

#include "core/text.h"

namespace coda {
namespace {

std::vector<RegistryBase*>& registries() {
  static std::vector<RegistryBase*> r;
  return r;
}

}  // namespace

RegistryBase::RegistryBase(std::string kind, std::string field, std::string hint)
    : kind_(std::move(kind)), field_(std::move(field)), hint_(std::move(hint)) {
  registries().push_back(this);
}

RegistryBase::~RegistryBase() {
  auto& r = registries();
  r.erase(std::remove(r.begin(), r.end(), this), r.end());
}

const std::vector<RegistryBase*>& all_registries() {
  return registries();
}

void RegistryBase::require(const std::string& name, const SourceLocation& where) const {
  if (!contains(name)) unknown(name, where);
}

void RegistryBase::unknown(const std::string& name, const SourceLocation& where) const {
  const auto known = names();
  throw InputError(where, field_,
                   "unknown " + kind_ + " '" + name + "'; available: " +
                       (known.empty() ? std::string("none") : join(known, ", ")) + hint_);
}

void RegistryBase::duplicate(const std::string& name) const {
  throw InputError({}, field_, "the " + kind_ + " '" + name + "' is registered twice");
}

}  // namespace coda
