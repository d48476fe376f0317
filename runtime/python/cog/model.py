"""cog.BaseModel: a structured output (or training output) with named, typed fields."""

import dataclasses
import typing


def _is_optional(annotation) -> bool:
    return type(None) in typing.get_args(annotation)


class BaseModel:
    """Subclass it and annotate fields; build instances with keyword arguments.

    ```python
    class Output(BaseModel):
        text: str
        score: Optional[float]
    ```

    Each subclass becomes a keyword-only dataclass; an `Optional[...]` field without a default
    defaults to None, so it may be left out, as Cog's docs show. The runtime returns an instance
    as a JSON object of its fields.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():
            if not hasattr(cls, name) and _is_optional(annotation):
                setattr(cls, name, None)
        dataclasses.dataclass(kw_only=True)(cls)
