"""The repository's metadata files agree with each other: CITATION.cff with book/references.bib,
environment.yml with pyproject.toml, and every citation in the book with the bibliography."""
from __future__ import annotations

import re
from importlib import metadata

import pytest
import yaml
from pybtex.database import parse_file

from conftest import chapter_notebooks
from lstm_repro.paths import REPO_ROOT

BIB = parse_file(str(REPO_ROOT / "book" / "references.bib")).entries
CFF = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text(encoding="utf-8"))
ROLE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")


def test_citation_cff_has_the_required_fields():
    assert CFF["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors", "type", "version", "references"):
        assert CFF.get(key), f"CITATION.cff lacks {key}"
    assert str(CFF["version"]) == metadata.version("lstm-repro")


@pytest.mark.parametrize("key", ["hochreiter1997", "gers2001"])
def test_citation_cff_references_match_the_bibliography(key):
    entry = BIB[key].fields
    [ref] = [r for r in CFF["references"] if str(r.get("doi")).lower() == entry["doi"].lower()]
    start, end = entry["pages"].split("--")
    assert (ref["year"], ref["volume"], ref["issue"]) == (int(entry["year"]), int(entry["volume"]),
                                                          int(entry["number"]))
    assert (ref["start"], ref["end"]) == (int(start), int(end))
    assert [a["family-names"] for a in ref["authors"]] == [p.last_names[0] for p in BIB[key].persons["author"]]


def test_every_cited_key_is_in_the_bibliography():
    sources = [p.read_text(encoding="utf-8") for p in (REPO_ROOT / "book").glob("*.md")]
    sources += [p.read_text(encoding="utf-8") for p in chapter_notebooks()]
    cited = {k.strip() for text in sources for m in ROLE.finditer(text) for k in m.group(1).split(",")}
    assert cited, "the book cites nothing?"
    assert not cited - set(BIB), f"cited but not in book/references.bib: {sorted(cited - set(BIB))}"


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~ \[]", r, maxsplit=1)[0].lower() for r in requirements}


def test_environment_yml_lists_the_pyproject_dependencies():
    wanted = _names(metadata.requires("lstm-repro"))  # pyproject's dependencies and extras
    env = yaml.safe_load((REPO_ROOT / "environment.yml").read_text())
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    have = {"torch" if n == "pytorch" else n for n in _names(conda) | _names(pip)}
    assert not wanted - have, f"environment.yml lacks {sorted(wanted - have)}"
