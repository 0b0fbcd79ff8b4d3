# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE), after CPackConfig.cmake.
if(CPACK_GENERATOR STREQUAL "DEB")
    # CPackDeb puts the project summary in front of every component's description unless the
    # summary is CPack's default one. Ours carry their own synopsis as their first line, which
    # also keeps the synopses of the packages distinct.
    set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CPACK_DEFAULT_PACKAGE_DESCRIPTION_SUMMARY}")
endif()
