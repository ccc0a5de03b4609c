package io.imago.policy;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A parsed oslo.policy check string (spec/security.md §1.1): the small AST {@link CheckParser}
 * builds and {@link Rules} evaluates.
 */
public sealed interface Check {
  /** {@code ""} or {@code @}: always passes. */
  record Always() implements Check {
    @Override
    public String toString() {
      return "@";
    }
  }

  /** {@code !}: never passes. */
  record Never() implements Check {
    @Override
    public String toString() {
      return "!";
    }
  }

  /**
   * {@code role:<match>}: the caller holds the role, compared case-insensitively (oslo.policy's
   * {@code RoleCheck}); {@code match} may name target attributes as {@code %(name)s}.
   */
  record Role(String match) implements Check {
    public Role {
      requireNonNull(match, "match");
    }

    @Override
    public String toString() {
      return "role:" + match;
    }
  }

  /** {@code rule:<name>}: another named rule; an unknown name fails, as in oslo.policy. */
  record RuleRef(String name) implements Check {
    public RuleRef {
      requireNonNull(name, "name");
    }

    @Override
    public String toString() {
      return "rule:" + name;
    }
  }

  /**
   * oslo.policy's {@code GenericCheck} {@code <kind>:<match>}: {@code match} (with
   * {@code %(name)s} taken from the target) equals either the literal {@code kind} (a quoted
   * string, {@code True}, {@code False}, {@code None} or a number) or the credential {@code kind}
   * names (a dotted path into the credentials; a list credential matches when any element does).
   *
   * @param literal the literal's text as Python's {@code str()} would render it, or null when
   *     {@code kind} names a credential
   */
  record Generic(String kind, String match, String literal) implements Check {
    public Generic {
      requireNonNull(kind, "kind");
      requireNonNull(match, "match");
    }

    @Override
    public String toString() {
      return kind + ":" + match;
    }
  }

  /** {@code not X}. */
  record Not(Check check) implements Check {
    @Override
    public String toString() {
      return "not " + check;
    }
  }

  /** {@code X and Y and ...}. */
  record And(List<Check> checks) implements Check {
    public And {
      checks = List.copyOf(checks);
    }

    @Override
    public String toString() {
      return "(" + String.join(" and ", checks.stream().map(Object::toString).toList()) + ")";
    }
  }

  /** {@code X or Y or ...}. */
  record Or(List<Check> checks) implements Check {
    public Or {
      checks = List.copyOf(checks);
    }

    @Override
    public String toString() {
      return "(" + String.join(" or ", checks.stream().map(Object::toString).toList()) + ")";
    }
  }
}
