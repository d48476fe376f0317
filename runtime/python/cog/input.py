"""Input(): the metadata of one predict() parameter, as Cog's `cog.Input`."""

from dataclasses import dataclass
from typing import Any, List, Optional, Union


class _Missing:
    """The default of an Input() that has none: the input is then required."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


@dataclass(frozen=True)
class FieldInfo:
    """What Input() returns: a marker the runtime reads from predict()'s signature."""

    default: Any = MISSING
    description: Optional[str] = None
    ge: Optional[Union[int, float]] = None
    le: Optional[Union[int, float]] = None
    min_length: Optional[int] = None
    max_length: Optional[int] = None
    regex: Optional[str] = None
    choices: Optional[List[Union[str, int]]] = None
    deprecated: Optional[bool] = None


def Input(  # noqa: N802 -- Cog's public name
    default: Any = MISSING,
    description: Optional[str] = None,
    ge: Optional[Union[int, float]] = None,
    le: Optional[Union[int, float]] = None,
    min_length: Optional[int] = None,
    max_length: Optional[int] = None,
    regex: Optional[str] = None,
    choices: Optional[List[Union[str, int]]] = None,
    deprecated: Optional[bool] = None,
) -> Any:
    """Describes one predict() parameter: `scale: float = Input(description="...", default=1.5, ge=1, le=10)`.

    Without `default` the input is required; `default=None` makes it optional. `ge`/`le` bound
    numbers, `min_length`/`max_length`/`regex` constrain strings, `choices` lists the allowed
    values of a str or int input, and `deprecated=True` marks an input tools should warn about.
    """
    return FieldInfo(default, description, ge, le, min_length, max_length, regex,
                     list(choices) if choices is not None else None, deprecated)
