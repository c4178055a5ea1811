"""The JSON Schemas of entries and risk profiles (draft 2020-12), generated from the pydantic models themselves, for
editors, other tools and the site's open data."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from apkb.content.model import Lesson, Tool
from apkb.content.profile import Profile
from apkb.content.terms import _unique

SCHEMAS: dict[str, tuple[type[BaseModel], str, str]] = {
    "tool": (
        Tool, "Atrocity Prevention Knowledge Base: tool",
        "The front matter of a tool entry (toolkit/<category>/<id>.md), and of each item of 'tools' in "
        "api/catalog.json (whose extra keys kind, url, body and derived are not front matter).",
    ),
    "lesson": (
        Lesson, "Atrocity Prevention Knowledge Base: lesson",
        "The front matter of a lesson entry (lessons/<id>.md), and of each item of 'lessons' in "
        "api/catalog.json (whose extra keys kind, url, body and derived are not front matter).",
    ),
    "profile": (
        Profile, "Atrocity Prevention Knowledge Base: risk profile",
        "A country's risk profile, the input to 'apkb recommend' and the site's Recommend tools page "
        "(YAML or JSON).",
    ),
}
"""Each exported schema: its model, title and description, by name (api/schema/<name>.schema.json)."""


def schema_file_name(name: str) -> str:
    """``tool.schema.json`` and so on: the file name of a named schema, here and on the site."""
    return f"{name}.schema.json"


def schema_text(name: str) -> str:
    """The named schema as it is published: indented JSON with a final newline."""
    return json.dumps(json_schema(name), ensure_ascii=False, indent=2) + "\n"



class _SchemaGenerator(GenerateJsonSchema):
    """Pydantic's generator, which also marks the lists the models require to be free of repeats."""

    def function_after_schema(self, schema: core_schema.AfterValidatorFunctionSchema) -> JsonSchemaValue:
        json_schema = super().function_after_schema(schema)
        if schema["function"].get("function") is _unique and json_schema.get("type") == "array":
            json_schema["uniqueItems"] = True
        return json_schema


def json_schema(name: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a named model, generated from the pydantic model itself.

    Its ``$id`` is relative, so it resolves to wherever the file is published.
    """
    model, title, description = SCHEMAS[name]
    generated = model.model_json_schema(schema_generator=_SchemaGenerator)
    generated.pop("title", None)
    generated.pop("description", None)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{name}.schema.json",
        "title": title,
        "description": description,
        **generated,
    }
