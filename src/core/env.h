// SPDX-License-Identifier: Apache-2.0
#pragma once

// core::Env: the clock, random source and file system travel together
// (STYLE.md rule 16). Built once in cli and passed by reference to module
// constructors; tests build one from fakes.
//
//   core::Env env = core::Env::Real();                       // production
//   core::SimulatedClock clock; core::DeterministicRandom rnd(seed);
//   core::MemFileSystem fs; core::Env env(clock, rnd, fs);   // tests
//
// Env borrows its parts; they must outlive it. Copying an Env copies the
// references. Thread-safety: as the parts.

#include "core/clock.h"
#include "core/file_system.h"
#include "core/random.h"

namespace mamori::core {

class Env {
 public:
  Env(Clock& clock, Random& random, FileSystem& fs) : clock_(&clock), random_(&random), fs_(&fs) {}

  // Real clock, OpenSSL randomness and the POSIX file system.
  static Env Real() { return Env(Clock::Real(), Random::Secure(), FileSystem::Posix()); }

  Clock& clock() const { return *clock_; }
  Random& random() const { return *random_; }
  FileSystem& fs() const { return *fs_; }

 private:
  Clock* clock_;
  Random* random_;
  FileSystem* fs_;
};

}  // namespace mamori::core
