package io.imago.policy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A set of named rules and their evaluation over credentials and a target (oslo.policy's
 * {@code Rules} and check classes, spec/security.md §1.1). Immutable and thread-safe.
 *
 * <p>Credentials are a map as oslo.context's {@code to_policy_values()} gives it: text, booleans,
 * null, lists (roles) and nested maps. Values compare as Python's {@code str()} renders them
 * ({@code True}, {@code None}), which is what oslo.policy compares.
 */
public final class Rules {
  private final Map<String, Check> rules;

  private Rules(Map<String, Check> rules) {
    this.rules = rules;
  }

  /**
   * @throws IllegalArgumentException when rules refer to each other in a cycle (oslo.policy would
   *     recurse until Python gives up); the message names the cycle
   */
  public static Rules of(Map<String, Check> rules) {
    Map<String, Check> copy = new LinkedHashMap<>(rules);
    rejectCycles(copy);
    return new Rules(Map.copyOf(copy));
  }

  public boolean contains(String name) {
    return rules.containsKey(name);
  }

  public Check get(String name) {
    return rules.get(name);
  }

  /** The rule names referred to with {@code rule:} that no rule defines (they evaluate {@code default}). */
  public Set<String> undefinedReferences() {
    Set<String> out = new TreeSet<>();
    for (Check c : rules.values()) {
      for (String ref : references(c)) {
        if (!rules.containsKey(ref)) {
          out.add(ref);
        }
      }
    }
    return out;
  }

  /**
   * Evaluates the named rule. An unknown name evaluates the {@code default} rule instead, as
   * oslo.policy's {@code Rules.__missing__} does (Glance's {@code default} is {@code ""}: allow;
   * the reference Glance answers 200 for {@code "get_images": "rule:nosuch"}, 403 when
   * {@code default} is {@code "!"}). Unknown names met while evaluating that fallback fail,
   * where oslo.policy would recurse forever.
   */
  public boolean enforce(String name, Map<String, Object> creds, Map<String, String> target) {
    return enforce(name, creds, target, true);
  }

  private boolean enforce(String name, Map<String, Object> creds, Map<String, String> target, boolean mayFallBack) {
    Check c = rules.get(name);
    if (c != null) {
      return evaluate(c, creds, target, mayFallBack);
    }
    Check fallback = rules.get("default");
    return mayFallBack && fallback != null && evaluate(fallback, creds, target, false);
  }

  public boolean evaluate(Check check, Map<String, Object> creds, Map<String, String> target) {
    return evaluate(check, creds, target, true);
  }

  private boolean evaluate(Check check, Map<String, Object> creds, Map<String, String> target, boolean mayFallBack) {
    if (check instanceof Check.Always) {
      return true;
    }
    if (check instanceof Check.Never) {
      return false;
    }
    if (check instanceof Check.Not n) {
      return !evaluate(n.check(), creds, target, mayFallBack);
    }
    if (check instanceof Check.And and) {
      for (Check c : and.checks()) {
        if (!evaluate(c, creds, target, mayFallBack)) {
          return false;
        }
      }
      return true;
    }
    if (check instanceof Check.Or or) {
      for (Check c : or.checks()) {
        if (evaluate(c, creds, target, mayFallBack)) {
          return true;
        }
      }
      return false;
    }
    if (check instanceof Check.RuleRef r) {
      // no cycles (checked in of()), so this recursion ends
      return enforce(r.name(), creds, target, mayFallBack);
    }
    if (check instanceof Check.Role r) {
      return role(r, creds, target);
    }
    return generic((Check.Generic) check, creds, target);
  }

  /** oslo.policy's {@code RoleCheck}: case-insensitive membership in {@code roles}. */
  private static boolean role(Check.Role r, Map<String, Object> creds, Map<String, String> target) {
    String match = CheckParser.substitute(r.match(), target);
    if (match == null || !(creds.get("roles") instanceof List<?> roles)) {
      return false;
    }
    String wanted = match.toLowerCase(Locale.ROOT);
    for (Object role : roles) {
      if (role != null && role.toString().toLowerCase(Locale.ROOT).equals(wanted)) {
        return true;
      }
    }
    return false;
  }

  /** oslo.policy's {@code GenericCheck}: a literal or a credential (dotted path) equals the match. */
  private static boolean generic(Check.Generic g, Map<String, Object> creds, Map<String, String> target) {
    String match = CheckParser.substitute(g.match(), target);
    if (match == null) {
      return false;
    }
    if (g.literal() != null) {
      return match.equals(g.literal());
    }
    return find(creds, List.of(g.kind().split("\\.", -1)), match);
  }

  private static boolean find(Object value, List<String> path, String match) {
    if (path.isEmpty()) {
      return match.equals(pythonStr(value));
    }
    if (!(value instanceof Map<?, ?> map) || !map.containsKey(path.get(0))) {
      return false;
    }
    Object next = map.get(path.get(0));
    List<String> rest = path.subList(1, path.size());
    if (next instanceof List<?> list) {
      for (Object element : list) {
        if (find(element, rest, match)) {
          return true;
        }
      }
      return false;
    }
    return find(next, rest, match);
  }

  private static String pythonStr(Object v) {
    if (v == null) {
      return "None";
    }
    if (v instanceof Boolean b) {
      return b ? "True" : "False";
    }
    return v.toString();
  }

  private static List<String> references(Check c) {
    List<String> out = new ArrayList<>();
    collect(c, out);
    return out;
  }

  private static void collect(Check c, List<String> out) {
    if (c instanceof Check.RuleRef r) {
      out.add(r.name());
    } else if (c instanceof Check.Not n) {
      collect(n.check(), out);
    } else if (c instanceof Check.And a) {
      a.checks().forEach(x -> collect(x, out));
    } else if (c instanceof Check.Or o) {
      o.checks().forEach(x -> collect(x, out));
    }
  }

  /** Depth-first search over {@code rule:} references; the first cycle found is reported. */
  private static void rejectCycles(Map<String, Check> rules) {
    Map<String, Integer> state = new HashMap<>(); // 1 = on the current path, 2 = done
    for (String start : rules.keySet()) {
      Deque<String> path = new ArrayDeque<>();
      visit(start, rules, state, path);
    }
  }

  private static void visit(String name, Map<String, Check> rules, Map<String, Integer> state, Deque<String> path) {
    Integer s = state.get(name);
    if (s != null && s == 2) {
      return;
    }
    if (s != null && s == 1) {
      List<String> cycle = new ArrayList<>();
      boolean in = false;
      for (var it = path.descendingIterator(); it.hasNext(); ) {
        String n = it.next();
        in |= n.equals(name);
        if (in) {
          cycle.add(n);
        }
      }
      cycle.add(name);
      throw new IllegalArgumentException("rules refer to each other in a cycle: " + String.join(" -> ", cycle));
    }
    Check c = rules.get(name);
    if (c == null) {
      return;
    }
    state.put(name, 1);
    path.push(name);
    for (String ref : references(c)) {
      visit(ref, rules, state, path);
    }
    path.pop();
    state.put(name, 2);
  }
}
