# The fuzz targets, for a clang build: the protocol sources are compiled again here with
# coverage and sanitizers, since the Palaver::Protocol target of the main build has neither.
# Expects PALAVER_PROTOCOL_DIR and PALAVER_FUZZ_DIR; defines PALAVER_FUZZERS.
set(PALAVER_FUZZERS fuzz_engine fuzz_json_decoder fuzz_msgpack_decoder fuzz_message_new)

file(GLOB _palaver_fuzz_protocol_sources CONFIGURE_DEPENDS "${PALAVER_PROTOCOL_DIR}/src/*.cpp")
set(_palaver_fuzz_sanitizers address,undefined)

add_library(palaver_protocol_fuzz STATIC ${_palaver_fuzz_protocol_sources})
# Plain C++: no moc, even when the including project turned AUTOMOC on for Qt.
set_target_properties(palaver_protocol_fuzz PROPERTIES AUTOMOC OFF AUTOUIC OFF AUTORCC OFF)
target_include_directories(palaver_protocol_fuzz PUBLIC "${PALAVER_PROTOCOL_DIR}/include")
target_link_libraries(palaver_protocol_fuzz
    PUBLIC nlohmann_json::nlohmann_json
    PRIVATE simdjson::simdjson)
target_compile_options(palaver_protocol_fuzz PRIVATE
    -fsanitize=fuzzer-no-link,${_palaver_fuzz_sanitizers}
    -fno-sanitize-recover=undefined -fno-omit-frame-pointer)

foreach(fuzzer IN LISTS PALAVER_FUZZERS)
    add_executable(${fuzzer} "${PALAVER_FUZZ_DIR}/${fuzzer}.cpp")
    target_compile_options(${fuzzer} PRIVATE
        -fsanitize=fuzzer,${_palaver_fuzz_sanitizers}
        -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
    set_target_properties(${fuzzer} PROPERTIES AUTOMOC OFF AUTOUIC OFF AUTORCC OFF)
    target_link_options(${fuzzer} PRIVATE -fsanitize=fuzzer,${_palaver_fuzz_sanitizers})
    target_link_libraries(${fuzzer} PRIVATE palaver_protocol_fuzz simdjson::simdjson)
endforeach()
