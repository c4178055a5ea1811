"""The open-data exports: complete, faithful to the entries, readable by standard tools, and documented."""

from __future__ import annotations

import copy
import csv
import datetime
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from apkb.content.catalog import Catalog
from apkb.content.front_matter import read_front_matter
from apkb.content.model import Lesson, Tool
from apkb.content.schema import SCHEMAS
from apkb.content.validate import validate
from apkb.content.vocabulary import vocabularies
from apkb.site.exports import (
    CATALOG_JSON,
    ENVELOPE_KEYS,
    STUDIES_CSV,
    STUDY_COLUMNS,
    TOOL_COLUMNS,
    TOOLS_CSV,
    catalog_from_json,
    export_files,
    schema_path,
)
from conftest import REPO

SCENARIOS = sorted((REPO / "docs" / "training" / "scenarios").glob("*.yml"))


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    report = validate(REPO)
    assert report.ok, report.problems
    return report.catalog


@pytest.fixture(scope="module")
def files(catalog: Catalog) -> dict[str, str]:
    return {page.path: page.content for page in export_files(catalog)}


@pytest.fixture(scope="module")
def data(files: dict[str, str]) -> dict[str, Any]:
    return json.loads(files[CATALOG_JSON])


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _validator(files: dict[str, str], name: str) -> Draft202012Validator:
    schema = json.loads(files[schema_path(name)])
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _as_json(value: object) -> object:
    """YAML reads an unquoted date as a date; in JSON, which the schemas describe, it is a string."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")


def _errors(validator: Draft202012Validator, instance: object) -> list[str]:
    return [f"{'.'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(instance)]


# The build


def test_the_site_build_publishes_every_export_as_generated(real_site: Path, files: dict[str, str]) -> None:
    expected = {CATALOG_JSON, TOOLS_CSV, STUDIES_CSV, *(schema_path(name) for name in SCHEMAS)}
    assert set(files) == expected
    for path, content in files.items():
        assert (real_site / path).read_bytes() == content.encode("utf-8"), path


def test_the_open_data_page_links_to_every_file(real_site: Path, files: dict[str, str]) -> None:
    page = (real_site / "data.html").read_text(encoding="utf-8")
    for path in files:
        assert f'href="{path}"' in page, path


# catalog.json


def test_catalog_json_rebuilds_every_entry_exactly(catalog: Catalog, data: dict[str, Any]) -> None:
    rebuilt = catalog_from_json(data)
    assert list(rebuilt.tools) == list(catalog.tools) and list(rebuilt.lessons) == list(catalog.lessons)
    for original in catalog.entries():
        copy_ = rebuilt.get(original.id)
        assert copy_ is not None and type(copy_) is type(original)
        assert copy_.model_dump() == original.model_dump(), original.id
        assert copy_.body == original.body and copy_.body.startswith("## "), original.id
    assert rebuilt.aliases == catalog.aliases


def test_each_item_is_its_front_matter_plus_kind_url_body_and_derived(
    catalog: Catalog, data: dict[str, Any], real_site: Path
) -> None:
    assert data["version"] == 1 and data["generator"].startswith("apkb")
    for key, model, kind in (("tools", Tool, "tool"), ("lessons", Lesson, "lesson")):
        assert not set(ENVELOPE_KEYS) & set(model.model_fields), "an envelope key would hide a front matter field"
        for item in data[key]:
            assert set(item) == set(model.model_fields) | set(ENVELOPE_KEYS), item["id"]
            assert item["kind"] == kind
            assert (real_site / item["url"]).is_file(), item["url"]
    mediation = next(item for item in data["tools"] if item["id"] == "mediation")
    assert mediation["url"] == "toolkit/mediation.html"
    assert mediation["drafted"] == catalog.tools["mediation"].drafted.isoformat()
    assert next(item for item in data["lessons"] if item["id"] == "kenya-2008")["url"] == "lessons/kenya-2008.html"


def test_derived_values_agree_with_the_catalog(catalog: Catalog, data: dict[str, Any]) -> None:
    for item in data["tools"]:
        tool, derived = catalog.tools[item["id"]], item["derived"]
        studies = tool.evidence.studies
        assert derived["studies"] == len(studies) == derived["direct_studies"] + derived["related_studies"]
        assert derived["direct_studies"] == sum(study.measures == "direct" for study in studies)
        assert derived["verified_studies"] == sum(study.verified for study in studies)
        assert [lesson["id"] for lesson in derived["lessons"]] == [
            use.lesson.id for use in catalog.lessons_using(tool.id)
        ]
        assert derived["related"] == [other.id for other in catalog.related(tool)]
    used = {item["id"]: item["derived"]["lessons"] for item in data["tools"]}
    assert any(used.values()), "some tool is used in some lesson"
    for lesson in catalog.lessons.values():
        for use in lesson.tools_used:
            assert {"id": lesson.id, "outcome": use.outcome} in used[catalog.tool(use.tool).id]  # type: ignore[union-attr]


def test_catalog_from_json_refuses_an_unknown_version_and_an_invalid_entry(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="version 2"):
        catalog_from_json({**data, "version": 2})
    broken = copy.deepcopy(data)
    broken["tools"][0]["stages"] = ["sometime"]
    with pytest.raises(ValidationError, match="stages"):
        catalog_from_json(broken)


# CSV


def test_tools_csv_has_a_row_per_tool_that_matches_the_catalog(catalog: Catalog, files: dict[str, str]) -> None:
    text = files[TOOLS_CSV]
    assert text.splitlines()[0] == ",".join(TOOL_COLUMNS)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    rows = _rows(text)
    assert [row["id"] for row in rows] == list(catalog.tools)
    for row in rows:
        tool = catalog.tools[row["id"]]
        assert row["title"] == tool.title and row["summary"] == tool.summary
        assert row["stages"].split(";") == tool.stages and row["actors"].split(";") == tool.actors
        assert row["effect"] == tool.evidence.effect and row["certainty"] == tool.evidence.certainty
        assert int(row["studies"]) == len(tool.evidence.studies)
        assert int(row["verified_studies"]) == sum(study.verified for study in tool.evidence.studies)
        assert int(row["direct_studies"]) == tool.evidence.direct_studies
        assert row["lessons"] == ";".join(use.lesson.id for use in catalog.lessons_using(tool.id))
        assert row["url"] == f"toolkit/{tool.id}.html"
    assert any("," in row["summary"] for row in rows), "the quoting of commas is exercised"


def test_studies_csv_has_a_row_per_study_with_its_tool(catalog: Catalog, files: dict[str, str]) -> None:
    rows = _rows(files[STUDIES_CSV])
    assert tuple(rows[0]) == STUDY_COLUMNS
    expected = [(tool, study) for tool in catalog.tools.values() for study in tool.evidence.studies]
    assert len(rows) == len(expected)
    for row, (tool, study) in zip(rows, expected, strict=True):
        assert (row["tool_id"], row["tool_title"]) == (tool.id, tool.title)
        assert (row["authors"], int(row["year"]), row["title"]) == (study.authors, study.year, study.title)
        assert row["finding"] == study.finding and row["measures"] == study.measures
        assert row["doi"] == (study.doi or "") and row["url"] == (study.url or "")
        assert row["verified"] == ("true" if study.verified else "false")
    assert {row["verified"] for row in rows} == {"true", "false"}


# JSON Schemas


def test_the_schemas_are_identified_described_and_carry_the_vocabularies(files: dict[str, str]) -> None:
    for name in SCHEMAS:
        schema = json.loads(files[schema_path(name)])
        assert schema["$id"] == f"{name}.schema.json" and schema["title"] and schema["description"]
        assert "2020-12" in schema["$schema"]
    tool = json.loads(files[schema_path("tool")])
    V = vocabularies()
    assert tool["properties"]["stages"]["items"]["enum"] == list(V.stages.ids)
    assert tool["properties"]["category"]["enum"] == list(V.categories.ids)
    assert tool["properties"]["stages"]["uniqueItems"] is True
    assert tool["$defs"]["Study"]["properties"]["measures"]["enum"] == list(V.measures.ids)
    profile = json.loads(files[schema_path("profile")])
    assert profile["properties"]["risk_factors"]["propertyNames"]["enum"] == list(V.risk_factors.ids)


def test_every_entry_file_passes_its_schema(catalog: Catalog, files: dict[str, str]) -> None:
    validators = {"tool": _validator(files, "tool"), "lesson": _validator(files, "lesson")}
    for entry in catalog.entries():
        assert entry.path is not None
        front_matter = json.loads(json.dumps(read_front_matter(entry.path).metadata, default=_as_json))
        assert not _errors(validators[entry.kind], front_matter), (entry.id, _errors(validators[entry.kind], front_matter))


def test_every_catalog_json_item_passes_its_schema(files: dict[str, str], data: dict[str, Any]) -> None:
    for key, name in (("tools", "tool"), ("lessons", "lesson")):
        validator = _validator(files, name)
        for item in data[key]:
            front_matter = {k: v for k, v in item.items() if k not in ENVELOPE_KEYS}
            assert not _errors(validator, front_matter), (item["id"], _errors(validator, front_matter))


def test_every_training_scenario_passes_the_profile_schema(files: dict[str, str]) -> None:
    validator = _validator(files, "profile")
    assert SCENARIOS
    for path in SCENARIOS:
        profile = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert not _errors(validator, profile), (path.name, _errors(validator, profile))
    assert _errors(validator, {"stage": "mitigation", "risk_factors": {"RF04": 4}})
    assert _errors(validator, {"stage": "mitigation", "risk_factors": {"RF99": 1}})


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.update(stages=["sometime"]), "'sometime' is not one of"),
        (lambda t: t.update(stages=["response", "response"]), "non-unique"),
        (lambda t: t.update(colour="red"), "Additional properties"),
        (lambda t: t.pop("evidence"), "'evidence' is a required property"),
        (lambda t: t["evidence"]["studies"][0].update(measures="indirect"), "'indirect' is not one of"),
        (lambda t: t["evidence"]["studies"][0].update(year="2010"), "is not of type 'integer'"),
        (lambda t: t.update(id="Not A Slug"), "does not match"),
    ],
)
def test_the_tool_schema_refuses_what_the_model_refuses(
    catalog: Catalog, files: dict[str, str], change: Any, message: str
) -> None:
    tool = catalog.tools["mediation"].model_dump(mode="json")
    change(tool)
    with pytest.raises(ValidationError):
        Tool.model_validate_json(json.dumps(tool))
    errors = _errors(_validator(files, "tool"), tool)
    assert any(message in error for error in errors), errors


# The documentation


def test_the_open_data_page_documents_every_field_and_column(files: dict[str, str]) -> None:
    page = (REPO / "docs" / "data.md").read_text(encoding="utf-8")
    spans = re.findall(r"`([^`\s]+)`", page)  # `evidence.risks[].risk` documents evidence, risks and risk
    documented = {part for span in spans for part in re.split(r"[.\[\]]+", span) if part}
    names: set[str] = set(TOOL_COLUMNS) | set(STUDY_COLUMNS) | set(ENVELOPE_KEYS)
    for name in SCHEMAS:
        schema = json.loads(files[schema_path(name)])
        for model in (schema, *schema["$defs"].values()):
            names |= set(model.get("properties", {}))
    assert names - documented == set()
