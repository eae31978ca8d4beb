#include "core/internal/secret.h"
#include <chrono>
// a comment that says now() is fine
auto t = std::chrono::system_clock::now();
int r = rand();
