# tests/scenarios.cmake: every scenario file is a CTest test (LABELS scenario),
# run by the utsim CLI from the source root so that the replay commands it
# prints can be pasted as they are.
#   scenario:<path under scenarios/>   utsim check <file>      (exit 0)
#   spec-example:<file>                utsim validate <file>   (exit 0)
#   bad:<file>                         utsim validate <file>   (exit 3, exactly)
# A scenario in a subfolder also gets the folder's name as a label.

file(GLOB_RECURSE UTSIM_SCENARIO_FILES CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/scenarios
     ${PROJECT_SOURCE_DIR}/scenarios/*.json)
list(SORT UTSIM_SCENARIO_FILES)
# The litmus folder is checked as a whole under each memory model instead
# (litmus:table, tests/CMakeLists.txt).
list(FILTER UTSIM_SCENARIO_FILES EXCLUDE REGEX "^litmus/")
foreach(rel IN LISTS UTSIM_SCENARIO_FILES)
  add_test(NAME "scenario:${rel}" COMMAND utsim check "scenarios/${rel}"
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set(labels scenario)
  get_filename_component(folder "${rel}" DIRECTORY)
  if(folder)
    string(REPLACE "/" ";" folder_labels "${folder}")
    list(APPEND labels ${folder_labels})
  endif()
  set_tests_properties("scenario:${rel}" PROPERTIES LABELS "${labels}")
endforeach()

file(GLOB UTSIM_SPEC_EXAMPLES CONFIGURE_DEPENDS RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/spec-examples
     ${CMAKE_CURRENT_SOURCE_DIR}/spec-examples/*.json)
foreach(name IN LISTS UTSIM_SPEC_EXAMPLES)
  add_test(NAME "spec-example:${name}" COMMAND utsim validate "tests/spec-examples/${name}"
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties("spec-example:${name}" PROPERTIES LABELS scenario)
endforeach()

# CTest only knows zero and non-zero; a malformed scenario must give exactly
# 3 (invalid scenario), not a crash or an internal error.
set(UTSIM_EXPECT_EXIT_SCRIPT ${CMAKE_CURRENT_BINARY_DIR}/utsim_expect_exit.cmake)
file(CONFIGURE OUTPUT ${UTSIM_EXPECT_EXIT_SCRIPT} @ONLY CONTENT [=[
# cmake -DUTSIM=... -DARGS=a;b -DEXPECTED=n -P utsim_expect_exit.cmake
execute_process(COMMAND ${UTSIM} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT "${rc}" STREQUAL "${EXPECTED}")
  string(REPLACE ";" " " command "${ARGS}")
  message(FATAL_ERROR "utsim ${command}: exit ${rc}, expected ${EXPECTED}")
endif()
]=])

file(GLOB UTSIM_BAD_SCENARIOS CONFIGURE_DEPENDS RELATIVE ${CMAKE_CURRENT_SOURCE_DIR}/bad
     ${CMAKE_CURRENT_SOURCE_DIR}/bad/*.json)
list(REMOVE_ITEM UTSIM_BAD_SCENARIOS manifest.json)  # what each file must get, not a scenario
foreach(name IN LISTS UTSIM_BAD_SCENARIOS)
  add_test(NAME "bad:${name}"
           COMMAND ${CMAKE_COMMAND} -DUTSIM=$<TARGET_FILE:utsim> "-DARGS=validate;tests/bad/${name}"
                   -DEXPECTED=3 -P ${UTSIM_EXPECT_EXIT_SCRIPT}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties("bad:${name}" PROPERTIES LABELS scenario)
endforeach()
