# tests/golden/golden.cmake: one golden test of an exporter.
#
#   cmake -DUTSIM=<utsim> -DSCENARIO=<file> -DSCHEDULE=<s> -DFORMAT=<text|json|chrome|mermaid|dot>
#         -DGOLDEN=<tests/golden/...> -DOUT=<scratch file> -P golden.cmake
#
# COMPARE (the default): `utsim run SCENARIO --schedule SCHEDULE --trace FORMAT -o OUT` must
# write exactly GOLDEN.  COLLECT (environment UTSIM_GOLDEN=collect): GOLDEN is rewritten from
# the output instead; review the diff and commit it.  The outputs hold no time and no
# address: a run is a pure function of (scenario, model version, schedule).
foreach(var UTSIM SCENARIO FORMAT GOLDEN OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "golden.cmake: -D${var}=... is required")
  endif()
endforeach()
execute_process(
  COMMAND "${UTSIM}" run "${SCENARIO}" --schedule "${SCHEDULE}" --trace "${FORMAT}" -o "${OUT}"
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "utsim run ${SCENARIO} --schedule '${SCHEDULE}' --trace ${FORMAT} exited ${rc}\n${out}${err}")
endif()
if("$ENV{UTSIM_GOLDEN}" STREQUAL "collect")
  file(COPY_FILE "${OUT}" "${GOLDEN}")
  message(STATUS "collected ${GOLDEN}")
  return()
endif()
if(NOT EXISTS "${GOLDEN}")
  message(FATAL_ERROR "no golden file ${GOLDEN}: run the golden tests with UTSIM_GOLDEN=collect, "
                      "review the new file and commit it")
endif()
execute_process(COMMAND "${CMAKE_COMMAND}" -E compare_files "${OUT}" "${GOLDEN}" RESULT_VARIABLE same)
if(NOT same EQUAL 0)
  execute_process(COMMAND diff -u "${GOLDEN}" "${OUT}" OUTPUT_VARIABLE d ERROR_QUIET)
  string(SUBSTRING "${d}" 0 6000 d)
  message(FATAL_ERROR "${FORMAT} export of ${SCENARIO} differs from ${GOLDEN}:\n${d}\n"
                      "If the change is intended: UTSIM_GOLDEN=collect ctest -L golden, review, commit.")
endif()
message(STATUS "${GOLDEN}: identical")
