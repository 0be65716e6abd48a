"""Docs cannot drift: generated references match the code, and everything is documented."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from iku_excel import contract, docgen
from iku_excel.cli import cli
from iku_excel.rules import RULES

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.mark.parametrize("name", sorted(docgen.DOCS))
def test_generated_docs_are_current(name: str) -> None:
    committed = (DOCS / name).read_text(encoding="utf-8")
    assert committed == docgen.DOCS[name](), f"run `python -m iku_excel.docgen` ({name})"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_is_documented(rule_id: str) -> None:
    assert f"`{rule_id}`" in (DOCS / "rules.md").read_text(encoding="utf-8")


def _commands() -> list[str]:
    out: list[str] = []
    assert isinstance(cli, click.Group)
    for name, cmd in cli.commands.items():
        out.append(name)
        if isinstance(cmd, click.Group):
            out.extend(f"{name} {sub}" for sub in cmd.commands)
    return out


@pytest.mark.parametrize("command", _commands())
def test_every_command_is_documented_and_has_help(command: str) -> None:
    assert f"### `iku-excel {command}`" in (DOCS / "cli.md").read_text(
        encoding="utf-8"
    ) or f"#### `iku-excel {command}`" in (DOCS / "cli.md").read_text(encoding="utf-8")
    parts = command.split()
    cmd = cli.commands[parts[0]]
    if len(parts) > 1:
        assert isinstance(cmd, click.Group)
        cmd = cmd.commands[parts[1]]
    assert cmd.help and cmd.help.strip()


@pytest.mark.parametrize("setting", [s.key for s in contract.SETTINGS])
def test_every_setting_is_documented(setting: str) -> None:
    assert f"`{setting}`" in (DOCS / "workbook-contract.md").read_text(encoding="utf-8")


def test_issue_rule_ids_exist() -> None:
    required = {
        "unparseable-number",
        "missing-target",
        "missing-realisasi",
        "target-zero",
        "not-in-rpjmd",
        "unit-mismatch-rpjmd",
        "target-differs-from-rpjmd",
        "polarity-mismatch-rpjmd",
        "reported-capaian-mismatch",
        "percent-over-100",
        "duplicate-code",
        "quarterly-mismatch",
        "rpjmd-trajectory",
        "final-target-mismatch",
        "mixed-units-in-ratio",
        "ambiguous-number",
    }
    assert required <= set(RULES)


def test_rule_ids_are_kebab_case() -> None:
    import re

    for rule_id in RULES:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule_id), rule_id
