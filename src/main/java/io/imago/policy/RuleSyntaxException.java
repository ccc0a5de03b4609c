package io.imago.policy;

/** A check string that cannot be parsed; the message says what is wrong (no rule name: callers add it). */
public final class RuleSyntaxException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public RuleSyntaxException(String message) {
    super(message);
  }
}
