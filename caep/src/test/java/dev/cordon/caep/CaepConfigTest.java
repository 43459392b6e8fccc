package dev.cordon.caep;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class CaepConfigTest {
    private static Map<String, Object> base() {
        Map<String, Object> c = new HashMap<>();
        c.put("bootstrap.servers", "127.0.0.1:9092");
        c.put("schema.registry.url", "http://127.0.0.1:8081");
        c.put("jdbc.url", "jdbc:postgresql://127.0.0.1:5432/cordon");
        c.put("jdbc.user", "cordon_caep");
        c.put("caep.issuer", "https://cordon.example.com");
        return c;
    }

    @Test
    void shouldParsePushAndPollReceivers() {
        Map<String, Object> c = base();
        c.put("caep.receivers", "siem,soc");
        c.put("caep.receiver.siem.audience", "https://siem");
        c.put("caep.receiver.siem.push.url", "https://siem/events");
        c.put("caep.receiver.soc.audience", "https://soc");
        c.put("caep.receiver.soc.delivery", "POLL");
        c.put("caep.receiver.soc.poll.token.sha256", CaepConfig.sha256Hex("t"));

        CaepConfig config = new CaepConfig(c);

        assertThat(config.receivers()).extracting(CaepConfig.Receiver::name, CaepConfig.Receiver::delivery)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("siem", CaepConfig.Delivery.PUSH),
                        org.assertj.core.groups.Tuple.tuple("soc", CaepConfig.Delivery.POLL));
    }

    @Test
    void shouldNameTheKeyOfABadReceiverSetting() {
        Map<String, Object> c = base();
        c.put("caep.receivers", "siem");
        c.put("caep.receiver.siem.audience", "https://siem");
        assertThatThrownBy(() -> new CaepConfig(c)).isInstanceOf(ConfigException.class).hasMessageContaining("caep.receiver.siem.push.url");

        c.put("caep.receiver.siem.push.url", "https://siem/events");
        c.put("caep.receiver.siem.colour", "blue");
        assertThatThrownBy(() -> new CaepConfig(c)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("caep.receiver.siem.colour").hasMessageContaining("poll.token.sha256");

        c.remove("caep.receiver.siem.colour");
        c.put("caep.receiver.other.audience", "x");
        assertThatThrownBy(() -> new CaepConfig(c)).isInstanceOf(ConfigException.class).hasMessageContaining("not listed in caep.receivers");
    }

    @Test
    void shouldRefuseAPollReceiverWithoutATokenHashAndKeysBelow2048Bits() {
        Map<String, Object> c = base();
        c.put("caep.receivers", "soc");
        c.put("caep.receiver.soc.audience", "https://soc");
        c.put("caep.receiver.soc.delivery", "poll");
        c.put("caep.receiver.soc.poll.token.sha256", "not-hex");
        assertThatThrownBy(() -> new CaepConfig(c)).isInstanceOf(ConfigException.class).hasMessageContaining("64 lower-case hex");

        Map<String, Object> small = base();
        small.put("caep.signing.key.bits", 1024);
        assertThatThrownBy(() -> new CaepConfig(small)).isInstanceOf(ConfigException.class).hasMessageContaining("caep.signing.key.bits");
    }
}
