package dev.tapguard.server.http;

import com.zaxxer.hikari.HikariDataSource;
import dev.tapguard.server.store.Database;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The server's Prometheus metrics: requests by route and status, latency, the DB pool, the store revision. */
public final class ServerMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final Counter requests;
    private final Histogram latency;

    public ServerMetrics(Database db) {
        requests = Counter.builder().name("tapguard_http_requests_total")
                .help("HTTP requests by method, route and status").labelNames("method", "route", "status")
                .register(registry);
        latency = Histogram.builder().name("tapguard_http_request_duration_seconds")
                .help("HTTP request latency by method and route").labelNames("method", "route")
                .classicUpperBounds(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
                        60)
                .register(registry);
        HikariDataSource pool = db.pool();
        GaugeWithCallback.builder().name("tapguard_db_pool_connections").help("Database pool connections by state")
                .labelNames("state").callback(cb -> {
                    var mx = pool.getHikariPoolMXBean();
                    if (mx != null) {
                        cb.call(mx.getActiveConnections(), "active");
                        cb.call(mx.getIdleConnections(), "idle");
                        cb.call(mx.getTotalConnections(), "total");
                        cb.call(mx.getThreadsAwaitingConnection(), "pending");
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("tapguard_db_pool_max_connections").help("Database pool size limit")
                .callback(cb -> cb.call(pool.getMaximumPoolSize())).register(registry);
        GaugeWithCallback.builder().name("tapguard_store_revision").help("The store's global revision")
                .callback(cb -> cb.call(db.watch().current())).register(registry);
        GaugeWithCallback.builder().name("tapguard_feed_waiting_polls").help("Change-feed long polls waiting")
                .callback(cb -> cb.call(db.watch().waiting())).register(registry);
        JvmMetrics.builder().register(registry);
    }

    public void observe(String method, String route, int status, double seconds) {
        requests.labelValues(method, route, String.valueOf(status)).inc();
        latency.labelValues(method, route).observe(seconds);
    }

    public String scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            new PrometheusTextFormatWriter(false).write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(java.nio.charset.StandardCharsets.UTF_8);
    }

    public static String contentType() {
        return PrometheusTextFormatWriter.CONTENT_TYPE;
    }
}
