// SPDX-License-Identifier: Apache-2.0
#include "fhir/internal/entry_scanner.h"

#include <fstream>

namespace mamori::fhir::internal {
namespace {

// A byte-at-a-time JSON structure tracker: depth, strings and escapes. It
// records the last top-level key and the text of values at depth 1.
class Scanner {
 public:
  using Sink = std::function<core::Status(int event, std::string text)>;
  enum Event { kTopLevelString = 1, kEntryElement = 2 };

  explicit Scanner(Sink sink) : sink_(std::move(sink)) {}

  core::Status Feed(const char* data, size_t n) {
    for (size_t i = 0; i < n; ++i, ++offset_) MAMORI_RETURN_IF_ERROR(Step(data[i]));
    return core::Status::Ok();
  }
  core::Status Finish() const {
    if (depth_ != 0 || in_string_) return Error("the file ends inside a JSON value");
    return core::Status::Ok();
  }

 private:
  core::Status Error(const char* what) const {
    return core::InvalidArgumentError("invalid Bundle at byte " + std::to_string(offset_) + ": " +
                                      what);
  }

  core::Status Step(char c) {
    bool capturing_entry = in_entry_array_ && depth_ >= 3;
    if (capturing_entry) element_ += c;
    if (in_string_) return StringByte(c);
    switch (c) {
      case '"':
        in_string_ = true;
        text_.clear();
        return core::Status::Ok();
      case '{':
      case '[':
        return Open(c);
      case '}':
      case ']':
        return Close();
      case ':':
        if (depth_ == 1) expect_value_for_ = last_key_;
        return core::Status::Ok();
      case ',':
        if (depth_ == 1) expect_value_for_.clear();
        return core::Status::Ok();
      default:
        return core::Status::Ok();
    }
  }

  core::Status StringByte(char c) {
    if (escaped_) {
      escaped_ = false;
    } else if (c == '\\') {
      escaped_ = true;
    } else if (c == '"') {
      in_string_ = false;
      return StringDone();
    }
    if (depth_ == 1 && text_.size() < 256) text_ += c;
    return core::Status::Ok();
  }

  core::Status StringDone() {
    if (depth_ != 1) return core::Status::Ok();
    if (expect_value_for_.empty()) {
      last_key_ = text_;  // a key of the top-level object
      return core::Status::Ok();
    }
    if (expect_value_for_ == "type") return sink_(kTopLevelString, text_);
    return core::Status::Ok();
  }

  core::Status Open(char c) {
    if (depth_ == 0 && c != '{') return Error("a Bundle must be a JSON object");
    if (depth_ == 1 && c == '[' && expect_value_for_ == "entry") in_entry_array_ = true;
    if (in_entry_array_ && depth_ == 2) {
      element_.assign(1, c);  // an entry starts
    }
    if (++depth_ > 512) return Error("nesting too deep");
    return core::Status::Ok();
  }

  core::Status Close() {
    if (depth_ == 0) return Error("unbalanced brackets");
    --depth_;
    if (in_entry_array_ && depth_ == 2) {
      std::string done;
      done.swap(element_);
      return sink_(kEntryElement, std::move(done));
    }
    if (in_entry_array_ && depth_ == 1) in_entry_array_ = false;
    return core::Status::Ok();
  }

  Sink sink_;
  size_t offset_ = 0;
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  bool in_entry_array_ = false;
  std::string text_;
  std::string last_key_;
  std::string expect_value_for_;
  std::string element_;
};

core::Status ScanFile(const std::string& path, const Scanner::Sink& sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::NotFoundError("cannot open " + path);
  Scanner scanner(sink);
  std::string buffer(1 << 16, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    MAMORI_RETURN_IF_ERROR(scanner.Feed(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  return scanner.Finish();
}

}  // namespace

core::Result<std::string> ScanBundleType(const std::string& path) {
  std::string type;
  MAMORI_RETURN_IF_ERROR(ScanFile(path, [&](int event, std::string text) {
    if (event == Scanner::kTopLevelString) type = std::move(text);
    return core::Status::Ok();
  }));
  return type;
}

core::Status ScanBundleEntries(const std::string& path,
                               const std::function<core::Status(std::string)>& on_entry) {
  return ScanFile(path, [&](int event, std::string text) {
    return event == Scanner::kEntryElement ? on_entry(std::move(text)) : core::Status::Ok();
  });
}

}  // namespace mamori::fhir::internal
