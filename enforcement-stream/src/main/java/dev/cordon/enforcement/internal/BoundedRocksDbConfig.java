package dev.cordon.enforcement.internal;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds RocksDB's off-heap memory (DESIGN.md "Fan-out at scale"): every store instance of the JVM shares one
 * LRU block cache of {@value #BLOCK_CACHE_BYTES_CONFIG} bytes, and memtables are charged to that cache through
 * one {@code WriteBufferManager} limited to {@value #WRITE_BUFFER_BYTES_CONFIG} bytes; index and filter blocks
 * live in the cache too. The pattern of the Kafka Streams memory-management guide.
 */
public final class BoundedRocksDbConfig implements RocksDBConfigSetter {
    /** Streams config key: total block cache bytes shared by all stores of the JVM. */
    public static final String BLOCK_CACHE_BYTES_CONFIG = "cordon.rocksdb.block.cache.bytes";
    /** Streams config key: memtable bytes, counted within the block cache. */
    public static final String WRITE_BUFFER_BYTES_CONFIG = "cordon.rocksdb.write.buffer.bytes";
    /** Default block cache: 256 MiB for all stores of the JVM. */
    public static final long DEFAULT_BLOCK_CACHE_BYTES = 256L * 1024 * 1024;
    /**
     * Default memtable budget: 128 MiB for all stores. One enforcement instance holds about 60 stores (5 per session
     * task); at 16 MiB each memtable was flushed while tiny, level-0 files piled up past RocksDB's slowdown trigger and
     * every {@code put} stalled — a 100,000-session fan-out took 36–77 s instead of 7 s (BENCHMARKS.md).
     */
    public static final long DEFAULT_WRITE_BUFFER_BYTES = 128L * 1024 * 1024;
    /** Memtable size of one store, bytes. */
    static final long STORE_WRITE_BUFFER_BYTES = 8L * 1024 * 1024;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;

    private static synchronized void initShared(Map<String, Object> configs) {
        if (cache != null) {
            return;
        }
        long cacheBytes = bytes(configs.get(BLOCK_CACHE_BYTES_CONFIG), DEFAULT_BLOCK_CACHE_BYTES);
        long writeBytes = Math.min(bytes(configs.get(WRITE_BUFFER_BYTES_CONFIG), DEFAULT_WRITE_BUFFER_BYTES), cacheBytes / 2);
        cache = new LRUCache(cacheBytes, -1, false, 0.1);
        writeBufferManager = new WriteBufferManager(writeBytes, cache);
    }

    private static long bytes(Object value, long fallback) {
        if (value == null) {
            return fallback;
        }
        return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().trim());
    }

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        initShared(configs);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        table.setBlockCache(cache);
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        options.setWriteBufferManager(writeBufferManager);
        options.setMaxWriteBufferNumber(2);
        options.setWriteBufferSize(STORE_WRITE_BUFFER_BYTES);
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // the cache and the write buffer manager are shared by every store: never closed per store
    }
}
