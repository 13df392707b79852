package dev.tapguard.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Neutron's _find_open_zone, keyed by port id: 4097 first, then the highest + 1, then the lowest gap. */
class ZoneAllocatorTest {

    @Test
    void recoveredZonesStayAndNewPortsGetTheHighestPlusOne() {
        ZoneAllocator z = new ZoneAllocator(Map.of("a", 4100, "b", 4097), Set.of("a", "b", "c", "d"));
        assertThat(z.zoneOf("a")).isEqualTo(4100);
        assertThat(z.zoneOf("c")).isEqualTo(4101);
        assertThat(z.zoneOf("d")).isEqualTo(4102);
        assertThat(z.zoneOf("c")).isEqualTo(4101);
        assertThat(new ZoneAllocator(Map.of(), Set.of("x")).zoneOf("x")).isEqualTo(ZoneAllocator.ZONE_START);
    }

    @Test
    void afterTheLastZoneTheLowestGapIsTaken() {
        ZoneAllocator z = new ZoneAllocator(Map.of("a", 65535, "b", 4097), Set.of("a", "b", "c"));
        assertThat(z.zoneOf("c")).isEqualTo(4098);
    }

    @Test
    void whenEveryZoneIsTakenZonesOfGonePortsAreFreedAndThenNone() {
        Map<String, Integer> all = new HashMap<>();
        for (int zone = ZoneAllocator.ZONE_START; zone <= ZoneAllocator.MAX_ZONES; zone++) {
            all.put("p" + zone, zone);
        }
        Map<String, Integer> gone = new HashMap<>(all);
        gone.remove("p5000");
        Set<String> present = new java.util.HashSet<>(gone.keySet());
        present.add("new");
        gone.put("old", 5000);
        ZoneAllocator z = new ZoneAllocator(gone, present);
        assertThat(z.zoneOf("new")).isEqualTo(5000);
        assertThat(z.has("old")).isFalse();

        Set<String> everyone = new java.util.HashSet<>(all.keySet());
        everyone.add("one-too-many");
        assertThatThrownBy(() -> new ZoneAllocator(all, everyone).zoneOf("one-too-many"))
                .hasMessageContaining("conntrack zones exhausted");
    }
}
