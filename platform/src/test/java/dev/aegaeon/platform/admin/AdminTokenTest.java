package dev.aegaeon.platform.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin token: generated once into the data directory, owner-only, reused, never empty. */
class AdminTokenTest {
    @Test
    void generatedAtTheFirstStartOwnerOnlyAndReusedAfter(@TempDir Path dir) throws Exception {
        AdminToken first = AdminToken.load(Optional.empty(), dir);
        Path file = dir.resolve(AdminToken.FILE_NAME);
        assertEquals(Optional.of(file), first.generatedAt());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertTrue(first.reveal().length() >= 40, "256 random bits");

        AdminToken again = AdminToken.load(Optional.empty(), dir);
        assertEquals(Optional.empty(), again.generatedAt(), "shown only when generated");
        assertTrue(again.matches(first.reveal()));
        assertFalse(again.matches(first.reveal() + "x"));
        assertFalse(again.matches(""));
        assertFalse(again.matches(null));
    }

    @Test
    void aConfiguredTokenWinsAndMustBeLongEnough(@TempDir Path dir) throws Exception {
        AdminToken configured = AdminToken.load(Optional.of("configured-token-123"), dir);
        assertTrue(configured.matches("configured-token-123"));
        assertFalse(Files.exists(dir.resolve(AdminToken.FILE_NAME)), "nothing written");
        assertThrows(IllegalArgumentException.class, () -> AdminToken.load(Optional.of("short"), dir));
    }

    @Test
    void anEmptiedTokenFileStopsTheStartInsteadOfAdmittingAnyone(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve(AdminToken.FILE_NAME), "\n");
        var e = assertThrows(IllegalStateException.class, () -> AdminToken.load(Optional.empty(), dir));
        assertTrue(e.getMessage().contains("delete it"), e.getMessage());
    }
}
