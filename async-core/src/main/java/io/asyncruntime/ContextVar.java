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

    /**
     * Creates a variable without default: Python's {@code ContextVar(name)}. {@link #get()} throws until a
     * value is set.
     *
     * @param name the variable's name, for diagnostics only
     * @throws NullPointerException if {@code name} is null
     */
    public ContextVar(String name) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = MISSING;
    }

    /**
     * Creates a variable with a default: Python's {@code ContextVar(name, default=)}.
     *
     * @param name         the variable's name, for diagnostics only
     * @param defaultValue what {@link #get()} returns in a context where no value was set; null is a value
     * @throws NullPointerException if {@code name} is null
     */
    public ContextVar(String name, T defaultValue) {
        this.name = Objects.requireNonNull(name, "name");
        this.defaultValue = defaultValue;
    }

    /**
     * Returns the variable's name: Python's {@code ContextVar.name}.
     *
     * @return the name given at creation, never null
     */
    public String name() {
        return name;
    }

    /**
     * Returns the value in the current context, else the default: Python's {@code ContextVar.get()}.
     *
     * @return the value set in the current context (possibly null), else the variable's default
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

    /**
     * Returns the value in the current context, else {@code fallback}: Python's {@code ContextVar.get(default)}.
     * The variable's own default is ignored.
     *
     * @param fallback what to return if no value was set in the current context; may be null
     * @return the value set in the current context (possibly null), else {@code fallback}
     */
    @SuppressWarnings("unchecked")
    public T get(T fallback) {
        Object v = Context.current().lookup(this, MISSING);
        return v == MISSING ? fallback : (T) v;
    }

    /**
     * Sets the value in the current context: Python's {@code ContextVar.set(value)}. Other tasks, and the
     * creator of the current task, do not see it.
     *
     * @param value the new value; null is a value
     * @return a token that {@link #reset} takes, in the same context, to undo this set
     */
    public Token<T> set(T value) {
        Context ctx = Context.current();
        Object old = ctx.lookup(this, MISSING);
        ctx.put(this, value);
        return new Token<>(this, ctx, old);
    }

    /**
     * Restores the value the variable had before the {@link #set} that returned {@code token}: Python's
     * {@code ContextVar.reset(token)}. If it had none, it has none again.
     *
     * @param token what {@link #set} returned, in the current context; usable once
     * @throws NullPointerException if {@code token} is null
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

        /**
         * Returns the variable this token belongs to: Python's {@code Token.var}.
         *
         * @return the variable whose {@link ContextVar#set} made this token
         */
        public ContextVar<T> var() {
            return var;
        }

        /**
         * Returns whether the variable had no value before the set: Python's
         * {@code Token.old_value is Token.MISSING}.
         *
         * @return true if it had no value in that context (its default does not count)
         */
        public boolean wasMissing() {
            return oldValue == MISSING;
        }

        @Override
        public String toString() {
            return "<Token" + (used ? " used" : "") + " var=" + var + ">";
        }
    }
}
