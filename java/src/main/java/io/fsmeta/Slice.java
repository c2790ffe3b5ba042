package io.fsmeta;

import io.fsmeta.internal.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * A piece of file data stored elsewhere, placed in a chunk of {@link FsMeta#CHUNK_SIZE} bytes: the object's bytes
 * [off, off + len) appear at byte pos of the chunk; size is the whole object's size; id 0 is a hole. The 32-bit
 * fields are unsigned values carried in {@code int}.
 */
public record Slice(long id, int pos, int size, int off, int len) {
    /** A slice of a whole object: off 0, size len. */
    public static Slice of(long id, int pos, int len) {
        return new Slice(id, pos, len, 0, len);
    }

    long[] toLongs() {
        long[] v = new long[Native.SLICE_LONGS];
        put(v, 0);
        return v;
    }

    void put(long[] v, int at) {
        v[at + Native.SLICE_ID] = id;
        v[at + Native.SLICE_POS] = Integer.toUnsignedLong(pos);
        v[at + Native.SLICE_SIZE] = Integer.toUnsignedLong(size);
        v[at + Native.SLICE_OFF] = Integer.toUnsignedLong(off);
        v[at + Native.SLICE_LEN] = Integer.toUnsignedLong(len);
    }

    static long[] toLongs(List<Slice> slices) {
        long[] v = new long[slices.size() * Native.SLICE_LONGS];
        for (int i = 0; i < slices.size(); i++) slices.get(i).put(v, i * Native.SLICE_LONGS);
        return v;
    }

    /** Decodes an array of C fsmeta_slice structs (a fsmeta_buf's data). */
    static List<Slice> decode(byte[] data) {
        List<Slice> out = new ArrayList<>();
        if (data == null) return out;
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int at = 0; at + Native.SLICE_SIZEOF <= data.length; at += Native.SLICE_SIZEOF) {
            out.add(new Slice(b.getLong(at + Native.SLICE_OFF_ID), b.getInt(at + Native.SLICE_OFF_POS),
                    b.getInt(at + Native.SLICE_OFF_SIZE), b.getInt(at + Native.SLICE_OFF_OFF),
                    b.getInt(at + Native.SLICE_OFF_LEN)));
        }
        return out;
    }
}
