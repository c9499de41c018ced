package dev.aegaeon.runtime.tokenizer;

import java.util.ArrayList;
import java.util.List;

/**
 * The Python {@code str} methods HF chat templates call ({@code content.strip()},
 * {@code .split('</think>')[-1]}, {@code .startswith(...)}), with Python's semantics, which
 * differ from Java's same-named methods (e.g. whitespace sets, literal split separators).
 */
final class PythonStrings {
    private PythonStrings() {}

    /** True when {@code name} is a method this class implements for strings. */
    static boolean supports(String name) {
        return switch (name) {
            case "strip", "lstrip", "rstrip", "startswith", "endswith", "split", "rsplit", "upper", "lower",
                 "title", "capitalize", "replace", "find", "count", "isspace", "isdigit", "isalpha" -> true;
            default -> false;
        };
    }

    static Object invoke(String s, String name, Object[] args) {
        return switch (name) {
            case "strip" -> rstrip(lstrip(s, arg(args, 0)), arg(args, 0));
            case "lstrip" -> lstrip(s, arg(args, 0));
            case "rstrip" -> rstrip(s, arg(args, 0));
            case "startswith" -> anyMatch(args, p -> s.startsWith(p));
            case "endswith" -> anyMatch(args, p -> s.endsWith(p));
            case "split" -> split(s, arg(args, 0), maxSplit(args));
            case "rsplit" -> rsplit(s, arg(args, 0), maxSplit(args));
            case "upper" -> s.toUpperCase(java.util.Locale.ROOT);
            case "lower" -> s.toLowerCase(java.util.Locale.ROOT);
            case "capitalize" -> s.isEmpty() ? s : s.substring(0, 1).toUpperCase(java.util.Locale.ROOT)
                    + s.substring(1).toLowerCase(java.util.Locale.ROOT);
            case "title" -> title(s);
            case "replace" -> s.replace(String.valueOf(args[0]), String.valueOf(args[1]));
            case "find" -> s.indexOf(String.valueOf(args[0]));
            case "count" -> count(s, String.valueOf(args[0]));
            case "isspace" -> !s.isEmpty() && s.chars().allMatch(PythonStrings::isSpace);
            case "isdigit" -> !s.isEmpty() && s.chars().allMatch(Character::isDigit);
            case "isalpha" -> !s.isEmpty() && s.chars().allMatch(Character::isLetter);
            default -> throw new IllegalArgumentException("unsupported str method " + name);
        };
    }

    private static String arg(Object[] args, int i) {
        return args == null || args.length <= i || args[i] == null ? null : String.valueOf(args[i]);
    }

    private static int maxSplit(Object[] args) {
        return args != null && args.length > 1 && args[1] instanceof Number n ? n.intValue() : -1;
    }

    private static boolean anyMatch(Object[] args, java.util.function.Predicate<String> test) {
        Object a = args[0];
        if (a instanceof Iterable<?> it) { // Python accepts a tuple of prefixes
            for (Object o : it) if (test.test(String.valueOf(o))) return true;
            return false;
        }
        return test.test(String.valueOf(a));
    }

    /** Python's str.isspace() set: Unicode whitespace plus the ASCII separators 0x1c..0x1f. */
    static boolean isSpace(int c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == 0x85;
    }

    private static boolean strippable(char c, String chars) {
        return chars == null ? isSpace(c) : chars.indexOf(c) >= 0;
    }

    static String lstrip(String s, String chars) {
        int i = 0;
        while (i < s.length() && strippable(s.charAt(i), chars)) i++;
        return s.substring(i);
    }

    static String rstrip(String s, String chars) {
        int j = s.length();
        while (j > 0 && strippable(s.charAt(j - 1), chars)) j--;
        return s.substring(0, j);
    }

    static List<String> split(String s, String sep, int maxSplit) {
        List<String> out = new ArrayList<>();
        if (sep == null) { // runs of whitespace, no empty strings
            int i = 0, n = s.length();
            while (true) {
                while (i < n && isSpace(s.charAt(i))) i++;
                if (i >= n) break;
                if (maxSplit >= 0 && out.size() == maxSplit) {
                    out.add(rstrip(s.substring(i), null));
                    break;
                }
                int j = i;
                while (j < n && !isSpace(s.charAt(j))) j++;
                out.add(s.substring(i, j));
                i = j;
            }
            return out;
        }
        if (sep.isEmpty()) throw new IllegalArgumentException("empty separator");
        int start = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int k = s.indexOf(sep, start);
            if (k < 0) break;
            out.add(s.substring(start, k));
            start = k + sep.length();
        }
        out.add(s.substring(start));
        return out;
    }

    static List<String> rsplit(String s, String sep, int maxSplit) {
        if (sep == null || maxSplit < 0) return split(s, sep, maxSplit);
        List<String> out = new ArrayList<>();
        int end = s.length();
        while (out.size() < maxSplit) {
            int k = s.lastIndexOf(sep, end - sep.length());
            if (k < 0) break;
            out.addFirst(s.substring(k + sep.length(), end));
            end = k;
        }
        out.addFirst(s.substring(0, end));
        return out;
    }

    private static int count(String s, String sub) {
        if (sub.isEmpty()) return s.length() + 1;
        int n = 0;
        for (int i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length())) n++;
        return n;
    }

    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean prevCased = false;
        for (char c : s.toCharArray()) {
            sb.append(prevCased ? Character.toLowerCase(c) : Character.toUpperCase(c));
            prevCased = Character.isLetter(c);
        }
        return sb.toString();
    }
}
