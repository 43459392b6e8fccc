package dev.cordon.audit.merkle;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/** Reads the golden vectors under src/test/resources/merkle (see README.md there). */
final class Rfc6962Vectors {

    record Inclusion(long index, long size, List<byte[]> proof) {
    }

    record Consistency(long size1, long size2, List<byte[]> proof) {
    }

    record HashVector(String kind, List<String> inputs, byte[] hash) {
    }

    final List<byte[]> leaves = new ArrayList<>();
    final Map<NodeId, byte[]> nodes = new TreeMap<>((a, b) -> a.level() != b.level()
            ? Integer.compare(a.level(), b.level()) : Long.compare(a.index(), b.index()));
    final List<byte[]> roots = new ArrayList<>();
    final List<Inclusion> inclusions = new ArrayList<>();
    final List<Consistency> consistencies = new ArrayList<>();
    final List<HashVector> hashes = new ArrayList<>();

    private static final HexFormat HEX = HexFormat.of();

    static Rfc6962Vectors load() {
        Rfc6962Vectors v = new Rfc6962Vectors();
        for (String raw : resource("merkle/rfc6962-tree.txt").split("\n")) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split(" ");
            switch (f[0]) {
                case "leaf" -> {
                    if (Integer.parseInt(f[1]) != v.leaves.size()) {
                        throw new IllegalStateException("leaves out of order: " + line);
                    }
                    v.leaves.add(hex(f[2]));
                }
                case "node" -> v.nodes.put(new NodeId(Integer.parseInt(f[1]), Long.parseLong(f[2])), hex(f[3]));
                case "root" -> {
                    if (Integer.parseInt(f[1]) != v.roots.size()) {
                        throw new IllegalStateException("roots out of order: " + line);
                    }
                    v.roots.add(hex(f[2]));
                }
                case "inclusion" -> v.inclusions.add(new Inclusion(Long.parseLong(f[1]), Long.parseLong(f[2]), hexList(f[3])));
                case "consistency" -> v.consistencies.add(new Consistency(Long.parseLong(f[1]), Long.parseLong(f[2]), hexList(f[3])));
                case "hash" -> v.hashes.add(new HashVector(f[1], List.of(f).subList(2, f.length - 1), hex(f[f.length - 1])));
                default -> throw new IllegalStateException("unknown record: " + line);
            }
        }
        return v;
    }

    static String resource(String path) {
        try (InputStream in = Rfc6962Vectors.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Properties properties(String path) {
        Properties p = new Properties();
        try (var reader = new java.io.StringReader(resource(path))) {
            p.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    static byte[] hex(String s) {
        return s.equals("-") ? new byte[0] : HEX.parseHex(s);
    }

    static List<byte[]> hexList(String s) {
        List<byte[]> out = new ArrayList<>();
        if (!s.equals("-")) {
            for (String h : s.split(",")) {
                out.add(HEX.parseHex(h));
            }
        }
        return out;
    }

    static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    static List<String> hexStrings(List<byte[]> hashes) {
        return hashes.stream().map(Rfc6962Vectors::hex).toList();
    }
}
