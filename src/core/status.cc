// SPDX-License-Identifier: Apache-2.0
#include "core/status.h"

#include <cstdio>
#include <cstdlib>

namespace mamori::core {

namespace internal {
void CheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "mamori: check failed at %s:%d: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}
}  // namespace internal

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "OK";
    case StatusCode::kInvalidArgument:
      return "InvalidArgument";
    case StatusCode::kNotFound:
      return "NotFound";
    case StatusCode::kAlreadyExists:
      return "AlreadyExists";
    case StatusCode::kPermissionDenied:
      return "PermissionDenied";
    case StatusCode::kResourceExhausted:
      return "ResourceExhausted";
    case StatusCode::kFailedPrecondition:
      return "FailedPrecondition";
    case StatusCode::kAborted:
      return "Aborted";
    case StatusCode::kDeadlineExceeded:
      return "DeadlineExceeded";
    case StatusCode::kUnimplemented:
      return "Unimplemented";
    case StatusCode::kInternal:
      return "Internal";
    case StatusCode::kUnavailable:
      return "Unavailable";
    case StatusCode::kDataLoss:
      return "DataLoss";
    case StatusCode::kUnauthenticated:
      return "Unauthenticated";
  }
  return "Unknown";
}

Status::Status(StatusCode code, std::string message, std::source_location where)
    : code_(code), message_(std::move(message)), where_(where) {
  if (code_ == StatusCode::kOk) message_.clear();
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(StatusCodeName(code_));
  out += ": ";
  out += message_;
  return out;
}

#define MAMORI_DEFINE_ERROR_(Name, Code)                     \
  Status Name(std::string message, std::source_location w) { \
    return Status(StatusCode::Code, std::move(message), w);  \
  }
MAMORI_DEFINE_ERROR_(InvalidArgumentError, kInvalidArgument)
MAMORI_DEFINE_ERROR_(NotFoundError, kNotFound)
MAMORI_DEFINE_ERROR_(AlreadyExistsError, kAlreadyExists)
MAMORI_DEFINE_ERROR_(PermissionDeniedError, kPermissionDenied)
MAMORI_DEFINE_ERROR_(ResourceExhaustedError, kResourceExhausted)
MAMORI_DEFINE_ERROR_(FailedPreconditionError, kFailedPrecondition)
MAMORI_DEFINE_ERROR_(AbortedError, kAborted)
MAMORI_DEFINE_ERROR_(DeadlineExceededError, kDeadlineExceeded)
MAMORI_DEFINE_ERROR_(UnimplementedError, kUnimplemented)
MAMORI_DEFINE_ERROR_(InternalError, kInternal)
MAMORI_DEFINE_ERROR_(UnavailableError, kUnavailable)
MAMORI_DEFINE_ERROR_(DataLossError, kDataLoss)
MAMORI_DEFINE_ERROR_(UnauthenticatedError, kUnauthenticated)
#undef MAMORI_DEFINE_ERROR_

}  // namespace mamori::core
