"""The partner guide's examples (docs/api.md, blocks marked `<!-- test -->`) run against a live
server and do what the guide says."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

GUIDE = Path(settings.BASE_DIR) / "docs" / "api.md"
MARKED_BLOCK = re.compile(
    r'<!-- test(?: expect="(?P<expect>[^"]*)")? -->\n```(?P<lang>sh|python)\n(?P<code>.*?)```',
    re.DOTALL,
)
EXAMPLES = [match.groupdict() for match in MARKED_BLOCK.finditer(GUIDE.read_text())]


@pytest.fixture
def live_maps(transactional_db, live_server):
    call_command("loaddata", "decentralized-ai", "companion-maps", verbosity=0)
    return live_server


def test_guide_has_runnable_curl_and_python_examples():
    assert {example["lang"] for example in EXAMPLES} == {"sh", "python"}
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"{e['lang']}-{n}" for n, e in enumerate(EXAMPLES)]
)
def test_guide_example_runs_against_a_live_server(live_maps, example):
    command = (
        ["bash", "-euo", "pipefail", "-c", example["code"]]
        if example["lang"] == "sh"
        else [sys.executable, "-c", example["code"]]
    )

    result = subprocess.run(
        command,
        env={**os.environ, "DEALMAP": live_maps.url},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    assert (example["expect"] or "") in result.stdout
