# tests/layers/layers.cmake: the layers' arrows point one way.
#
#   cmake -DSOURCE_DIR=<repo> -DBINARY_DIR=<build> -DCXX=<compiler> -P layers.cmake
#
# 1. No source file of a layer includes a header of a layer above it
#    (sim < model < scenario < explore < tools), nor does the kernel model
#    (model/linux, model/utrace, model/ptrace) include model/checks: the core
#    calls no checker.
# 2. The build enforces it: each target's include root holds only its own
#    folders (utsim_include_root), so a wrong-way include does not compile.
#    A probe that includes scenario/scenario.h with the include roots of
#    utsim_model must fail to compile.
foreach(var SOURCE_DIR BINARY_DIR CXX)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "layers.cmake: -D${var}=... is required")
  endif()
endforeach()

set(above_sim model scenario explore tools)
set(above_model scenario explore tools)
set(above_scenario explore tools)
set(above_explore tools)
set(bad "")
foreach(layer sim model scenario explore)
  file(GLOB_RECURSE files "${SOURCE_DIR}/${layer}/*.h" "${SOURCE_DIR}/${layer}/*.cpp")
  foreach(f IN LISTS files)
    file(STRINGS "${f}" includes REGEX "^#include \"")
    foreach(line IN LISTS includes)
      foreach(up IN LISTS above_${layer})
        if(line MATCHES "^#include \"${up}/")
          string(APPEND bad "  ${f}: ${line} (${layer} must not see ${up})\n")
        endif()
      endforeach()
      if(f MATCHES "/model/(linux|utrace|ptrace)/" AND line MATCHES "^#include \"model/checks/")
        if(NOT line MATCHES "model/checks/property.h")
          string(APPEND bad "  ${f}: ${line} (the kernel model calls no checker)\n")
        endif()
      endif()
    endforeach()
  endforeach()
endforeach()
if(bad)
  message(FATAL_ERROR "includes that point the wrong way:\n${bad}")
endif()

set(probe "${BINARY_DIR}/layers-probe.cpp")
file(WRITE "${probe}" "#include \"scenario/scenario.h\"\nint main() { return 0; }\n")
execute_process(
  COMMAND "${CXX}" -std=c++20 -fsyntax-only -I "${BINARY_DIR}/include-roots/utsim_model"
          -I "${BINARY_DIR}/include-roots/utsim_sim" "${probe}"
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "a probe including scenario/scenario.h compiled with utsim_model's include roots: "
                      "the layers are not enforced by the build")
endif()
if(NOT err MATCHES "scenario/scenario.h")
  message(FATAL_ERROR "the probe failed for another reason than the wrong-way include:\n${err}")
endif()
message(STATUS "layers: every include points down; a wrong-way include does not compile")
