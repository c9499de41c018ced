package dev.aegaeon.runtime.tokenizer;

/**
 * GPT-2's byte-to-unicode table used by byte-level BPE: printable Latin-1 bytes map to
 * themselves, the other 68 bytes to code points 256..323, so every byte is one visible char.
 */
public final class ByteLevelAlphabet {
    private ByteLevelAlphabet() {}

    private static final char[] BYTE_TO_CHAR = new char[256];

    static {
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + next++);
        }
    }

    /** The visible char standing for {@code b} (0..255). */
    public static char charOf(int b) { return BYTE_TO_CHAR[b & 0xff]; }

    /**
     * The 256 base tokens in GPT-2's id order (sorted by their char), so id i of a GPT-2 or Qwen
     * vocab is {@code baseTokens()[i]}.
     */
    public static String[] baseTokens() {
        char[] sorted = BYTE_TO_CHAR.clone();
        java.util.Arrays.sort(sorted);
        String[] out = new String[256];
        for (int i = 0; i < 256; i++) out[i] = String.valueOf(sorted[i]);
        return out;
    }
}
