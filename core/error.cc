#include "core/error.h"

namespace coda {
namespace {

std::string compose(const SourceLocation& where, const std::string& field,
                    const std::string& message) {
  std::string out = where.str();
  if (!out.empty()) out += ": ";
  if (!field.empty()) out += "'" + field + "': ";
  return out + message;
}

}  // namespace

std::string SourceLocation::str() const {
  std::string out = file;
  if (line > 0) {
    out += (out.empty() ? "line " : ":") + std::to_string(line);
    if (column > 0) out += ":" + std::to_string(column);
  }
  return out;
}

InputError::InputError(SourceLocation where, std::string field, std::string message)
    : std::runtime_error(compose(where, field, message)),
      where_(std::move(where)),
      field_(std::move(field)),
      message_(std::move(message)) {}

InputError::InputError(std::string message)
    : std::runtime_error(message), message_(std::move(message)) {}

}  // namespace coda
