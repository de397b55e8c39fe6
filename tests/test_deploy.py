"""The Docker Compose deployment (deploy/compose.yaml) cannot run here (no Docker), so it is linted:
its services fit together, every setting it passes is one Sanad documents, and no secret is written
into it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
README = Path(__file__).resolve().parents[1] / "README.md"
SECRETS = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "POSTGRES_PASSWORD")
_VARIABLE = re.compile(r"\$\{(\w+)(?::?[?-][^}]*)?\}")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_every_service_waits_for_what_it_needs(compose: dict[str, Any]) -> None:
    services = compose["services"]
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, service in services.items():
        assert "image" in service or "build" in service, name
        needs = service.get("depends_on", {})
        for needed in needs:
            assert needed in services, f"{name} depends on a missing service {needed}"
        if isinstance(needs, dict):
            assert {need["condition"] for need in needs.values()} <= conditions, name
    assert "healthcheck" in services["postgres"]
    assert services["bot"]["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert services["setup"]["command"] == ["setup"]


def test_the_workers_listen_where_the_proxy_sends_telegrams_updates(compose: dict[str, Any]) -> None:
    bot = compose["services"]["bot"]
    command = bot["command"]
    assert command[:2] == ["bot", "--webhook"]
    port = command[command.index("--port") + 1]
    path = "/" + command[command.index("--url") + 1].rsplit("/", 1)[1]
    caddyfile = (DEPLOY / "Caddyfile").read_text()
    assert f"reverse_proxy {path} " in caddyfile and f"dynamic a bot {port}" in caddyfile
    assert port in [str(exposed) for exposed in bot["expose"]]
    assert bot["deploy"]["replicas"] > 1
    assert "ports" not in bot  # only the proxy faces the network


def test_secrets_come_from_the_environment_file_never_from_the_compose_file(compose: dict[str, Any]) -> None:
    text = (DEPLOY / "compose.yaml").read_text()
    used = set(_VARIABLE.findall(text))
    example = dict(
        line.split("=", 1) for line in (DEPLOY / ".env.example").read_text().splitlines() if "=" in line
    )
    assert used == set(example), "every variable the compose file reads is in .env.example, and no more"
    for secret in SECRETS:
        assert example[secret] == "", f"{secret} must be left blank in the example"
    for name, service in compose["services"].items():
        for variable, value in service.get("environment", {}).items():
            if variable in SECRETS:
                assert str(value).startswith("${"), f"{name}: {variable} is written into compose.yaml"
            if str(value).startswith("postgresql://"):
                assert ":${POSTGRES_PASSWORD}@" in value, f"{name}: {variable} holds a password"
    assert ".env" in (DEPLOY.parent / ".gitignore").read_text().split()


def test_every_setting_passed_to_sanad_is_documented_in_the_readme(compose: dict[str, Any]) -> None:
    readme = README.read_text()
    for name in ("setup", "bot"):
        for variable in compose["services"][name]["environment"]:
            assert f"`{variable}`" in readme, f"{variable} is not in the README's settings"


def test_third_party_images_are_pinned(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if "build" in service or service.get("image", "").startswith("sanad:"):
            continue
        image = service["image"]
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin {image}"
