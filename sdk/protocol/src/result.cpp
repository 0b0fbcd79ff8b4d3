// SPDX-License-Identifier: MIT
#include <Palaver/Protocol/result.h>

namespace Palaver::Protocol {

std::string_view toString(ErrorCode code) noexcept
{
    switch (code) {
    case ErrorCode::EmptyFrame:
        return "empty_frame";
    case ErrorCode::UnknownEngineType:
        return "unknown_engine_type";
    case ErrorCode::InvalidHandshake:
        return "invalid_handshake";
    case ErrorCode::UnknownPacketType:
        return "unknown_packet_type";
    case ErrorCode::InvalidAttachmentCount:
        return "invalid_attachment_count";
    case ErrorCode::TooManyAttachments:
        return "too_many_attachments";
    case ErrorCode::InvalidNamespace:
        return "invalid_namespace";
    case ErrorCode::InvalidAckId:
        return "invalid_ack_id";
    case ErrorCode::InvalidJson:
        return "invalid_json";
    case ErrorCode::InvalidPayload:
        return "invalid_payload";
    case ErrorCode::ReservedEventName:
        return "reserved_event_name";
    case ErrorCode::UnexpectedBinary:
        return "unexpected_binary";
    case ErrorCode::AttachmentsPending:
        return "attachments_pending";
    case ErrorCode::InvalidPlaceholder:
        return "invalid_placeholder";
    case ErrorCode::InvalidMsgpack:
        return "invalid_msgpack";
    case ErrorCode::NestingTooDeep:
        return "nesting_too_deep";
    case ErrorCode::PayloadTooLarge:
        return "payload_too_large";
    case ErrorCode::UnexpectedEvent:
        return "unexpected_event";
    }
    return "unknown_error";
}

} // namespace Palaver::Protocol
