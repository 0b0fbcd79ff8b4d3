# Sources of the rooms layer (Room, the Client's room directory, resume and gap filling).
# Public headers are listed too, so that AUTOMOC sees them.
set(PALAVER_SDK_ROOM_SOURCES
    include/Palaver/room.h
    src/room_p.h
    src/room.cpp
    src/roomdirectory_p.h
    src/roomdirectory.cpp
)
list(TRANSFORM PALAVER_SDK_ROOM_SOURCES PREPEND ${CMAKE_CURRENT_LIST_DIR}/)

# The QML module (sdk/qml) registers Room, Client and the models with QML_FOREIGN;
# qmltyperegistrar finds them in this JSON of PalaverSdk's moc output. It must be made here: a
# custom command only attaches to a target of its own directory. No QtQml is involved.
qt_extract_metatypes(PalaverSdk)
