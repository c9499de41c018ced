package dev.aegaeon.runtime.tokenizer;

import com.hubspot.jinjava.interpret.JinjavaInterpreter;
import com.hubspot.jinjava.lib.filter.AdvancedFilter;

import java.time.LocalDateTime;
import java.util.Map;

/** The globals and filter transformers adds to a chat template's Jinja environment. */
final class TemplateFunctions {
    private TemplateFunctions() {}

    /** {@code raise_exception(msg)}: the template refuses the conversation. */
    public static Object raiseException(Object message) {
        throw new ChatTemplateException(String.valueOf(message));
    }

    /** {@code strftime_now(fmt)}: the current local time in Python strftime format. */
    public static String strftimeNow(String format) {
        return strftime(LocalDateTime.now(), format);
    }

    static String strftime(LocalDateTime t, String format) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 == format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            String month = t.getMonth().getDisplayName(java.time.format.TextStyle.FULL, java.util.Locale.ENGLISH);
            String day = t.getDayOfWeek().getDisplayName(java.time.format.TextStyle.FULL, java.util.Locale.ENGLISH);
            switch (d) {
                case 'd' -> sb.append(String.format("%02d", t.getDayOfMonth()));
                case 'm' -> sb.append(String.format("%02d", t.getMonthValue()));
                case 'Y' -> sb.append(t.getYear());
                case 'y' -> sb.append(String.format("%02d", t.getYear() % 100));
                case 'b' -> sb.append(month, 0, 3);
                case 'B' -> sb.append(month);
                case 'a' -> sb.append(day, 0, 3);
                case 'A' -> sb.append(day);
                case 'H' -> sb.append(String.format("%02d", t.getHour()));
                case 'M' -> sb.append(String.format("%02d", t.getMinute()));
                case 'S' -> sb.append(String.format("%02d", t.getSecond()));
                case 'j' -> sb.append(String.format("%03d", t.getDayOfYear()));
                case '%' -> sb.append('%');
                default -> sb.append('%').append(d);
            }
        }
        return sb.toString();
    }

    /** transformers' {@code tojson}: Python json.dumps with ensure_ascii=False and an optional indent. */
    static final class ToJsonFilter implements AdvancedFilter {
        @Override
        public String getName() { return "tojson"; }

        @Override
        public Object filter(Object var, JinjavaInterpreter interpreter, Object[] args, Map<String, Object> kwargs) {
            Object indent = kwargs.get("indent");
            if (indent == null && args.length > 0) indent = args[0];
            return PythonJson.dumps(var, indent instanceof Number n ? n.intValue() : null);
        }
    }

    /** Jinja2's {@code iterable} test: strings, maps and sequences are iterable (Jinjava says no for strings). */
    static final class IterableTest implements com.hubspot.jinjava.lib.exptest.ExpTest {
        @Override
        public String getName() { return "iterable"; }

        @Override
        public boolean evaluate(Object var, JinjavaInterpreter interpreter, Object... args) {
            return var instanceof CharSequence || var instanceof Iterable<?> || var instanceof Map<?, ?>
                    || (var != null && var.getClass().isArray());
        }
    }
}
