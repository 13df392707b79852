package dev.tapguard.agent.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** {@link CommandRunner} with {@link ProcessBuilder}: output read on virtual threads, killed on timeout. */
public final class ProcessCommandRunner implements CommandRunner {

    @Override
    public Result run(List<String> argv, String stdin, Duration timeout) {
        if (argv == null || argv.isEmpty()) {
            throw new IllegalArgumentException("no command");
        }
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            return new Result(127, "", argv.get(0) + ": " + e.getMessage());
        }
        CompletableFuture<String> out = read(p.getInputStream());
        CompletableFuture<String> err = read(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            // the command exited without reading its input; its exit code says why
        }
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor();
                return new Result(-1, out.get(), err.get() + argv.get(0) + ": timed out after " + timeout);
            }
            return new Result(p.exitValue(), out.get(), err.get());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new Result(-1, "", argv.get(0) + ": interrupted");
        } catch (ExecutionException e) {
            return new Result(p.exitValue(), "", String.valueOf(e.getCause()));
        }
    }

    private static CompletableFuture<String> read(InputStream s) {
        CompletableFuture<String> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (s) {
                f.complete(new String(s.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                f.completeExceptionally(new UncheckedIOException(e));
            }
        });
        return f;
    }
}
