package io.imago.policy;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Parses oslo.policy check strings (spec/security.md §1.1) into {@link Check}s.
 *
 * <p>Tokens are split exactly as oslo.policy's {@code _parse_tokenize} does: on white space, with
 * leading {@code (} and trailing {@code )} of each token split off, and {@code and}/{@code or}/
 * {@code not} recognised case-insensitively. Precedence is oslo's: {@code not} binds tighter than
 * {@code and}, which binds tighter than {@code or}; parentheses group.
 *
 * <p>Deliberately stricter than oslo.policy, which logs and turns anything it cannot parse into
 * a check that always fails: here every such rule is an error, so that a typo in a policy file
 * stops the service at start instead of silently denying (or, under {@code not}, allowing).
 * Remote {@code http:}/{@code https:} checks are not supported.
 */
public final class CheckParser {
  /** {@code %(name)s} references and {@code %%}: the only formatting Python would accept here. */
  private static final Pattern FORMAT = Pattern.compile("%\\((?<name>[^)]*)\\)s|%%");
  private static final Pattern INTEGER = Pattern.compile("[+-]?(0|[1-9][0-9]*)");
  private static final Pattern FLOAT = Pattern.compile("[+-]?([0-9]+\\.[0-9]*|\\.[0-9]+)");

  private final String text;
  private final List<Object> tokens;
  private int pos;

  private CheckParser(String text) {
    this.text = text;
    this.tokens = tokenize(text);
  }

  /** Parses one check string; the empty string is {@link Check.Always}. */
  public static Check parse(String text) {
    if (text.isEmpty()) {
      return new Check.Always();
    }
    CheckParser p = new CheckParser(text);
    if (p.tokens.isEmpty()) {
      throw new RuleSyntaxException("the rule is blank (write \"\" to allow everyone, \"!\" to allow nobody)");
    }
    Check c = p.orExpr();
    if (p.pos < p.tokens.size()) {
      throw new RuleSyntaxException("unexpected " + describe(p.tokens.get(p.pos)) + " in \"" + text + "\"");
    }
    return c;
  }

  /**
   * oslo.policy's old list syntax, still accepted in JSON files: a list of lists, where the outer
   * list is an {@code or} of {@code and}s of check strings; an empty list allows.
   */
  public static Check parseList(List<?> list) {
    if (list.isEmpty()) {
      return new Check.Always();
    }
    List<Check> alternatives = new ArrayList<>();
    for (Object inner : list) {
      List<Check> all = new ArrayList<>();
      if (inner instanceof String s) {
        all.add(parseSingle(s));
      } else if (inner instanceof List<?> l && !l.isEmpty()) {
        for (Object o : l) {
          if (!(o instanceof String s)) {
            throw new RuleSyntaxException("a list rule holds lists of check strings, not " + o);
          }
          all.add(parseSingle(s));
        }
      } else {
        throw new RuleSyntaxException("a list rule holds lists of check strings, not " + inner);
      }
      alternatives.add(all.size() == 1 ? all.get(0) : new Check.And(all));
    }
    return alternatives.size() == 1 ? alternatives.get(0) : new Check.Or(alternatives);
  }

  /** An element of a list rule is one check, no operators (oslo's {@code _parse_check}). */
  private static Check parseSingle(String s) {
    return check(s.strip());
  }

  private Check orExpr() {
    List<Check> checks = new ArrayList<>();
    checks.add(andExpr());
    while (peek("or")) {
      pos++;
      checks.add(andExpr());
    }
    return checks.size() == 1 ? checks.get(0) : new Check.Or(checks);
  }

  private Check andExpr() {
    List<Check> checks = new ArrayList<>();
    checks.add(unary());
    while (peek("and")) {
      pos++;
      checks.add(unary());
    }
    return checks.size() == 1 ? checks.get(0) : new Check.And(checks);
  }

  private Check unary() {
    if (pos >= tokens.size()) {
      throw new RuleSyntaxException("\"" + text + "\" ends where a check was expected");
    }
    Object t = tokens.get(pos++);
    if ("not".equals(t)) {
      return new Check.Not(unary());
    }
    if ("(".equals(t)) {
      Check inner = orExpr();
      if (!peek(")")) {
        throw new RuleSyntaxException("unbalanced parenthesis in \"" + text + "\"");
      }
      pos++;
      return inner;
    }
    if (t instanceof Check c) {
      return c;
    }
    throw new RuleSyntaxException("unexpected " + describe(t) + " in \"" + text + "\"");
  }

  private boolean peek(String keyword) {
    return pos < tokens.size() && keyword.equals(tokens.get(pos));
  }

  private static String describe(Object token) {
    if (token instanceof Check c) {
      return "check \"" + c + "\"";
    }
    return "\"" + token + "\"";
  }

  /** oslo.policy's {@code _parse_tokenize}: keywords and parentheses as strings, checks parsed. */
  private static List<Object> tokenize(String rule) {
    List<Object> out = new ArrayList<>();
    for (String tok : rule.strip().split("\\s+")) {
      if (tok.isEmpty()) {
        continue;
      }
      int lead = 0;
      while (lead < tok.length() && tok.charAt(lead) == '(') {
        out.add("(");
        lead++;
      }
      String clean = tok.substring(lead);
      if (clean.isEmpty()) {
        continue;
      }
      int end = clean.length();
      while (end > 0 && clean.charAt(end - 1) == ')') {
        end--;
      }
      int trail = clean.length() - end;
      String core = clean.substring(0, end);
      String lowered = core.toLowerCase(Locale.ROOT);
      if (lowered.equals("and") || lowered.equals("or") || lowered.equals("not")) {
        out.add(lowered);
      } else if (!core.isEmpty()) {
        if (clean.length() >= 2 && isQuoted(clean)) {
          throw new RuleSyntaxException("a quoted string (" + clean + ") is not a check; did you mean '"
              + clean.substring(1, clean.length() - 1) + "':%(attribute)s?");
        }
        out.add(check(core));
      }
      for (int i = 0; i < trail; i++) {
        out.add(")");
      }
    }
    return out;
  }

  private static boolean isQuoted(String s) {
    char a = s.charAt(0);
    char b = s.charAt(s.length() - 1);
    return (a == '"' && b == '"') || (a == '\'' && b == '\'');
  }

  /** oslo.policy's {@code _parse_check}: one check without operators. */
  static Check check(String rule) {
    if (rule.equals("!")) {
      return new Check.Never();
    }
    if (rule.equals("@")) {
      return new Check.Always();
    }
    int colon = rule.indexOf(':');
    if (colon < 0) {
      throw new RuleSyntaxException("\"" + rule + "\" is not a check (expected <kind>:<value>, \"@\" or \"!\")");
    }
    String kind = rule.substring(0, colon);
    String match = rule.substring(colon + 1);
    if (kind.isEmpty()) {
      throw new RuleSyntaxException("\"" + rule + "\" has no kind before ':'");
    }
    checkFormat(rule, match);
    return switch (kind) {
      case "role" -> new Check.Role(match);
      case "rule" -> {
        if (match.isEmpty()) {
          throw new RuleSyntaxException("\"" + rule + "\" names no rule");
        }
        yield new Check.RuleRef(match);
      }
      case "http", "https" -> throw new RuleSyntaxException("remote checks (\"" + rule + "\") are not supported");
      default -> new Check.Generic(kind, match, literal(kind));
    };
  }

  /** Python's {@code %} operator accepts only {@code %(name)s} and {@code %%} here (any other use would fail). */
  private static void checkFormat(String rule, String match) {
    String rest = FORMAT.matcher(match).replaceAll("");
    if (rest.contains("%")) {
      throw new RuleSyntaxException("\"" + rule + "\": only %(name)s may refer to the target");
    }
  }

  /** The text of {@code kind} when it is a Python literal, as {@code str()} renders it; else null. */
  private static String literal(String kind) {
    if (kind.length() >= 2 && isQuoted(kind)) {
      return kind.substring(1, kind.length() - 1);
    }
    if (kind.equals("True") || kind.equals("False") || kind.equals("None")) {
      return kind;
    }
    if (INTEGER.matcher(kind).matches()) {
      return Long.toString(Long.parseLong(kind.startsWith("+") ? kind.substring(1) : kind));
    }
    if (FLOAT.matcher(kind).matches()) {
      return Double.toString(Double.parseDouble(kind));
    }
    return null;
  }

  /**
   * {@code match} with each {@code %(name)s} replaced by the target's value (and {@code %%} by
   * {@code %}); null when the target lacks a name (oslo.policy: the check fails).
   */
  static String substitute(String match, java.util.Map<String, String> target) {
    if (match.indexOf('%') < 0) {
      return match;
    }
    var m = FORMAT.matcher(match);
    StringBuilder b = new StringBuilder();
    int last = 0;
    while (m.find()) {
      b.append(match, last, m.start());
      String name = m.group("name");
      if (name == null) {
        b.append('%');
      } else {
        String v = target.get(name);
        if (v == null) {
          return null;
        }
        b.append(v);
      }
      last = m.end();
    }
    return b.append(match, last, match.length()).toString();
  }
}
