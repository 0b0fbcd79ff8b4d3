# The libFuzzer target of the stub's request handling, for a clang build: the stub sources are
# compiled again here with coverage and sanitizers (the main build's Palaver::Stub has neither).
# Expects PALAVER_SOURCE_ROOT and the palaver_protocol_fuzz target of fuzzers.cmake; defines the
# target fuzz_stub_session.
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Network WebSockets Sql)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PALAVER_FUZZ_LIBJWT REQUIRED IMPORTED_TARGET libjwt)

# Everything of the stub but StubServer (the QWebSocketServer front); the protocol comes from
# palaver_protocol_fuzz (fuzzers.cmake), compiled once for every fuzzer.
set(_palaver_fuzz_stub_dir "${PALAVER_SOURCE_ROOT}/server-stub")
file(GLOB _palaver_fuzz_stub_sources CONFIGURE_DEPENDS
    "${_palaver_fuzz_stub_dir}/src/*.cpp" "${_palaver_fuzz_stub_dir}/src/*_p.h")
list(FILTER _palaver_fuzz_stub_sources EXCLUDE REGEX "/stubserver\\.cpp$")

add_executable(fuzz_stub_session "${CMAKE_CURRENT_LIST_DIR}/fuzz_stub_session.cpp"
    ${_palaver_fuzz_stub_sources})
set_target_properties(fuzz_stub_session PROPERTIES AUTOMOC ON AUTOUIC OFF AUTORCC OFF)
target_include_directories(fuzz_stub_session PRIVATE
    "${PALAVER_SOURCE_ROOT}/sdk/protocol/include"
    "${PALAVER_SOURCE_ROOT}/sdk/protocol/src"
    "${PALAVER_SOURCE_ROOT}/sdk/core/logging"
    "${_palaver_fuzz_stub_dir}/include"
    "${_palaver_fuzz_stub_dir}/src")
target_compile_definitions(fuzz_stub_session PRIVATE
    QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING QT_NO_KEYWORDS
    PALAVER_VERSION="fuzz")
# vptr is left out: Qt itself is not built with UBSan, and its objects would trip it.
target_compile_options(fuzz_stub_session PRIVATE
    -fsanitize=fuzzer,address,undefined -fno-sanitize=vptr -fno-sanitize-recover=undefined
    -fno-omit-frame-pointer)
target_link_options(fuzz_stub_session PRIVATE -fsanitize=fuzzer,address,undefined
    -fno-sanitize=vptr)
target_link_libraries(fuzz_stub_session PRIVATE
    palaver_protocol_fuzz Qt6::Core Qt6::Network Qt6::WebSockets Qt6::Sql
    nlohmann_json::nlohmann_json simdjson::simdjson PkgConfig::PALAVER_FUZZ_LIBJWT)
