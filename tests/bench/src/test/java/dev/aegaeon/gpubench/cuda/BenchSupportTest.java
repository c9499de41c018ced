package dev.aegaeon.gpubench.cuda;

import dev.aegaeon.gpubench.BenchJson;
import dev.aegaeon.runtime.backend.StepLayout;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The benchmark's layouts, JSON and vLLM lookup, which run on the device only, checked here. */
class BenchSupportTest {

    @Test
    void decodeAndPrefillLayoutsUseEachSequencesOwnBlocks() {
        var lay = new BenchLayouts(16, 33, 1000);
        StepLayout d = lay.decode(2, 3, 512);
        assertEquals(3, d.numSeqs());
        for (int i = 0; i < 3; i++) {
            int s = 2 + i;
            assertEquals((s * 33 + 512 / 16) * 16 + 0, d.slotMapping()[i]);
            assertEquals(513, d.contextLengths()[i]);
            assertEquals(s * 33, d.blockTables()[i * 33]);
        }
        StepLayout p = lay.prefill(0, 2, 100);
        assertArrayEquals(new int[] {99, 199}, p.logitRows());
        Set<Integer> slots = new HashSet<>();
        for (int slot : p.slotMapping()) assertTrue(slots.add(slot), "slot used twice");
        assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, lay.blocksOf(0, 100));
    }

    @Test
    void jsonEscapesNestsAndWritesUnmeasuredFiguresAsNull() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a \"b\"", 1.5);
        m.put("nested", Map.of("n", 3));
        m.put("nan", Double.NaN);
        var tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(BenchJson.write(m));
        assertEquals(1.5, tree.get("a \"b\"").asDouble());
        assertEquals(3, tree.get("nested").get("n").asInt());
        assertTrue(tree.get("nan").isNull());
    }

    @Test
    void vllmLookupPrefersTheSameBatchAtTheLongestProfiledContext() throws Exception {
        Path csv = Files.createTempFile("vllm", ".csv");
        Files.writeString(csv, """
                # comment
                model,gpu,input_len,batch,prefill_ms,decode_ms
                qwen2_5_7b,H100,128,1,10.0,9.3
                qwen2_5_7b,H100,512,1,14.0,9.2
                qwen2_5_7b,H100,1024,1,25.0,9.0
                qwen2_5_7b,H100,64,60,80.0,12.5
                qwen2_5_7b,H800,512,1,1.0,1.0
                """);
        Map<String, Object> v = VllmProfiles.qwen7bH100(csv, 512);
        @SuppressWarnings("unchecked") var decode = (Map<String, Map<String, Object>>) v.get("decode");
        assertEquals(9.2, decode.get("1").get("decode_ms"));
        assertEquals(512, decode.get("1").get("profiled_input_len"));
        assertEquals(60, decode.get("64").get("profiled_batch"));
        @SuppressWarnings("unchecked") var prefill = (Map<String, Double>) v.get("prefill_ms");
        assertEquals(25.0, prefill.get("1024"));
        Files.delete(csv);
    }

    @Test
    void closingTablePutsEachFigureBesideItsTargetAndFloor() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("decode_ms", Map.of("1", 8.3));
        j.put("decode_hbm_floor_ms", 4.7);
        j.put("scaleup_s", 0.277);
        j.put("scaleup_floor_s", 0.278);
        j.put("vllm", Map.of("decode", Map.of("1", Map.of("decode_ms", 9.2)), "prefill_ms", Map.of()));
        String t = BenchTable.table(j);
        assertTrue(t.contains("decode_ms batch 1"), t);
        assertTrue(t.matches("(?s).*decode_ms batch 1\\s+8\\.300\\s+5\\.500\\s+9\\.200\\s+4\\.700.*"), t);
        assertTrue(t.matches("(?s).*scaleup_s\\s+0\\.277\\s+0\\.320\\s+-\\s+0\\.278.*"), t);
    }

    @Test
    void closingTableLeadsWithTheCardItsCodePathAndItsOwnFloors() {
        Map<String, Object> j = new LinkedHashMap<>();
        j.put("card", "NVIDIA L4");
        j.put("kernel_images", "sm_89 SASS, wgmma off");
        j.put("hbm_copy_gbps", 250.0);
        j.put("pinned_h2d_gbps", 24.5);
        String t = BenchTable.table(j);
        assertTrue(t.startsWith("card NVIDIA L4; sm_89 SASS, wgmma off"), t);
        assertTrue(t.matches("(?s).*hbm_copy_gbps\\s+250\\.000.*"), t);
        assertTrue(t.matches("(?s).*pinned_h2d_gbps\\s+24\\.500.*"), t);
    }
}
