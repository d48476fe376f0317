package dev.hangar.contracts;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The one rule for enumerations on the wire: each value is its lower-case name ({@code @JsonValue}),
 * and an unknown value is {@link ErrorCode#ERR_OPTION_INVALID} naming the field and every allowed
 * value. In JSON, Jackson reads the names itself, so a lenient reader (an older client with
 * {@code READ_UNKNOWN_ENUM_VALUES_AS_NULL}) still reads a record that has a newer value; the
 * strict readers turn Jackson's refusal into that error with {@link #unknownValue}.
 */
final class WireEnums {
    private WireEnums() {}

    /** The {@link ErrorCode#ERR_OPTION_INVALID} for a JSON value none of an enum's, if that is what {@code e} is. */
    static java.util.Optional<HangarException> unknownValue(Throwable e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.InvalidFormatException f && f.getTargetType() != null
                && f.getTargetType().isEnum() && f.getTargetType().getPackageName().equals(WireEnums.class.getPackageName())) {
            String field = f.getPath().isEmpty() || f.getPath().get(f.getPath().size() - 1).getFieldName() == null
                    ? "value" : f.getPath().get(f.getPath().size() - 1).getFieldName();
            @SuppressWarnings("unchecked")
            var type = (Class<? extends Enum<?>>) f.getTargetType();
            return java.util.Optional.of(new HangarException(ErrorCode.ERR_OPTION_INVALID,
                    field + " '" + f.getValue() + "' is not one of " + allowed(type)));
        }
        return java.util.Optional.empty();
    }

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
