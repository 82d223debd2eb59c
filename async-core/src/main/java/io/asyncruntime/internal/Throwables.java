package io.asyncruntime.internal;

/** Rethrows any throwable unchanged, checked or not, so awaits hand back the very exception object that was set. */
public final class Throwables {
    private Throwables() {
    }

    /**
     * Throws {@code t} without wrapping it. Declared to return an exception so callers can write
     * {@code throw Throwables.sneakyThrow(t)} and keep the compiler's flow analysis.
     *
     * @param t the throwable to throw
     * @return never: it always throws {@code t}
     */
    public static RuntimeException sneakyThrow(Throwable t) {
        throw Throwables.<RuntimeException>raise(t);
    }

    @SuppressWarnings("unchecked")
    private static <E extends Throwable> E raise(Throwable t) throws E {
        throw (E) t;
    }
}
