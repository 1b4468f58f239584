"""``make validate``: run ``fixture-graph verify`` on real projects nobody here wrote.

For each project below: download its sdist (sdists of these projects ship their tests),
unpack it, create a virtualenv with the project and its test dependencies, then run
``fixture-graph verify --python <venv> --format json`` from the unpacked directory. The table
of agreement per project goes to stdout and to ``out/accuracy.md`` (pasted into the README's
"Accuracy" section); each project's full JSON verdict goes to ``out/validate/<project>.json``.
The last two columns come from the same JSON: the error findings pytest contradicts
(``false_error_findings``) and the FG006 precision (``unused_findings``).

Needs the network (pip). Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Project:
    """A project under test: its pinned sdist and the test dependencies from its own config."""

    name: str
    version: str
    test_deps: tuple[str, ...]
    extras: str = ""
    paths: tuple[str, ...] = ()  # verify's path arguments (default: the project's own testpaths)


PROJECTS = (
    Project("flask", "3.1.3", ("pytest<9", "asgiref", "greenlet", "python-dotenv")),
    Project("jinja2", "3.1.6", ("pytest", "trio")),
    Project(
        "structlog",
        "26.1.0",
        ("pytest", "pytest-asyncio>=0.17", "pytest-randomly", "simplejson", "time-machine>=2.14.1"),
    ),
    Project(
        "urllib3",
        "2.8.0",
        (
            "pytest",
            "anyio[trio]>=4.8.0",
            "h2>=4.1.0",
            "httpx>=0.28.1",
            "hypercorn>=0.15.0",
            "pysocks>=1.7.1",
            "pytest-socket>=0.7.0",
            "pytest-timeout>=2.3.1",
            "quart>=0.20.0",
            "quart-trio>=0.12.0",
            "trio>=0.27.0",
            # imported by its test/conftest.py, installed by its CI's environment
            "trustme",
            "cryptography",
        ),
    ),
    Project(
        "requests",
        "2.34.2",
        ("pytest", "pytest-httpbin==2.1.0", "httpbin~=0.10.0", "pytest-mock", "trustme"),
        extras="socks",
    ),
    # pytest's own suite: `-p pytester` in addopts, python_files and norecursedirs with paths,
    # a sys.gettrace() guard, fixtures over @classmethod, doctest text files.
    Project(
        "pytest",
        "9.2.0",
        ("argcomplete", "attrs", "hypothesis", "mock", "requests", "setuptools", "xmlschema", "pygments"),
    ),
    # anyio's pytest plugin (the anyio mark, anyio_backend), trio; its GitHub requirements.txt.
    Project(
        "httpx",
        "0.28.1",
        (
            "chardet==5.2.0",
            "cryptography",
            "pytest",
            "trio==0.27.0",
            "trustme==1.2.0",
            "uvicorn==0.32.1",
        ),
        extras="brotli,cli,http2,socks,zstd",
    ),
    # hypothesis @given filling parameters; collect_ignore built under version guards.
    Project("attrs", "26.1.0", ("cloudpickle", "hypothesis", "pympler", "pytest", "pytest-xdist[psutil]")),
    # pytest-django on Django's unittest classes.
    Project(
        "djangorestframework",
        "3.18.3",
        (
            "dj-database-url>=3.1.0",
            "importlib-metadata<10.0",
            "pytest==9.*",
            "pytest-cov==7.*",
            "pytest-django>=4.5.2,<5",
            "django-filter",
            "django-guardian>=2.4.0,<3.6",
            "inflection==0.5.1",
            "markdown>=3.3.7",
            "psycopg[binary]>=3.1.8",
            "pygments==2.21.*",
            "pyyaml>=5.3.1,<6.1",
            "requests",
            "uritemplate",
        ),
    ),
    # -m in addopts; CliRunner fixtures.
    Project("click", "8.5.1", ("pytest",)),
    # anyio_mode = auto, pytest_plugins = ["pytester"], marks bound to variables, pytest-mock.
    Project(
        "anyio",
        "4.16.0",
        (
            "blockbuster>=1.5.29",
            "coverage[toml]>=7",
            "hypothesis>=4.18.2",
            "psutil>=5.9",
            "pytest>=9.0",
            "pytest-mock>=3.14",
            "pytest-timeout>=2.4.0",
            "trustme>=1.0.0",
            "truststore>=0.9.1",
            "uvloop>=0.22.1",
        ),
        extras="trio",
    ),
    # -p of the suite's own plugin module from a TOML addopts list.
    Project(
        "trio",
        "0.35.0",
        (
            "pytest>=8.4",
            "coverage>=7.15.0",
            "async_generator>=1.9",
            "pyOpenSSL>=22.0.0",
            "trustme",
            "pylint",
            "jedi",
            "cryptography>=41.0.0",
            "pyyaml",
            "astor",
            "black",
            "ruff",
            "uv>=0.2.24",
            "types-PyYAML",
        ),
        paths=("src/trio",),
    ),
)


def _run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)


def _check(done: subprocess.CompletedProcess[str], what: str) -> None:
    if done.returncode != 0:
        raise SystemExit(f"{what} failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def prepare(project: Project, work: Path) -> tuple[Path, str]:
    """Unpacked source dir and the venv interpreter for ``project``."""
    base = work / f"{project.name}-{project.version}"
    src = base / "src"
    python = base / "venv" / "bin" / "python"
    if not python.exists():
        shutil.rmtree(base, ignore_errors=True)
        base.mkdir(parents=True)
        _check(_run([sys.executable, "-m", "venv", str(base / "venv")]), "venv")
        spec = f"{project.name}=={project.version}"
        dl = base / "dl"
        _check(
            _run(
                [
                    str(python),
                    "-m",
                    "pip",
                    "download",
                    "-q",
                    "--no-deps",
                    "--no-binary",
                    ":all:",
                    spec,
                    "-d",
                    str(dl),
                ]
            ),
            f"download {spec}",
        )
        (archive,) = dl.glob("*.tar.gz")
        with tarfile.open(archive) as tar:
            tar.extractall(base / "unpacked", filter="data")
        (unpacked,) = (base / "unpacked").iterdir()
        unpacked.rename(src)
        target = f"{src}[{project.extras}]" if project.extras else str(src)
        _check(
            _run([str(python), "-m", "pip", "install", "-q", target, *project.test_deps]), f"install {spec}"
        )
    return src, str(python)


def verify(project: Project, src: Path, python: str, out: Path) -> dict[str, Any]:
    """Run ``fixture-graph verify`` on the unpacked project and return its JSON verdict."""
    done = _run(
        [
            sys.executable,
            "-m",
            "fixture_graph",
            "verify",
            "--python",
            python,
            "--format",
            "json",
            *project.paths,
        ],
        cwd=src,
    )
    if done.returncode != 0:
        raise SystemExit(f"verify {project.name} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    data: dict[str, Any] = json.loads(done.stdout)
    (out / f"{project.name}.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    return data


def _fixtures(project: Project, src: Path, python: str) -> tuple[int, int]:
    """(user fixture definitions, conftest files) from a static scan, for the table."""
    cmd = [sys.executable, "-m", "fixture_graph", "--python", python, "--format", "json", *project.paths]
    done = _run(cmd, cwd=src)
    data = json.loads(done.stdout)
    fixtures = data["fixtures"]
    user = sum(1 for f in fixtures if f["kind"] in ("conftest", "module", "class"))
    conftests = len({f["registered_in"] for f in fixtures if f["kind"] == "conftest"})
    return user, conftests


def findings_columns(data: dict[str, Any]) -> tuple[str, str]:
    """(false error findings, FG006 precision) as the table shows them, from verify's JSON.

    ``"1 of 3"``: error findings (FG001-FG003) pytest contradicts, of all error findings (``(+k
    unverified)`` when pytest could not judge some). Precision is 1 - false / judged FG006
    findings, with the counts: ``"95.0% (1 of 20 reached)"``; ``"n/a (0)"`` without any.
    """
    errors = data.get("error_findings", [])
    false = sum(1 for c in errors if c["verdict"] == "false")
    unverified = sum(1 for c in errors if c["verdict"] == "unverified")
    error_text = f"{false} of {len(errors)}" + (f" (+{unverified} unverified)" if unverified else "")
    unused = [c for c in data.get("unused_findings", []) if c["verdict"] != "unverified"]
    reached = sum(1 for c in unused if c["verdict"] == "false")
    if not unused:
        return error_text, f"n/a ({len(data.get('unused_findings', []))})"
    return error_text, f"{100 * (1 - reached / len(unused)):.1f}% ({reached} of {len(unused)} reached)"


def table(rows: list[tuple[Project, dict[str, Any], tuple[int, int], str]]) -> str:
    """The README table: one row per project."""
    lines = [
        "| project | version | pytest | suite fixtures (conftests) | tests agreeing | agreement "
        "| unverifiable | disagreements by cause | false error findings | FG006 precision |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for project, data, (user, conftests), pytest_version in rows:
        causes: dict[str, int] = {}
        for d in data["disagreements"]:
            causes[d["cause"]] = causes.get(d["cause"], 0) + 1
        cause_text = ", ".join(f"{k}: {v}" for k, v in sorted(causes.items())) or "none"
        unverifiable = sum(u["tests"] for u in data["unverifiable"])
        false_errors, precision = findings_columns(data)
        lines.append(
            f"| {project.name} | {project.version} | {pytest_version} | {user} ({conftests}) | "
            f"{data['agreeing']}/{data['total']} | {100 * float(data['agreement']):.1f}% | "
            f"{unverifiable} tests | {cause_text} | {false_errors} | {precision} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fixture-graph-validate"
    )
    parser.add_argument("--out", type=Path, default=REPO / "out")
    parser.add_argument("projects", nargs="*", help="Only these projects (default: all).")
    opts = parser.parse_args()
    chosen = [p for p in PROJECTS if not opts.projects or p.name in opts.projects]
    details = opts.out / "validate"
    details.mkdir(parents=True, exist_ok=True)
    rows = []
    for project in chosen:
        print(f"== {project.name} {project.version}", flush=True)
        src, python = prepare(project, opts.workdir)
        data = verify(project, src, python, details)
        false_errors, precision = findings_columns(data)
        print(
            f"   {data['agreeing']}/{data['total']} agree, {len(data['disagreements'])} disagreements, "
            f"false error findings {false_errors}, FG006 precision {precision}"
        )
        rows.append((project, data, _fixtures(project, src, python), str(data.get("pytest_version") or "?")))
    text = table(rows)
    (opts.out / "accuracy.md").write_text(text)
    print(text, end="")


if __name__ == "__main__":
    main()
