# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE), after CPackConfig.cmake.
if(CPACK_GENERATOR STREQUAL "DEB")
    # CPackDeb puts the project summary in front of every component's description unless the
    # summary is CPack's default one. Ours carry their own synopsis as their first line, which
    # also keeps the synopses of the packages distinct.
    set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CPACK_DEFAULT_PACKAGE_DESCRIPTION_SUMMARY}")
endif()

if(CPACK_GENERATOR STREQUAL "DEB" AND CPACK_DEBIAN_DEBUGINFO_PACKAGE)
    # CPackDeb splits the debug info off into -dbgsym packages itself, and only from binaries
    # that are not stripped yet.
    set(CPACK_STRIP_FILES OFF)
endif()
