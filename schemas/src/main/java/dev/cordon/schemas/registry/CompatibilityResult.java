package dev.cordon.schemas.registry;

import java.util.List;

/**
 * Answer of a compatibility test ({@code POST /compatibility/subjects/{s}/versions/{v}?verbose=true}).
 *
 * @param compatible {@code is_compatible}
 * @param messages   why not (empty when compatible, or when the server sent no details)
 */
public record CompatibilityResult(boolean compatible, List<String> messages) {
    public CompatibilityResult {
        messages = List.copyOf(messages);
    }
}
