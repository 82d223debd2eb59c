package io.asyncruntime;

import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A context variable: Python's {@code contextvars.ContextVar} (PEP 567).
 *
 * <p>Its value lives in the current {@link Context}. A task copies its creator's context when it is
 * created, so a value set before {@code createTask} is seen by the task, and a value the task sets is
 * seen by nobody else.
 *
 * <p>Threading: immutable; {@link #get()} and {@link #set} act on the context of the calling thread of
 * execution.
 *
 * @param <T> the type of the value
 */
public final class ContextVar<T> {
    private static final Object MISSING = new Object();

    private final String name;
    private final Object defaultValue;

    /** Creates a variable without default: {@link #get()} throws until a value is set. */
    public ContextVar(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = MISSING;
    }

    /** Creates a variable whose {@link #get()} returns {@code defaultValue} until a value is set. */
    public ContextVar(String name, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = defaultValue;
    }

    /** Returns the variable's name. */
    public String name() {
        return name;
    }

    /**
     * Returns the value in the current context, else the default.
     *
     * @throws NoSuchElementException if there is neither (Python's {@code LookupError})
     */
    @SuppressWarnings("unchecked")
    public T get() {
        Object v = Context.current().lookup(this, defaultValue);
        if (v == MISSING) {
            throw new NoSuchElementException("ContextVar '" + name + "' has no value in the current context");
        }
        return (T) v;
    }

    /** Returns the value in the current context, else {@code fallback} (ignoring the variable's default). */
    @SuppressWarnings("unchecked")
    public T get(T fallback) {
        Object v = Context.current().lookup(this, MISSING);
        return v == MISSING ? fallback : (T) v;
    }

    /** Sets the value in the current context and returns a token that {@link #reset} takes to undo it. */
    public Token<T> set(T value) {
        Context ctx = Context.current();
        Object old = ctx.lookup(this, MISSING);
        ctx.put(this, value);
        return new Token<>(this, ctx, old);
    }

    /**
     * Restores the value the variable had before the {@link #set} that returned {@code token}.
     *
     * @throws IllegalStateException if the token was already used
     * @throws IllegalArgumentException if the token belongs to another variable or was made in another context
     */
    public void reset(Token<T> token) {
        Objects.requireNonNull(token, "token");
        if (token.used) {
            throw new IllegalStateException("Token has already been used once: " + token);
        }
        if (token.var != this) {
            throw new IllegalArgumentException("Token was created by a different ContextVar: " + token);
        }
        Context ctx = Context.current();
        if (token.context != ctx) {
            throw new IllegalArgumentException("Token was created in a different Context: " + token);
        }
        if (token.oldValue == MISSING) {
            ctx.remove(this);
        } else {
            ctx.put(this, token.oldValue);
        }
        token.used = true;
    }

    @Override
    public String toString() {
        return "<ContextVar name='" + name + "'" + (defaultValue == MISSING ? "" : " default=" + defaultValue) + ">";
    }

    /**
     * What {@link ContextVar#set} returns: enough to undo that set.
     *
     * @param <T> the variable's value type
     */
    public static final class Token<T> {
        private final ContextVar<T> var;
        private final Context context;
        private final Object oldValue;
        private boolean used;

        private Token(ContextVar<T> var, Context context, Object oldValue) {
            this.var = var;
            this.context = context;
            this.oldValue = oldValue;
        }

        /** Returns the variable this token belongs to. */
        public ContextVar<T> var() {
            return var;
        }

        /** Returns whether the variable had no value before the set. */
        public boolean wasMissing() {
            return oldValue == MISSING;
        }

        @Override
        public String toString() {
            return "<Token" + (used ? " used" : "") + " var=" + var + ">";
        }
    }
}
