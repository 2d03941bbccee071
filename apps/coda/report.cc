#include "apps/coda/report.h"

#include <fstream>
#include <iostream>

#include "core/error.h"

namespace coda::app {

void write_text(const std::string& text, const std::string& path) {
  if (path.empty() || path == "-") {
    std::cout << text;
    std::cout.flush();
    return;
  }
  std::ofstream out(path);
  if (!out) throw InputError({path, 0, 0}, "", "cannot write file");
  out << text;
}

void write_json(const nlohmann::json& doc, const std::string& path) {
  write_text(doc.dump(2) + "\n", path);
}

std::string grouped(long long value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return value < 0 ? "-" + out : out;
}

}  // namespace coda::app
