package dev.bulwark.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The CRD's preset pattern (an annotation constant) is the list of presets, in their order. */
class PresetTest {
    @Test
    void thePatternIsTheList() {
        assertEquals("^(" + Arrays.stream(Preset.values()).map(Preset::name).collect(Collectors.joining("|")) + ")$",
                Preset.PATTERN);
    }
}
