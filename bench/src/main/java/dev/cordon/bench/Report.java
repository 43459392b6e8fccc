package dev.cordon.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The result of one benchmark run: figures, each beside the baseline measured in the same run and their ratio,
 * plus free-form notes (configurations tried, machine load). Printed as a Markdown table so it can be pasted into
 * BENCHMARKS.md unchanged.
 *
 * @param title   what was measured, e.g. {@code fan-out N=100,000}
 * @param figures the figures, in print order
 * @param notes   lines printed under the table
 */
public record Report(String title, List<Figure> figures, List<String> notes) {
    /** @throws NullPointerException when an argument is null */
    public Report {
        Objects.requireNonNull(title, "title");
        figures = List.copyOf(figures);
        notes = List.copyOf(notes);
    }

    /**
     * One measured figure.
     *
     * @param name     what it is, e.g. {@code revocations/s}
     * @param value    the measured value
     * @param unit     its unit, e.g. {@code 1/s}, {@code ms}
     * @param baseline the baseline's value in the same unit, or {@code NaN} when there is none
     * @param baselineName what the baseline is, or {@code ""}
     * @param ratio    value relative to the baseline as the figure defines it (e.g. baseline time / our time, so
     *                 1.0 = as fast as the baseline), or {@code NaN}
     * @param target   the target in words, or {@code ""}
     * @param met      {@code "met"}, {@code "not met"} or {@code ""} when there is no target
     */
    public record Figure(String name, double value, String unit, double baseline, String baselineName, double ratio,
                         String target, String met) {
        /** A figure without baseline or target. */
        public static Figure plain(String name, double value, String unit) {
            return new Figure(name, value, unit, Double.NaN, "", Double.NaN, "", "");
        }

        /** A figure with a target: {@code met} is {@code "met"} when {@code ok}. */
        public Figure withTarget(String target, boolean ok) {
            return new Figure(name, value, unit, baseline, baselineName, ratio, target, ok ? "met" : "not met");
        }
    }

    /** A report under construction. */
    public static final class Builder {
        private final String title;
        private final List<Figure> figures = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        public Builder(String title) {
            this.title = title;
        }

        public Builder add(Figure f) {
            figures.add(f);
            return this;
        }

        public Builder note(String line) {
            notes.add(line);
            return this;
        }

        public Report build() {
            return new Report(title, figures, notes);
        }
    }

    /** @return the report as a Markdown section: a heading, a table, then the notes as a list */
    public String toMarkdown() {
        StringBuilder sb = new StringBuilder("### ").append(title).append("\n\n");
        sb.append("| figure | value | baseline | ratio | target | |\n|---|---:|---|---:|---|---|\n");
        for (Figure f : figures) {
            sb.append("| ").append(f.name()).append(" | ").append(num(f.value())).append(' ').append(f.unit())
                    .append(" | ").append(Double.isNaN(f.baseline()) ? "" : num(f.baseline()) + " " + f.unit() + " (" + f.baselineName() + ")")
                    .append(" | ").append(Double.isNaN(f.ratio()) ? "" : String.format(Locale.ROOT, "%.2f", f.ratio()))
                    .append(" | ").append(f.target()).append(" | ").append(f.met()).append(" |\n");
        }
        if (!notes.isEmpty()) {
            sb.append('\n');
            for (String n : notes) {
                sb.append("- ").append(n).append('\n');
            }
        }
        return sb.toString();
    }

    /** Formats a number with thousands separators; two decimals below 100. */
    public static String num(double v) {
        if (Double.isNaN(v)) {
            return "n/a";
        }
        if (Math.abs(v) >= 100) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
