# Sources of the item models (MessageModel, MemberModel, RoomListModel).
set(PALAVER_SDK_MODEL_SOURCES
)
list(TRANSFORM PALAVER_SDK_MODEL_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)
