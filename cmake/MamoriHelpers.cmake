# SPDX-License-Identifier: Apache-2.0
# One helper per kind of target (STYLE.md rule 35). Targets are referred to by
# their alias only: mamori::<module>, mamori::<module>_testing.

set(MAMORI_WARNINGS -Wall -Wextra -Werror=unused-result -Wno-missing-field-initializers)
if(MAMORI_WERROR)
  list(APPEND MAMORI_WARNINGS -Werror)
endif()
# GCC 12 at -O3 reports std::string concatenation as overlapping memcpy (GCC bug
# 105329, a false positive in libstdc++'s inlined code): keep it a warning there.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  list(APPEND MAMORI_WARNINGS -Wno-error=restrict)
endif()

# Every library knows which module it belongs to, so tools/check_layering.py can
# compare #includes with DEPS.
set_property(GLOBAL PROPERTY MAMORI_MODULE_DEPS "")

# mamori_module(NAME m SRCS ... DEPS ... [LIBS ...])
#   DEPS are other mamori modules (by short name); LIBS are external targets.
function(mamori_module)
  cmake_parse_arguments(M "" "NAME" "SRCS;DEPS;LIBS" ${ARGN})
  add_library(mamori_${M_NAME} STATIC ${M_SRCS})
  add_library(mamori::${M_NAME} ALIAS mamori_${M_NAME})
  target_include_directories(mamori_${M_NAME} PUBLIC ${MAMORI_SOURCE_ROOT})
  target_compile_options(mamori_${M_NAME} PRIVATE ${MAMORI_WARNINGS})
  foreach(dep ${M_DEPS})
    target_link_libraries(mamori_${M_NAME} PUBLIC mamori::${dep})
  endforeach()
  target_link_libraries(mamori_${M_NAME} PUBLIC ${M_LIBS})
  set_property(GLOBAL APPEND PROPERTY MAMORI_MODULE_DEPS "${M_NAME}:${M_DEPS}")
endfunction()

# mamori_testonly_library(NAME n SRCS ... DEPS ...): fakes and matchers that the
# production binary cannot link (nothing but tests depend on *_testing).
function(mamori_testonly_library)
  cmake_parse_arguments(M "" "NAME" "SRCS;DEPS;LIBS" ${ARGN})
  if(NOT MAMORI_BUILD_TESTS)
    return()
  endif()
  add_library(mamori_${M_NAME} STATIC ${M_SRCS})
  add_library(mamori::${M_NAME} ALIAS mamori_${M_NAME})
  target_include_directories(mamori_${M_NAME} PUBLIC ${MAMORI_SOURCE_ROOT})
  target_compile_options(mamori_${M_NAME} PRIVATE ${MAMORI_WARNINGS})
  foreach(dep ${M_DEPS})
    target_link_libraries(mamori_${M_NAME} PUBLIC mamori::${dep})
  endforeach()
  target_link_libraries(mamori_${M_NAME} PUBLIC ${M_LIBS})
endfunction()

# mamori_test(NAME t SRCS ... DEPS ... [LIBS ...] [LABELS ...] [TIMEOUT s])
function(mamori_test)
  cmake_parse_arguments(M "" "NAME;TIMEOUT" "SRCS;DEPS;LIBS;LABELS" ${ARGN})
  if(NOT MAMORI_BUILD_TESTS)
    return()
  endif()
  add_executable(${M_NAME} ${M_SRCS})
  target_compile_options(${M_NAME} PRIVATE ${MAMORI_WARNINGS})
  foreach(dep ${M_DEPS})
    target_link_libraries(${M_NAME} PRIVATE mamori::${dep})
  endforeach()
  target_link_libraries(${M_NAME} PRIVATE ${M_LIBS} GTest::gmock mamori::test_main)
  target_compile_definitions(${M_NAME} PRIVATE
    MAMORI_SHARED_DIR="${MAMORI_SHARED_DIR}"
    MAMORI_TEST_SRCDIR="${CMAKE_CURRENT_SOURCE_DIR}")
  add_test(NAME ${M_NAME} COMMAND ${M_NAME})
  if(NOT M_TIMEOUT)
    set(M_TIMEOUT 120)
  endif()
  set_tests_properties(${M_NAME} PROPERTIES TIMEOUT ${M_TIMEOUT} LABELS "unit;${M_LABELS}"
                       SKIP_RETURN_CODE 77)
endfunction()

# mamori_fuzz_test(NAME t SRCS ... DEPS ... CORPUS dir)
#   Under g++ the target links a driver that replays every file in CORPUS as a
#   ctest test; with MAMORI_BUILD_FUZZERS and clang it links libFuzzer instead.
function(mamori_fuzz_test)
  cmake_parse_arguments(M "" "NAME;CORPUS" "SRCS;DEPS;LIBS" ${ARGN})
  if(NOT MAMORI_BUILD_TESTS)
    return()
  endif()
  add_executable(${M_NAME} ${M_SRCS})
  target_compile_options(${M_NAME} PRIVATE ${MAMORI_WARNINGS})
  foreach(dep ${M_DEPS})
    target_link_libraries(${M_NAME} PRIVATE mamori::${dep})
  endforeach()
  target_link_libraries(${M_NAME} PRIVATE ${M_LIBS})
  if(MAMORI_BUILD_FUZZERS)
    target_compile_options(${M_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
    target_link_options(${M_NAME} PRIVATE -fsanitize=fuzzer,address,undefined)
  else()
    target_link_libraries(${M_NAME} PRIVATE mamori::fuzz_replay_driver)
  endif()
  add_test(NAME ${M_NAME}
           COMMAND ${M_NAME} ${CMAKE_CURRENT_SOURCE_DIR}/${M_CORPUS})
  set_tests_properties(${M_NAME} PROPERTIES TIMEOUT 300 LABELS "fuzz")
endfunction()

# mamori_benchmark(NAME b SRCS ... DEPS ...): built only with MAMORI_BUILD_BENCHMARKS.
function(mamori_benchmark)
  cmake_parse_arguments(M "" "NAME" "SRCS;DEPS;LIBS" ${ARGN})
  if(NOT MAMORI_BUILD_BENCHMARKS)
    return()
  endif()
  add_executable(${M_NAME} ${M_SRCS})
  target_compile_options(${M_NAME} PRIVATE ${MAMORI_WARNINGS})
  foreach(dep ${M_DEPS})
    target_link_libraries(${M_NAME} PRIVATE mamori::${dep})
  endforeach()
  target_link_libraries(${M_NAME} PRIVATE ${M_LIBS} benchmark::benchmark_main)
endfunction()
