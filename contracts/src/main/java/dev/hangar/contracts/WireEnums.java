package dev.hangar.contracts;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one rule for enumerations on the wire: each value is its lower-case name, and an unknown
 * value is {@link ErrorCode#ERR_OPTION_INVALID} naming the field and every allowed value.
 */
final class WireEnums {
    private WireEnums() {}

    static String wire(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    static <E extends Enum<E>> E parse(Class<E> type, String field, String value) {
        if (value != null) {
            for (E e : type.getEnumConstants()) {
                if (wire(e).equals(value)) {
                    return e;
                }
            }
        }
        throw new HangarException(ErrorCode.ERR_OPTION_INVALID, field + " '" + value + "' is not one of " + allowed(type));
    }

    /** The wire values, sorted, comma-separated: for messages and help texts. */
    static String allowed(Class<? extends Enum<?>> type) {
        return Arrays.stream(type.getEnumConstants()).map(WireEnums::wire).sorted().collect(Collectors.joining(", "));
    }
}
