// Typed errors for bad user input. The CLI turns each into exit code 1; no
// library code ever calls exit() (STYLE.md "Avoid these").
#pragma once

#include <stdexcept>
#include <string>

namespace coda {

// Where in a user's file an error sits. Lines and columns are 1-based; 0 means
// unknown (for example a network built in code rather than loaded).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;

  std::string str() const;  // "file:line:column", omitting unknown parts
};

// Bad input: malformed files, unknown fields or names, out-of-range values,
// inconsistent networks. The message names the location, the field and what
// is allowed.
class InputError : public std::runtime_error {
 public:
  InputError(SourceLocation where, std::string field, std::string message);
  explicit InputError(std::string message);

  const SourceLocation& where() const { return where_; }
  const std::string& field() const { return field_; }
  const std::string& message() const { return message_; }

 private:
  SourceLocation where_;
  std::string field_;
  std::string message_;
};

}  // namespace coda
