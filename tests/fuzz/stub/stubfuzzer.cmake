# The libFuzzer target of the stub's request handling, for a clang build: the protocol and the
# stub sources are compiled again here with coverage and sanitizers (the main build's
# Palaver::Stub has neither). Expects PALAVER_SOURCE_ROOT; defines the target fuzz_stub_session.
find_package(Qt6 6.4 REQUIRED COMPONENTS Core Network WebSockets Sql)
find_package(PkgConfig REQUIRED)
pkg_check_modules(PALAVER_FUZZ_LIBJWT REQUIRED IMPORTED_TARGET libjwt)

file(GLOB _palaver_fuzz_stub_protocol CONFIGURE_DEPENDS
    "${PALAVER_SOURCE_ROOT}/sdk/protocol/src/*.cpp")
# Everything of the stub but StubServer (the QWebSocketServer front) and the CLI.
set(_palaver_fuzz_stub_dir "${PALAVER_SOURCE_ROOT}/server-stub")
set(_palaver_fuzz_stub_sources
    ${_palaver_fuzz_stub_dir}/src/stubconfig.cpp
    ${_palaver_fuzz_stub_dir}/src/jwtverifier.cpp
    ${_palaver_fuzz_stub_dir}/src/chattext.cpp
    ${_palaver_fuzz_stub_dir}/src/roomdirectory.cpp
    ${_palaver_fuzz_stub_dir}/src/messagestore.cpp
    ${_palaver_fuzz_stub_dir}/src/ratelimiter.cpp
    ${_palaver_fuzz_stub_dir}/src/recoverystore.cpp
    ${_palaver_fuzz_stub_dir}/src/engineconnection.cpp
    ${_palaver_fuzz_stub_dir}/src/engineconnection_p.h
    ${_palaver_fuzz_stub_dir}/src/chatservice.cpp
    ${_palaver_fuzz_stub_dir}/src/chatservice_p.h)

add_executable(fuzz_stub_session "${CMAKE_CURRENT_LIST_DIR}/fuzz_stub_session.cpp"
    ${_palaver_fuzz_stub_protocol} ${_palaver_fuzz_stub_sources})
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
    Qt6::Core Qt6::Network Qt6::WebSockets Qt6::Sql
    nlohmann_json::nlohmann_json simdjson::simdjson PkgConfig::PALAVER_FUZZ_LIBJWT)
