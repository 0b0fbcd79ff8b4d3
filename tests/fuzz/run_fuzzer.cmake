# ctest driver of one fuzz target (cmake -P). libFuzzer runs on a copy of the seed corpus in the
# build tree, so new inputs and crash artifacts never land in the source tree.
#   FUZZER  the executable     SEEDS  the committed seed corpus     WORK  a scratch directory
#   SECONDS how long to fuzz   MODE   libfuzzer | replay (g++ builds: feed each seed once)
file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/corpus" "${WORK}/artifacts")
file(COPY "${SEEDS}/" DESTINATION "${WORK}/corpus")

if(MODE STREQUAL "replay")
    execute_process(COMMAND "${FUZZER}" "${WORK}/corpus" RESULT_VARIABLE result)
else()
    execute_process(
        COMMAND "${FUZZER}" "${WORK}/corpus"
                -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=10 -max_len=8192
                -print_final_stats=1 "-artifact_prefix=${WORK}/artifacts/"
        RESULT_VARIABLE result)
endif()
if(NOT result EQUAL 0)
    message(FATAL_ERROR "${FUZZER} failed (${result}); artifacts in ${WORK}/artifacts")
endif()
