# tests/teaching.cmake: the teaching tools (label `teaching`).
#   golden:<scenario>.<format>   each exporter's output on a fixed run equals tests/golden/
#                                (label golden too; UTSIM_GOLDEN=collect regenerates)
#   teaching:explain             utsim explain narrates the R2 race and names the guarantee
#   teaching:step_tmux           utsim step driven by keys under tmux reproduces the R2 race
#   teaching:report_chromium     utsim report's page loads in headless Chromium without a JS
#                                error and its screenshot is not blank
#   teaching:slides              run --trace svg|png: docs/pictures/r2-timeline.{svg,png} are what
#                                utsim draws; cli.E011 when the PNG cannot be made
#   teaching:serve_browser       utsim serve's page, driven in headless Chromium through
#                                chromedriver, plays R2's counterexample and shows the violation
#                                and its replay command (labels teaching, browser, serve)
# The tmux, Chromium, chromedriver and rsvg-convert tests skip (exit 77) when their tool is missing on a developer's
# machine, and fail in CI (CI=true), where scripts/bootstrap installs both.

# name | scenario | schedule ('' = the default schedule)
set(UTSIM_GOLDEN_RUNS
  "linux-sigstop-sigcont-wait|scenarios/linux/sigstop-sigcont-wait.json|"
  "utrace-g11-stop-stays-stopped|scenarios/utrace/g11-stop-stays-stopped.json|"
  "r2-detach-before-stop-bug|scenarios/races/r2-detach-before-stop-bug.json|a3b3cbcc")
set(UTSIM_GOLDEN_FORMATS "text|txt" "json|jsonl" "chrome|chrome.json" "mermaid|mmd" "dot|dot")
foreach(run IN LISTS UTSIM_GOLDEN_RUNS)
  string(REPLACE "|" ";" parts "${run}")
  list(GET parts 0 name)
  list(GET parts 1 scenario)
  list(LENGTH parts n)
  set(schedule "")
  if(n GREATER 2)
    list(GET parts 2 schedule)
  endif()
  foreach(fmt IN LISTS UTSIM_GOLDEN_FORMATS)
    string(REPLACE "|" ";" f "${fmt}")
    list(GET f 0 format)
    list(GET f 1 ext)
    add_test(NAME "golden:${name}.${format}"
             COMMAND ${CMAKE_COMMAND} -DUTSIM=$<TARGET_FILE:utsim> -DSCENARIO=${scenario}
                     "-DSCHEDULE=${schedule}" -DFORMAT=${format}
                     -DGOLDEN=${CMAKE_CURRENT_SOURCE_DIR}/golden/${name}.${ext}
                     -DOUT=${CMAKE_CURRENT_BINARY_DIR}/golden-${name}.${ext}
                     -P ${CMAKE_CURRENT_SOURCE_DIR}/golden/golden.cmake
             WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
    set_tests_properties("golden:${name}.${format}" PROPERTIES LABELS "teaching;golden")
  endforeach()
endforeach()

foreach(script explain step_tmux report_chromium slides)
  add_test(NAME "teaching:${script}"
           COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/${script}.sh $<TARGET_FILE:utsim>
                   ${CMAKE_CURRENT_BINARY_DIR}/teaching-${script}
           WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  set_tests_properties("teaching:${script}" PROPERTIES LABELS teaching SKIP_RETURN_CODE 77 TIMEOUT 300)
endforeach()

add_test(NAME teaching:serve_browser
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli/serve_browser.sh $<TARGET_FILE:utsim>
                 ${CMAKE_CURRENT_BINARY_DIR}/teaching-serve_browser
         WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
set_tests_properties(teaching:serve_browser PROPERTIES LABELS "teaching;browser;serve" SKIP_RETURN_CODE 77
                                                       TIMEOUT 600)
