package dev.bulwark.telemetry;

import com.google.protobuf.MessageLite;
import java.util.function.Function;

/**
 * A record as the readers receive it: the record, and its protobuf encoding, made by the first gRPC stream that
 * sends it and reused by every other (ten clients encode an alert once, not ten times). Each record type goes
 * to one RPC, so one encoding per record is all there is.
 */
final class Published {
    private final Object record;
    /** Written once by whichever stream comes first; a race only encodes the same bytes twice. */
    private volatile byte[] encoded;

    Published(Object record) {
        this.record = record;
    }

    Object record() {
        return record;
    }

    byte[] encoded(Function<Object, ? extends MessageLite> toProtobuf) {
        byte[] bytes = encoded;
        if (bytes == null) {
            bytes = toProtobuf.apply(record).toByteArray();
            encoded = bytes;
        }
        return bytes;
    }
}
