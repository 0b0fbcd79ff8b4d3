// SPDX-License-Identifier: MIT
// A program written against the installed SDK only: shared by the CMake and pkg-config consumers.
#include <Palaver/message.h>

#include <QCoreApplication>
#include <QMetaEnum>
#include <QTextStream>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);

    Palaver::Message message;
    message.roomId = QStringLiteral("lobby");
    message.content = QStringLiteral("hello from an installed Palaver");
    message.status = Palaver::Message::Status::Pending;

    // Reflection goes through the library's exported meta-object (moc output inside the .so).
    const QMetaEnum status = QMetaEnum::fromType<Palaver::Message::Status>();
    const char *statusName = status.valueToKey(static_cast<int>(message.status));
    if (!statusName || qstrcmp(statusName, "Pending") != 0) {
        out << "palaver-consumer: Message::Status is not reflected\n";
        return 1;
    }
    if (QMetaType::fromType<Palaver::Message>().id() == 0) {
        out << "palaver-consumer: Palaver::Message is not a registered meta-type\n";
        return 1;
    }

    // Client use goes here once Palaver::Client is part of the library, e.g.
    //   Palaver::Client client;
    //   if (client.state() != Palaver::Client::State::Disconnected) return 1;
    // (construct it without a server: the consumer must not need the network).

    out << "palaver-consumer: ok (" << message.roomId << ", " << statusName << ")\n";
    return 0;
}
