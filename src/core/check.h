// SPDX-License-Identifier: Apache-2.0
#pragma once

// MAMORI_CHECK and MAMORI_DCHECK: for programmer errors only (STYLE.md rule 11).
// A failed check aborts with file and line in every build. Never check input or
// the environment with these: those produce a core::Status.
//
//   MAMORI_CHECK(key.size() == 32);    // a broken invariant: abort
//   MAMORI_DCHECK(IsSorted(entries));  // expensive: debug builds only

namespace mamori::core::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition);
}  // namespace mamori::core::internal

#define MAMORI_CHECK(cond)                                              \
  do {                                                                  \
    if (!(cond)) [[unlikely]]                                           \
      ::mamori::core::internal::CheckFailed(__FILE__, __LINE__, #cond); \
  } while (false)

#ifdef NDEBUG
#define MAMORI_DCHECK(cond) \
  do {                      \
    (void)sizeof(cond);     \
  } while (false)
#else
#define MAMORI_DCHECK(cond) MAMORI_CHECK(cond)
#endif

// Clang thread-safety annotations (STYLE.md rule 28); empty under g++.
#if defined(__clang__)
#define MAMORI_GUARDED_BY(x) __attribute__((guarded_by(x)))
#define MAMORI_REQUIRES(...) __attribute__((requires_capability(__VA_ARGS__)))
#define MAMORI_EXCLUDES(...) __attribute__((locks_excluded(__VA_ARGS__)))
#else
#define MAMORI_GUARDED_BY(x)
#define MAMORI_REQUIRES(...)
#define MAMORI_EXCLUDES(...)
#endif
