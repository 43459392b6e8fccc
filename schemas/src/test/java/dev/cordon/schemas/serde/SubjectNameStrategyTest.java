package dev.cordon.schemas.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cordon.avro.SessionEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SubjectNameStrategyTest {

    @ParameterizedTest
    @CsvSource({
            "io.confluent.kafka.serializers.subject.TopicNameStrategy, TOPIC_NAME",
            "io.confluent.kafka.serializers.subject.RecordNameStrategy, RECORD_NAME",
            "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy, TOPIC_RECORD_NAME",
            "TopicNameStrategy, TOPIC_NAME",
            "recordnamestrategy, RECORD_NAME",
            "topic_record_name, TOPIC_RECORD_NAME",
            "topic-record-name, TOPIC_RECORD_NAME"})
    void shouldAcceptConfluentClassNamesAndShortNames(String value, SubjectNameStrategy expected) {
        assertThat(SubjectNameStrategy.parse(value)).isEqualTo(expected);
    }

    @Test
    void shouldNameSubjectsAsConfluentDoes() {
        var schema = SessionEvent.getClassSchema();

        assertThat(SubjectNameStrategy.TOPIC_NAME.subjectName("session-events", false, schema)).isEqualTo("session-events-value");
        assertThat(SubjectNameStrategy.TOPIC_NAME.subjectName("session-events", true, schema)).isEqualTo("session-events-key");
        assertThat(SubjectNameStrategy.RECORD_NAME.subjectName("session-events", false, schema))
                .isEqualTo("dev.cordon.avro.SessionEvent");
        assertThat(SubjectNameStrategy.TOPIC_RECORD_NAME.subjectName("session-events", false, schema))
                .isEqualTo("session-events-dev.cordon.avro.SessionEvent");
    }

    @Test
    void shouldRefuseAnUnknownStrategyListingTheValidOnes() {
        assertThatThrownBy(() -> SubjectNameStrategy.parse("com.example.MyStrategy"))
                .hasMessageStartingWith("unknown subject name strategy 'com.example.MyStrategy'; expected one of "
                        + "io.confluent.kafka.serializers.subject.TopicNameStrategy");
    }
}
