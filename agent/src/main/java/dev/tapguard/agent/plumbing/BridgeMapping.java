package dev.tapguard.agent.plumbing;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code physnet1:br-ethx}: which OVS bridge carries a physical network, and the patch ports that join it to br-int. */
public record BridgeMapping(String physicalNetwork, String bridge) {

    public static BridgeMapping parse(String text) {
        int colon = text == null ? -1 : text.indexOf(':');
        if (colon <= 0 || colon == text.length() - 1 || text.indexOf(':', colon + 1) >= 0) {
            throw new IllegalArgumentException("bridge mapping '" + text + "' must look like physnet1:br-ethx");
        }
        String bridge = text.substring(colon + 1).strip();
        if (bridge.length() > 11) {
            // "int-" / "phy-" + bridge must fit a 15-character device name
            throw new IllegalArgumentException("bridge name '" + bridge + "' is longer than 11 characters");
        }
        return new BridgeMapping(text.substring(0, colon).strip(), bridge);
    }

    public static Map<String, BridgeMapping> byPhysnet(List<BridgeMapping> mappings) {
        Map<String, BridgeMapping> m = new LinkedHashMap<>();
        for (BridgeMapping b : mappings) {
            if (m.put(b.physicalNetwork(), b) != null) {
                throw new IllegalArgumentException("physical network " + b.physicalNetwork() + " mapped twice");
            }
        }
        return m;
    }

    /** The patch port on br-int ({@code int-br-ethx}). */
    public String intPort() {
        return "int-" + bridge;
    }

    /** The patch port on the physical bridge ({@code phy-br-ethx}). */
    public String phyPort() {
        return "phy-" + bridge;
    }
}
