package io.asyncruntime.spring;

import io.asyncruntime.EventLoop;
import io.asyncruntime.LoopStall;
import io.asyncruntime.LoopStallListener;
import java.time.Duration;
import java.util.Locale;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.springframework.beans.factory.DisposableBean;

/**
 * Logs a warning, with the live stack of whatever holds the loop, when one step blocks the loop past its
 * blocked threshold ({@code async.runtime.blocked-threshold}), while it is still blocked, and a line when the
 * loop is free again. The warning names the task, so it is the log's answer to "why is my loop stuck".
 *
 * <p>Threading: called on the watchdog thread; registers itself on construction and leaves at destruction.
 * Final because it registers itself from its constructor: a subclass would be called before it is initialised.
 */
public final class BlockedLoopLogger implements LoopStallListener, DisposableBean {
    private static final Log logger = LogFactory.getLog(BlockedLoopLogger.class);

    private final EventLoop loop;

    public BlockedLoopLogger(EventLoop loop) {
        this.loop = loop;
        loop.addStallListener(this);
    }

    @Override
    public void blocked(LoopStall stall) {
        if (logger.isWarnEnabled()) {
            logger.warn(String.format(Locale.ROOT, "Event loop '%s' blocked for %s by %s; no other task or callback "
                    + "can run until it awaits or returns. Its stack now:%n%s", stall.loop().name(),
                    seconds(stall.heldFor()), stall.culprit(), stall.stackText()));
        }
    }

    @Override
    public void unblocked(LoopStall stall, Duration total) {
        if (logger.isWarnEnabled()) {
            logger.warn(String.format(Locale.ROOT, "Event loop '%s' running again: %s held it for about %s",
                    stall.loop().name(), stall.culprit(), seconds(total)));
        }
    }

    private static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
    }

    @Override
    public void destroy() {
        loop.removeStallListener(this);
    }
}
