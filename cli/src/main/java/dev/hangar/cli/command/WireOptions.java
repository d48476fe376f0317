package dev.hangar.cli.command;

import dev.hangar.contracts.Adapter;
import dev.hangar.contracts.HangarException;
import dev.hangar.contracts.Mode;
import dev.hangar.contracts.Platform;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Options typed by the contracts' wire enums: parsed by their {@code fromWire} (so a bad value
 * names the allowed ones), and shown in help and completion by their wire names.
 */
final class WireOptions {
    private WireOptions() {}

    static final class AdapterConverter implements ITypeConverter<Adapter> {
        @Override
        public Adapter convert(String value) {
            return parse(Adapter::fromWire, value);
        }
    }

    static final class ModeConverter implements ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            return parse(Mode::fromWire, value);
        }
    }

    static final class PlatformConverter implements ITypeConverter<Platform> {
        @Override
        public Platform convert(String value) {
            return parse(Platform::fromWire, value);
        }
    }

    static final class Adapters extends Candidates {
        Adapters() {
            super(Adapter.values(), Adapter::wire);
        }
    }

    static final class Modes extends Candidates {
        Modes() {
            super(Mode.values(), Mode::wire);
        }
    }

    static final class Platforms extends Candidates {
        Platforms() {
            super(Platform.values(), Platform::wire);
        }
    }

    /** What {@code ${COMPLETION-CANDIDATES}} and the completion script list: the wire values. */
    abstract static class Candidates implements Iterable<String> {
        private final List<String> wire;

        <E> Candidates(E[] values, Function<E, String> wire) {
            this.wire = Arrays.stream(values).map(wire).toList();
        }

        @Override
        public Iterator<String> iterator() {
            return wire.iterator();
        }
    }

    private static <E> E parse(Function<String, E> fromWire, String value) {
        try {
            return fromWire.apply(value);
        } catch (HangarException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }
}
