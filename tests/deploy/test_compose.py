"""deploy/compose: validated by Compose itself (`docker-compose config`, Debian's package)
and by the Compose Specification's JSON schema (check-jsonschema's vendored copy), then
checked for what a production stack needs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import required
from tests.deploy.conftest import DEPLOY, check_command, settings_from
from workflows.search_attributes import SEARCH_ATTRIBUTES

COMPOSE = DEPLOY / "compose"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
ONE_SHOT = {"temporal-schema", "temporal-setup", "migrate"}
INFOSHARE_SERVICES = {"migrate", "worker", "web", "codec-server"}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of deploy/compose with its env files made by init-env.sh, as an operator
    would have it (the build context ../.. points at a copy of the sources' root)."""
    root = tmp_path_factory.mktemp("deploy-root")
    shutil.copytree(COMPOSE, root / "deploy" / "compose")
    shutil.copy(DEPLOY / "Dockerfile", root / "deploy" / "Dockerfile")
    project = root / "deploy" / "compose"
    subprocess.run(["sh", str(project / "init-env.sh")], check=True, capture_output=True)
    return project


def docker_compose() -> str:
    found = shutil.which("docker-compose")
    if found is None:
        required.missing(
            "docker-compose is not installed (apt-get install docker-compose)",
            required_by="INFOSHARE_TEST_REQUIRE_DOCKER_COMPOSE",
        )
    return found


def compose_config(project: Path, file: str = "compose.yaml") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("INFOSHARE_", "TEMPORAL_"))}
    return subprocess.run(
        [docker_compose(), "--project-directory", str(project), "-f", file, "config"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture(scope="module")
def resolved(project: Path) -> dict[str, Any]:
    """The configuration as Compose resolves it: anchors merged, env files read."""
    result = compose_config(project)
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = yaml.safe_load(result.stdout)
    return config


def test_compose_accepts_the_file(resolved: dict[str, Any]) -> None:
    assert set(resolved["services"]) == {
        "temporal-db",
        "temporal-schema",
        "temporal",
        "temporal-setup",
        "temporal-ui",
        "register-db",
        "migrate",
        "worker",
        "web",
        "codec-server",
        "sso",
        "proxy",
    }


def test_the_compose_schema_accepts_the_file() -> None:
    result = subprocess.run(
        [
            str(CHECK_JSONSCHEMA),
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE / "compose.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_both_validators_reject_a_broken_file(project: Path, tmp_path: Path) -> None:
    broken = yaml.safe_load((project / "compose.yaml").read_text())
    broken["services"]["worker"]["restart_policy"] = "always"  # not a Compose key
    (project / "broken.yaml").write_text(yaml.safe_dump(broken))
    try:
        assert compose_config(project, "broken.yaml").returncode != 0
        schema = subprocess.run(
            [
                str(CHECK_JSONSCHEMA),
                "--builtin-schema",
                "vendor.compose-spec",
                str(project / "broken.yaml"),
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert schema.returncode != 0 and "restart_policy" in schema.stdout
    finally:
        (project / "broken.yaml").unlink()


def test_services_restart_and_report_health(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    for name, service in services.items():
        policy = service.get("restart")
        if name in ONE_SHOT:
            assert policy and policy.startswith("on-failure"), name
        else:
            assert policy == "unless-stopped", name
    for name in (
        "temporal-db",
        "temporal",
        "register-db",
        "worker",
        "web",
        "codec-server",
        "proxy",
    ):
        assert services[name]["healthcheck"]["test"], name
    assert "/readyz" in " ".join(services["worker"]["healthcheck"]["test"])


def test_startup_order(resolved: dict[str, Any]) -> None:
    services = resolved["services"]

    def waits_for(name: str) -> dict[str, str]:
        depends = services[name].get("depends_on", {})
        return {k: v["condition"] for k, v in depends.items()}

    assert waits_for("temporal-schema") == {"temporal-db": "service_healthy"}
    assert waits_for("temporal") == {"temporal-schema": "service_completed_successfully"}
    assert waits_for("temporal-setup") == {"temporal": "service_healthy"}
    assert waits_for("migrate") == {"register-db": "service_healthy"}
    for name in ("worker", "web"):
        assert waits_for(name) == {
            "migrate": "service_completed_successfully",
            "temporal-setup": "service_completed_successfully",
        }


def test_two_workers_and_only_the_sso_proxy_published(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    assert services["worker"]["deploy"]["replicas"] == 2
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    # Temporal's database is on its own network: the application cannot reach it.
    assert set(services["temporal-db"]["networks"]) == {"temporal"}
    assert "temporal" not in services["worker"]["networks"]


def test_the_ui_uses_the_codec_server_and_cannot_change_proposals(
    resolved: dict[str, Any],
) -> None:
    ui = resolved["services"]["temporal-ui"]["environment"]
    assert ui["TEMPORAL_CODEC_ENDPOINT"].endswith("/codec")
    assert ui["TEMPORAL_DISABLE_WRITE_ACTIONS"] == "true"
    template = (COMPOSE / "proxy" / "default.conf.template").read_text()
    assert "location /codec/" in template
    assert 'Authorization "Bearer ${INFOSHARE_CODEC_AUTH_TOKEN}"' in template
    # Every protected location asks the SSO proxy first.
    protected = template.count("include /etc/nginx/sso.conf;")
    assert protected == 3
    assert (
        "proxy_set_header X-Auth-Request-Email $sso_email;"
        in (COMPOSE / "proxy" / "sso.conf").read_text()
    )


def test_infoshare_services_run_real_commands_with_valid_settings(
    resolved: dict[str, Any],
) -> None:
    services = resolved["services"]
    for name in INFOSHARE_SERVICES:
        service = services[name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"], name
        if name != "codec-server":
            settings = settings_from(service["environment"])
            assert settings.database_url.startswith("postgresql+psycopg://"), name
            assert settings.temporal_address == "temporal:7233"
    pending = [check_command(services[name]["command"]) for name in sorted(INFOSHARE_SERVICES)]
    if any(pending):
        pytest.skip("; ".join(filter(None, pending)))


def test_the_setup_registers_exactly_the_workflows_search_attributes() -> None:
    script = (COMPOSE / "temporal" / "setup-namespace.sh").read_text()
    pairs = {
        word.split("=")[0]: word.split("=")[1].rstrip(";")
        for word in script.replace("\\\n", " ").split()
        if word.startswith("Isp") and "=" in word
    }
    assert pairs == SEARCH_ATTRIBUTES


def test_env_examples_hold_every_placeholder_init_env_fills(project: Path) -> None:
    for env_file in (project / "env").glob("*.env"):
        assert "change-me" not in env_file.read_text() or env_file.name in ("sso.env",), (
            env_file.name
        )
    assert (COMPOSE / "env" / ".gitignore").read_text().strip().endswith("*.env")
