"""The bad-input cases: files a researcher with messy local data would try, and what each command must say.

Each case writes its files into an empty folder, runs one ``swis`` command
there, and names the exit status and a fragment of the message expected.
``{d}`` in an argument is the case's folder. Every case is run by
``test_bad_inputs.py``, which also checks that nothing on disk changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from swis import paths
from swis.config import load_config
from swis.data.synthetic import synthetic_authority

HEADER = "authority,outcome,school,group,term,count,pupils,printed_rate"
TERMS = ("Autumn 2017", "Autumn 2018", "Autumn 2019")
COUNTS = {"A_INT": [8, 9, 4], "B_INT": [6, 7, 3], "C_COMP": [7, 8, 8], "D_COMP": [5, 6, 7]}


def panel_rows(authority: str = "Toyton") -> list[str]:
    """Twelve valid rows of the toy panel (two intervention, two control schools, three terms)."""
    return [
        f"{authority},s47,{school},{'intervention' if school.endswith('INT') else 'control'},{term},{count},500,"
        for school, series in COUNTS.items()
        for term, count in zip(TERMS, series, strict=True)
    ]


def panel(*edits: tuple[int, str, str], header: str = HEADER, extra: tuple[str, ...] = ()) -> str:
    """The toy panel as CSV text; ``edits`` are (row, column, new value) with row 0 the first data row."""
    rows = [r.split(",") for r in panel_rows()]
    cols = HEADER.split(",")
    for row, column, value in edits:
        rows[row][cols.index(column)] = value
    return "\n".join([header, *(",".join(r) for r in rows), *extra]) + "\n"


CONFIG = """authority: Toyton
code: TOY
terms: [Autumn 2017, Autumn 2018, Autumn 2019]
reference_term: Autumn 2018
intervention_terms: [Autumn 2019]
outcomes:
  s47:
    label: Section 47 starts
    unit: per 100 pupils
    scale: 100
"""


def config(old: str = "", new: str = "") -> str:
    """The toy config, with ``old`` replaced by ``new``."""
    return CONFIG.replace(old, new) if old else CONFIG


def admin(edit=None) -> str:
    """A valid SYNTHETIC admin file of Stockport, optionally edited (a function of the DataFrame)."""
    frame = synthetic_authority(load_config(paths.config_path("Stockport")), seed=1, n_candidates=3).astype(str)
    if edit is not None:
        frame = edit(frame)
    return frame.to_csv(index=False)


def _set(column: str, value: str, row: int = 0):
    def edit(frame):
        frame.loc[row, column] = value
        return frame

    return edit


@dataclass(frozen=True)
class Case:
    """One bad input: files to write (name -> text, bytes, or None for a folder), the command, what it must say."""

    id: str
    files: dict
    args: tuple[str, ...]
    fragment: str
    status: int = 2
    absent: tuple[str, ...] = field(default=())  # outputs that must not exist afterwards


VALIDATE = ("validate", "{d}/panel.csv", "--config", "{d}/toy.yml")
OK = {"toy.yml": CONFIG}


def _panel_case(id: str, text, fragment: str) -> Case:
    return Case(id, {**OK, "panel.csv": text}, VALIDATE, fragment)


def _config_case(id: str, text, fragment: str) -> Case:
    return Case(id, {"panel.csv": panel(), "toy.yml": text}, VALIDATE, fragment)


PANEL_CASES = [
    Case("panel-missing", OK, VALIDATE, "file not found"),
    _panel_case("panel-directory", None, "is a directory"),
    _panel_case("panel-binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    _panel_case("panel-latin1", panel((0, "school", "Éc"))[:-1].encode("latin-1") + b"\n", "not UTF-8"),
    _panel_case("panel-empty", "", "empty file"),
    _panel_case("panel-header-only", HEADER + "\n", "no rows for authority 'Toyton'"),
    _panel_case("panel-missing-column", panel(header=HEADER.replace("term", "trem")), "term: missing column"),
    _panel_case("panel-duplicate-header", panel(header=HEADER.replace("pupils", "count")), "duplicate column name"),
    _panel_case("panel-unquoted-thousands", panel((0, "pupils", "1,040")), "unquoted comma"),
    _panel_case("panel-ragged-short", panel(extra=("Toyton,s47,A_INT",)), "expected 8 cells"),
    _panel_case("panel-400-digit-count", panel((0, "count", "9" * 400)), "count: expected a whole number"),
    _panel_case("panel-400-digit-pupils", panel((0, "pupils", "9" * 400)), "pupils: expected a whole number"),
    _panel_case("panel-fractional-pupils", panel((0, "pupils", "500.5")), "pupils: expected a whole number"),
    _panel_case("panel-fractional-count", panel((0, "count", "2.5")), "count: expected a whole number"),
    _panel_case("panel-exponent-count", panel((0, "count", "1e30")), "count: expected a whole number"),
    _panel_case("panel-count-10-to-30", panel((0, "count", "1" + "0" * 30)), "count: expected a whole number"),
    _panel_case("panel-count-above-pupils", panel((0, "count", "900")), "per pupil x 500 pupils"),
    _panel_case("panel-negative-count", panel((0, "count", "-2")), "count: expected a whole number"),
    _panel_case("panel-text-count", panel((0, "count", "seven")), "got 'seven'"),
    _panel_case("panel-empty-count", panel((0, "count", "")), "got an empty cell"),
    _panel_case("panel-zero-pupils", panel((0, "pupils", "0")), "pupils from 1"),
    _panel_case("panel-all-zero", panel(*[(i, "count", "0") for i in range(12)]), "every count of outcome 's47'"),
    _panel_case("panel-misspelt-authority", panel((4, "authority", "Toytn")), ":6: authority: unknown authority"),
    _panel_case("panel-other-case-authority", panel((4, "authority", "toyton")), "did you mean 'Toyton'"),
    _panel_case(
        "panel-control-all-zero",
        panel(*[(i, "count", "0") for i in range(6, 12)]),
        "every count of the control schools for outcome 's47' is zero",
    ),
    _panel_case("panel-unknown-group", panel((0, "group", "treated")), "unknown group"),
    _panel_case("panel-unknown-term", panel((0, "term", "Spring 2018")), "term not in the config"),
    _panel_case("panel-unknown-outcome", panel((0, "outcome", "s99")), "unknown outcome"),
    _panel_case("panel-duplicate-row", panel(extra=(panel_rows()[0],)), "duplicate row"),
    _panel_case("panel-both-groups", panel((0, "group", "control")), "both the intervention and the control"),
    _panel_case("panel-no-control", panel(*[(i, "group", "intervention") for i in range(6, 12)]), "no control school"),
    _panel_case(  # no control school observed in the intervention term: found by tests/test_fuzz.py
        "panel-term-of-one-group",
        "\n".join([HEADER, *[r for i, r in enumerate(panel_rows()) if i not in (8, 11)]]) + "\n",
        "term 'Autumn 2019' of outcome 's47' has rows of intervention schools only",
    ),
]

CONFIG_CASES = [
    Case("config-missing", {"panel.csv": panel()}, VALIDATE, "file not found"),
    _config_case("config-directory", None, "is a directory"),
    _config_case("config-binary", b"\x00\x01\x02binary\xff", "binary file"),
    _config_case("config-latin1", CONFIG.replace("Toyton", "Töyton").encode("latin-1"), "not UTF-8"),
    _config_case("config-empty", "", "expected a YAML mapping"),
    _config_case("config-a-list", "- a\n- b\n", "expected a YAML mapping"),
    _config_case("config-yaml-syntax", config("scale: 100", "scale: [100"), "not valid YAML"),
    _config_case("config-duplicate-key", CONFIG + "code: OTHER\n", "duplicate key 'code'"),
    _config_case("config-scale-lots", config("scale: 100", "scale: lots"), "outcomes.s47.scale: expected a number"),
    _config_case("config-scale-zero", config("scale: 100", "scale: 0"), "outcomes.s47.scale"),
    _config_case("config-no-outcomes", CONFIG.split("outcomes:")[0] + "outcomes: {}\n", "expected a non-empty mapping"),
    _config_case("config-outcome-not-mapping", CONFIG.split("outcomes:")[0] + "outcomes:\n  s47: 3\n", "mapping with"),
    _config_case("config-label-not-text", config("label: Section 47 starts", "label: [a, b]"), "expected text"),
    _config_case("config-bad-bound", config("scale: 100", "scale: 100\n    max_per_pupil: -1"), "max_per_pupil"),
    _config_case(
        "config-post-before-reference",
        config(
            "reference_term: Autumn 2018\nintervention_terms: [Autumn 2019]",
            "reference_term: Autumn 2019\nintervention_terms: [Autumn 2017]",
        ),
        "intervention terms must follow it",
    ),
    _config_case("config-unknown-reference", config("reference_term: Autumn 2018", "reference_term: Nope"), "Nope"),
    _config_case(
        "config-terms-not-list", config("terms: [Autumn 2017, Autumn 2018, Autumn 2019]", "terms: abc"), "list"
    ),
    _config_case("config-no-authority", config("authority: Toyton\n", ""), "missing key 'authority'"),
    _config_case(
        "config-other-authority", config("authority: Toyton", "authority: Elsewhere"), "no rows for authority"
    ),
]

DID = ("did", "{d}/panel.csv", "--config", "{d}/toy.yml")
GOOD = {**OK, "panel.csv": panel()}

OUTPUT_CASES = [
    # the panel cut after the first control row; was an internal error (a singular model): tests/test_fuzz.py
    Case(
        "did-term-of-one-group", {**OK, "panel.csv": "\n".join([HEADER, *panel_rows()[:7]]) + "\n"}, DID, "both groups"
    ),
    Case("did-out-is-the-panel", GOOD, (*DID, "--out", "{d}/panel.csv"), "an input of this command"),
    Case("did-out-is-the-config", GOOD, (*DID, "--out", "{d}/toy.yml"), "an input of this command"),
    Case("did-out-is-a-directory", {**GOOD, "res": None}, (*DID, "--out", "{d}/res"), "is a directory"),
    Case("did-out-parent-is-a-file", {**GOOD, "f": "x"}, (*DID, "--out", "{d}/f/res.csv"), "is not a folder"),
    Case("did-out-folder-missing", GOOD, (*DID, "--out", "{d}/no/res.csv"), "does not exist", absent=("no",)),
    Case("did-bad-correction", GOOD, (*DID, "--correction", "bogus"), "expected one of"),
    Case("did-unknown-outcome", GOOD, (*DID, "--outcome", "s17"), "no rows for outcome 's17'"),
    Case("did-bad-inference", GOOD, (*DID, "--inference", "crv1,wild"), "list of crv1, t, ri, bootstrap"),
    Case("did-empty-inference", GOOD, (*DID, "--inference", ","), "comma-separated list of crv1, t, ri, bootstrap"),
    Case("did-zero-reps", GOOD, (*DID, "--inference", "ri", "--reps", "0"), "whole number >= 1"),
    Case("did-bad-engine", GOOD, (*DID, "--engine", "turbo"), "expected one of statsmodels, fast"),
    Case("did-bad-weights", GOOD, (*DID, "--inference", "bootstrap", "--weights", "mammen"), "webb, rademacher"),
    Case(
        "did-bad-option-writes-nothing",
        GOOD,
        (*DID, "--engine", "turbo", "--out", "{d}/r.csv"),
        "--engine",
        absent=("r.csv",),
    ),
    Case(
        "did-all-zero",
        {**OK, "panel.csv": panel(*[(i, "count", "0") for i in range(12)])},
        (*DID, "--out", "{d}/res.csv"),
        "every count",
        absent=("res.csv",),
    ),
    Case(
        "did-bad-panel-no-output",
        {**OK, "panel.csv": panel((0, "count", "x"))},
        (*DID, "--out", "{d}/r.csv"),
        "count",
        absent=("r.csv",),
    ),
    Case("audit-out-is-a-directory", {"res": None}, ("audit", "--out", "{d}/res"), "is a directory"),
    Case("audit-out-parent-is-a-file", {"f": "x"}, ("audit", "--out", "{d}/f/a.csv"), "is not a folder"),
    Case("audit-out-is-the-panel", {}, ("audit", "--out", str(paths.PANEL)), "an input of this command"),
]

MATCH = ("match", "{d}/admin.csv", "--config", str(paths.config_path("Stockport")))

ADMIN_CASES = [
    Case("admin-missing", {}, MATCH, "file not found"),
    Case("admin-directory", {"admin.csv": None}, MATCH, "is a directory"),
    Case("admin-binary", {"admin.csv": b"\x00\x00PK\x03\x04"}, MATCH, "binary file"),
    Case("admin-all-zero", {"admin.csv": admin(lambda f: f.assign(count="0"))}, MATCH, "every count"),
    Case("admin-duplicate-header", {"admin.csv": "school,school,group\nA,B,candidate\n"}, MATCH, "duplicate column"),
    Case("admin-fractional-pupils", {"admin.csv": admin(_set("pupils", "90.5"))}, MATCH, "whole number of pupils"),
    Case("admin-400-digit-count", {"admin.csv": admin(_set("count", "9" * 400))}, MATCH, "whole number"),
    Case("admin-count-above-pupils", {"admin.csv": admin(_set("count", "100000"))}, MATCH, "per pupil x"),
    Case("match-out-is-the-admin-file", {"admin.csv": admin()}, (*MATCH, "--out", "{d}/admin.csv"), "an input"),
    Case(
        "match-panel-out-unwritable",
        {"admin.csv": admin()},
        (*MATCH, "--out", "{d}/pairs.csv", "--panel-out", "{d}/no/panel.csv"),
        "does not exist",
        absent=("pairs.csv",),
    ),
    Case(
        "match-out-twice",
        {"admin.csv": admin()},
        (*MATCH, "--out", "{d}/x.csv", "--panel-out", "{d}/x.csv"),
        "also the output of --out",
        absent=("x.csv",),
    ),
    Case("match-per-school-zero", {"admin.csv": admin()}, (*MATCH, "--per-school", "0"), "whole number >= 1"),
    Case("match-bad-u-test", {"admin.csv": admin()}, (*MATCH, "--u-test", "bogus"), "expected one of"),
]

RUN = ("run", "Southampton", "--no-render", "--param")

RUN_CASES = [
    Case("run-yaml-error", {}, (*RUN, "outcomes=[s17"), "cannot read the value"),
    Case("run-unknown-outcome", {}, (*RUN, "outcomes=[s99]"), "unknown outcome(s) s99"),
    Case("run-panel-directory", {"p": None}, (*RUN, "panel_path={d}/p"), "is a directory"),
    Case("run-near-miss-name", {}, (*RUN, "panel_pth=mine.csv"), "did you mean 'panel_path'"),
    Case("run-unknown-name", {}, (*RUN, "foo=1"), "unknown parameter"),
    Case("run-bogus-correction", {}, (*RUN, "correction=bogus"), "correction: expected one of"),
    Case("run-suppress-not-int", {}, (*RUN, "suppress_below=abc"), "expected a value of type int"),
    Case("run-suppress-below-minus-2", {}, (*RUN, "suppress_below=-2"), "expected -1"),
    Case("run-panel-missing", {}, (*RUN, "panel_path={d}/none.csv"), "file not found"),
    Case(
        "run-panel-invalid", {"p.csv": panel()}, (*RUN, "panel_path={d}/p.csv"), "no rows for authority 'Southampton'"
    ),
    Case("run-wrong-config", {}, (*RUN, f"config_path={paths.config_path('Lambeth')}"), "is the config of Lambeth"),
    Case("run-config-binary", {"c.yml": b"\x00\x01"}, (*RUN, "config_path={d}/c.yml"), "binary file"),
    Case("run-unknown-reference", {}, (*RUN, "reference_term=Nope"), "'Nope' is not one of"),
    Case("run-post-before-reference", {}, (*RUN, "intervention_terms=[2017-18 Term 1]"), "must follow"),
    Case("run-output-in-data", {}, (*RUN, f"output_dir={paths.DATA / 'x'}"), "inside data/"),
    Case("run-output-is-a-file", {"f": "x"}, (*RUN, "output_dir={d}/f"), "is a file"),
    Case("run-outcomes-not-list", {}, (*RUN, "outcomes={a: 1}"), "expected a value of type list"),
    Case("run-authority-param", {}, (*RUN, "authority=Lambeth"), "first argument"),
    Case("run-no-value", {}, (*RUN, "novalue"), "KEY=VALUE"),
    Case("run-param-twice", {}, (*RUN, "foo=1", "--param", "foo=2"), "given twice"),
    Case("run-unknown-authority", {}, ("run", "Atlantis", "--no-render"), "unknown authority 'Atlantis'"),
]

CASES = PANEL_CASES + CONFIG_CASES + OUTPUT_CASES + ADMIN_CASES + RUN_CASES
