"""The pack format as readable text, generated from the pydantic models of :mod:`questions.schema`.

``quizbot questions schema`` prints it: one section per model (the pack, a question, a choice…),
one line per field with its type, ``required`` or its default, and its description.
"""

from __future__ import annotations

import types
from typing import Annotated, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from questions.schema import Pack

__all__ = ["schema_reference"]

_NAMES = {str: "text", bool: "true | false", float: "number", int: "whole number"}


def _type_name(annotation: object, nested: list[type[BaseModel]]) -> str:
    """A YAML author's name for ``annotation``; models met on the way are added to ``nested``."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _type_name(args[0], nested)
    if origin is Literal:
        return " | ".join(str(arg) for arg in args)
    if origin in (Union, types.UnionType):
        return " | ".join(_type_name(arg, nested) for arg in args if arg is not type(None))
    if origin is list:
        return f"list of {_type_name(args[0], nested)}"
    if origin is tuple:
        return "[" + ", ".join(_type_name(arg, nested) for arg in args) + "]"
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in nested:
            nested.append(annotation)
        return annotation.__name__
    return _NAMES.get(annotation, str(annotation)) if isinstance(annotation, type) else "text"


def _presence(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    if field.default_factory is not None:
        return "default: " + repr(field.default_factory()).replace("'", "")  # type: ignore[call-arg]
    if field.default is None:
        return "optional"
    return f"default: {str(field.default).lower()}"


def _section(model: type[BaseModel], nested: list[type[BaseModel]]) -> list[str]:
    rows = [
        (name, _type_name(field.annotation, nested), _presence(field), field.description or "")
        for name, field in model.model_fields.items()
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    summary = (model.__doc__ or "").strip().splitlines()[0]
    lines = [f"{model.__name__}: {summary}"]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append(("  " + "  ".join([*cells, row[3]])).rstrip())
    return lines


def schema_reference() -> str:
    """Every model of the pack format, the pack first, each field on one line."""
    nested: list[type[BaseModel]] = [Pack]
    lines = ["The question pack format (YAML), field by field:", ""]
    done = 0
    while done < len(nested):
        lines += [*_section(nested[done], nested), ""]
        done += 1
    lines.append(
        "Check a pack with 'quizbot questions validate DIR'; start one with "
        "'quizbot questions new'."
    )
    return "\n".join(lines)
