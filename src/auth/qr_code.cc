// SPDX-License-Identifier: Apache-2.0
#include "auth/qr_code.h"

#include <png.h>
#include <qrencode.h>

#include <memory>
#include <vector>

namespace mamori::auth {
namespace {

constexpr int kQuietZone = 4;  // modules, ISO/IEC 18004
constexpr int kPixelsPerModule = 8;
constexpr size_t kMaxText = 2048;

struct QrDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
using QrPtr = std::unique_ptr<QRcode, QrDeleter>;

core::Result<QrPtr> Encode(std::string_view text) {
  if (text.empty() || text.size() > kMaxText) {
    return core::InvalidArgumentError("QR text must be 1 to 2048 bytes");
  }
  std::string copy(text);  // libqrencode wants a NUL-terminated string
  QrPtr code(QRcode_encodeString8bit(copy.c_str(), 0, QR_ECLEVEL_M));
  if (!code) return core::InternalError("libqrencode could not encode the text");
  return code;
}

// Whether the module at (x, y), counted with the quiet zone, is dark.
bool Dark(const QRcode& code, int x, int y) {
  x -= kQuietZone;
  y -= kQuietZone;
  if (x < 0 || y < 0 || x >= code.width || y >= code.width) return false;
  return code.data[y * code.width + x] & 1;
}

void AppendToString(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

}  // namespace

core::Result<std::string> QrPng(std::string_view text) {
  MAMORI_ASSIGN_OR_RETURN(QrPtr code, Encode(text));
  int modules = code->width + 2 * kQuietZone;
  int size = modules * kPixelsPerModule;
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png ? png_create_info_struct(png) : nullptr;
  if (png == nullptr || info == nullptr) {
    png_destroy_write_struct(&png, &info);
    return core::InternalError("libpng could not start a PNG");
  }
  // libpng reports errors by longjmp; nothing with a destructor is created
  // between here and the end of the writes below.
  std::vector<png_byte> row(static_cast<size_t>(size));
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    return core::InternalError("libpng failed writing the QR code");
  }
  png_set_write_fn(png, &out, AppendToString, nullptr);
  png_set_IHDR(png, info, size, size, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      row[x] = Dark(*code, x / kPixelsPerModule, y / kPixelsPerModule) ? 0 : 255;
    }
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

core::Result<std::string> QrTerminal(std::string_view text) {
  MAMORI_ASSIGN_OR_RETURN(QrPtr code, Encode(text));
  int modules = code->width + 2 * kQuietZone;
  std::string out;
  // Each character covers two module rows: upper and lower half. Light
  // modules are drawn (as blocks), dark ones left as background, which scans
  // on dark terminals; on light ones the quiet zone frames the symbol.
  for (int y = 0; y < modules; y += 2) {
    for (int x = 0; x < modules; ++x) {
      bool top_light = !Dark(*code, x, y);
      bool bottom_light = y + 1 < modules ? !Dark(*code, x, y + 1) : false;
      if (top_light && bottom_light) {
        out += "\u2588";  // full block
      } else if (top_light) {
        out += "\u2580";  // upper half
      } else if (bottom_light) {
        out += "\u2584";  // lower half
      } else {
        out += ' ';
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace mamori::auth
