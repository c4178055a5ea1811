"""Turn pydantic's validation errors into problems a maintainer can act on: field, line, found and expected."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from apkb.content.front_matter import DataDocument, FieldPath, field_name, read_data_file
from apkb.content.problems import ContentError, Problem, display_path
from apkb.content.terms import SLUG_PATTERN

_PATTERN_MEANINGS = {
    SLUG_PATTERN: "a lowercase slug of letters, digits and single hyphens, such as 'targeted-sanctions'",
    r"^10\.\d{4,9}/\S+$": "a bare DOI such as '10.1017/S0020818300012345', without 'https://doi.org/'",
    r"^https?://[^\s/$.?#][^\s]*$": "an http:// or https:// address",
    r"^[A-Z]{3}$": "an ISO 3166-1 alpha-3 code in capitals, such as 'KEN'",
    r"^[^<>]+$": "plain text without '<' or '>'",
}


def validation_problems(
    shown: str, error: ValidationError, model: type[BaseModel], line_of: Callable[[FieldPath], int]
) -> list[Problem]:
    """One problem per pydantic error, each naming the line (via ``line_of``), the field, found and expected."""
    problems = []
    for detail in error.errors():
        location = _location(detail)
        problems.append(Problem(shown, _message(model, detail), line_of(location), field_name(location)))
    return problems


def _location(detail: ErrorDetails) -> FieldPath:
    """The field's path; a bad mapping key (pydantic adds ``[key]``) is named by the key itself."""
    return tuple(part for part in detail["loc"] if part != "[key]")


def _found(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _message(model: type[BaseModel], detail: ErrorDetails) -> str:
    kind = detail["type"]
    location = tuple(detail["loc"])
    context = detail.get("ctx") or {}
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        allowed = _fields_at(model, location[:-1])
        expected = f"; expected one of: {', '.join(allowed)}" if allowed else ""
        return f"unknown field{expected}"
    found = f"found {_found(detail['input'])}"
    if kind == "literal_error":
        expected = str(context["expected"]).replace(" or ", ", ").replace("'", "")
        return f"{found}; expected one of: {expected}"
    if kind == "string_pattern_mismatch":
        meaning = _PATTERN_MEANINGS.get(str(context.get("pattern")), f"text matching {context.get('pattern')}")
        return f"{found}; expected {meaning}"
    if kind in {"value_error", "assertion_error"}:
        return str(detail["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{found}; expected: {str(detail['msg']).removeprefix('Input should be ').lower()}"


def model_of(annotation: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as ``list[Study]`` or ``Period | None``."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for argument in typing.get_args(annotation):
        if isinstance(argument, (type, types.GenericAlias)) or typing.get_args(argument):
            found = model_of(argument)
            if found is not None:
                return found
    return None


def _fields_at(model: type[BaseModel], location: tuple[str | int, ...]) -> list[str]:
    """The field names allowed at ``location`` inside ``model``."""
    current: type[BaseModel] | None = model
    for part in location:
        if isinstance(part, int) or current is None:
            continue
        info = current.model_fields.get(part)
        current = model_of(info.annotation) if info else None
    return list(current.model_fields) if current else []


ModelT = typing.TypeVar("ModelT", bound=BaseModel)


@dataclass
class LoadedData(typing.Generic[ModelT]):
    """A data file validated as a model: the value (None if the file is absent or wrong), the document it came from
    (for line numbers), and what is wrong with it."""

    value: ModelT | None
    document: DataDocument | None
    problems: list[Problem] = field(default_factory=list)


def load_data_model(path: Path, model: type[ModelT]) -> LoadedData[ModelT]:
    """Read an optional YAML data file and validate it as ``model``; a missing file gives no value and no problem.
    Each problem names the file, the line and the field."""
    if not path.is_file():
        return LoadedData(None, None)
    try:
        document = read_data_file(path)
    except ContentError as error:
        return LoadedData(None, None, error.problems)
    try:
        return LoadedData(model.model_validate(document.data), document)
    except ValidationError as error:
        return LoadedData(None, document, validation_problems(display_path(path), error, model, document.line_of))
