package dev.tapguard.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The web console's static files, kept on the classpath under {@link #ROOT} and served by {@code tapguard server}
 * under {@link #MOUNT}. A request path resolves to at most one file below the root: anything that could climb out
 * (dot segments, backslashes, encoded characters, empty segments) resolves to nothing. Files are read once and kept,
 * with a content hash for ETag revalidation.
 */
public final class ConsoleAssets {
    /** Classpath folder of the static files. */
    public static final String ROOT = "dev/tapguard/console/static/";
    /** Where the server mounts them. */
    public static final String MOUNT = "/console/";
    /** What an empty path (the console's entry) serves. */
    public static final String INDEX = "index.html";

    private static final Pattern SAFE_PATH = Pattern.compile("[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*(/[A-Za-z0-9_-]+(\\.[A-Za-z0-9_-]+)*)*");
    private static final Map<String, String> TYPES = Map.of(
            "html", "text/html; charset=utf-8",
            "css", "text/css; charset=utf-8",
            "js", "text/javascript; charset=utf-8",
            "json", "application/json",
            "svg", "image/svg+xml",
            "png", "image/png",
            "ico", "image/x-icon",
            "txt", "text/plain; charset=utf-8");

    /** One file: its path below the root, media type, bytes and a strong ETag (quoted). */
    public record Asset(String path, String contentType, byte[] bytes, String etag) {
    }

    private static final Map<String, Optional<Asset>> CACHE = new ConcurrentHashMap<>();

    private ConsoleAssets() {
    }

    /**
     * The file a path below {@link #MOUNT} names ({@code ""} means {@link #INDEX}), or empty when the path is not a
     * plain relative file name of a known type or no such file exists.
     */
    public static Optional<Asset> find(String relativePath) {
        String path = relativePath == null || relativePath.isEmpty() ? INDEX : relativePath;
        if (!SAFE_PATH.matcher(path).matches()) {
            return Optional.empty();
        }
        String ext = path.substring(path.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
        String type = path.indexOf('.') < 0 ? null : TYPES.get(ext);
        if (type == null) {
            return Optional.empty();
        }
        return CACHE.computeIfAbsent(path, p -> load(p, type));
    }

    private static Optional<Asset> load(String path, String type) {
        try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(ROOT + path)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readAllBytes();
            return Optional.of(new Asset(path, type, bytes, etag(bytes)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read console asset " + path, e);
        }
    }

    private static String etag(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            return "\"" + HexFormat.of().formatHex(d, 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
