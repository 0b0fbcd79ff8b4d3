# Sources of the rooms layer (Room, the Client's room directory, resume and gap filling).
set(PALAVER_SDK_ROOM_SOURCES
)
list(TRANSFORM PALAVER_SDK_ROOM_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
