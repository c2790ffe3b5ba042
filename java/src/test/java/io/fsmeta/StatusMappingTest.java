package io.fsmeta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fsmeta.internal.Native;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NotDirectoryException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The one status-to-exception table (Status.exceptionKind + FsMetaException.toIOException), by itself. */
class StatusMappingTest {
    private static final Map<Status, Class<? extends IOException>> EXPECTED = Map.of(
            Status.ENOENT, FileNotFoundException.class,
            Status.EEXIST, FileAlreadyExistsException.class,
            Status.ENOTEMPTY, DirectoryNotEmptyException.class,
            Status.EACCES, AccessDeniedException.class,
            Status.EPERM, AccessDeniedException.class,
            Status.ENOTDIR, NotDirectoryException.class);

    @Test
    void everyStatusMapsToItsException() {
        for (Status s : Status.values()) {
            if (s == Status.OK || s == Status.ITEROVER) {
                assertEquals(Status.Kind.NONE, s.exceptionKind(), s.name());
                continue;
            }
            int code = s == Status.UNKNOWN ? -1999 : s.code();
            FsMetaException fe = new FsMetaException(code, "op", "/p", "detail");
            IOException e = fe.toIOException();
            Class<? extends IOException> want = EXPECTED.getOrDefault(s, FsMetaException.class);
            assertSame(want, e.getClass(), s.name());
            assertEquals(s, FsMetaException.statusOf(e), s.name());
            if (e != fe) assertSame(fe, e.getCause(), s.name());
            assertTrue(fe.getMessage().contains(s == Status.UNKNOWN ? "UNKNOWN" : s.name()), fe.getMessage());
            assertEquals(code, fe.code());
            assertEquals("op", fe.operation());
            assertEquals("/p", fe.path());
        }
    }

    @Test
    void everyHeaderStatusHasAConstant() throws Exception {
        Set<Integer> codes = new HashSet<>();
        for (Field f : Native.class.getFields()) {
            if (!Modifier.isStatic(f.getModifiers()) || f.getType() != int.class) continue;
            String n = f.getName();
            if (!n.startsWith("FSMETA_E") && !n.equals("FSMETA_OK") && !n.equals("FSMETA_ITEROVER")) continue;
            int code = f.getInt(null);
            Status s = Status.of(code);
            assertEquals(n.substring("FSMETA_".length()), s.name(), n);
            assertEquals(code, s.code());
            codes.add(code);
        }
        assertEquals(Status.values().length - 1, codes.size(), "constants without a header status");
    }

    @Test
    void unknownCodes() {
        assertSame(Status.UNKNOWN, Status.of(-998));
        assertSame(Status.UNKNOWN, Status.of(-1999));
        assertSame(Status.UNKNOWN, Status.of(5));
        assertSame(Status.UNKNOWN, Status.of(Integer.MIN_VALUE));
        assertSame(Status.UNKNOWN, FsMetaException.statusOf(new IOException("x")));
        assertEquals(2, Status.ENOENT.errno());
        assertEquals(0, Status.ECLOSED.errno());
    }
}
