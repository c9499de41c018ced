package dev.aegaeon.platform.openai;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * JSON bodies must be UTF-8 (RFC 8259 section 8.1). Jackson auto-detects UTF-16/32 and lets some
 * malformed bytes through, so the bytes are checked strictly before parsing.
 */
public final class Utf8 {
    private Utf8() {}

    public static boolean isValid(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
