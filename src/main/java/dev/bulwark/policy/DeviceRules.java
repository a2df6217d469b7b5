package dev.bulwark.policy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import java.util.List;

/** `spec.device` of host policies: USB devices by class (and optionally sub class and protocol). */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeviceRules(
        List<DeviceRule> matchDevice,
        @Min(1) @Max(10) Integer severity, List<String> tags, String message,
        @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record DeviceRule(
            @JsonProperty("class") @Required @Pattern("^(ALL|AUDIO|COMM|HID|PHYSICAL|IMAGE|PRINTER|MASS-STORAGE|HUB|CDC-DATA|SMART-CARD"
                    + "|CONTENT-SECURITY|VIDEO|PERSONAL-HEALTHCARE|AUDIO-VIDEO|BILLBOARD|USB-TYPE-C-BRIDGE"
                    + "|BDP|MCTP|I3C|DIAGNOSTIC|WIRELESS-CONTROLLER|MISCELLANEOUS|APPLICATION-SPECIFIC"
                    + "|VENDOR-SPECIFIC)$") String deviceClass,
            @Min(0) @Max(255) Integer level,
            @Min(0) @Max(255) Integer subClass,
            @Min(0) @Max(255) Integer protocol,
            @Min(1) @Max(10) Integer severity, List<String> tags, String message,
            @Pattern(RuleMeta.ACTION_PATTERN) String action) implements RuleMeta {
    }
}
