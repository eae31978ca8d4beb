// clang-format off
#include "core/internal/secret.h"
#include <chrono>
auto t = std::chrono::system_clock::now();
int r = rand();
// a comment that says now() is fine (line numbers are asserted by source_check_test.py)
