"""Static checks of docker-compose.yml and the Dockerfile; no Docker engine needed."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

from core.registry import search_attribute_names
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"

EXPECTED_SERVICES = {
    "postgresql",
    "temporal",
    "temporal-register-search-attributes",
    "temporal-ui",
    "migrate",
    "api",
    "worker",
}
APP_SERVICES = ("api", "worker", "migrate")
# The compose file registers exactly what the registered processes set.
EXPECTED_SEARCH_ATTRIBUTES = set(search_attribute_names())
DEPENDS_ON_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}

# Values a deployer would export; used to resolve ${VAR...} the way compose does.
DEPLOY_ENV = {
    "POSTGRES_PASSWORD": "pg-superuser-password",
    "WUYEFLOW_DB_PASSWORD": "app-db-password",
    "WUYEFLOW_OIDC_ISSUER": "https://id.qingzhou.example/realms/city",
    "WUYEFLOW_OIDC_AUDIENCE": "wuyeflow-api",
    "WUYEFLOW_ACTOR_SEAL_KEY": "a-random-actor-seal-key-of-at-least-32-characters",
    "WUYEFLOW_OWNER_KEY_SECRET": "a-random-owner-key-secret-of-at-least-32-characters",
}


# --- helpers -------------------------------------------------------------------------------

_VAR = re.compile(r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)")


class MissingVariable(LookupError):
    pass


def interpolate(value: str, env: dict[str, str]) -> str:
    """The subset of compose interpolation this file uses: $$, $VAR, ${VAR}, ${VAR:-d}, ${VAR:?e}."""

    def replace(m: re.Match[str]) -> str:
        if m.group(0) == "$$":
            return "$"
        name = m.group("name") or m.group("bare")
        op, arg = m.group("op"), m.group("arg")
        current = env.get(name)
        unset = current is None or (current == "" and op is not None and op.startswith(":"))
        if op in ("-", ":-"):
            return arg if unset else current
        if op in ("?", ":?"):
            if unset:
                raise MissingVariable(f"{name}: {arg}")
            return current
        return current or ""

    return _VAR.sub(replace, value)


def as_dict(environment: Any) -> dict[str, str]:
    """Compose allows a mapping or a list of KEY=VALUE strings."""
    if environment is None:
        return {}
    if isinstance(environment, dict):
        return {str(k): "" if v is None else str(v) for k, v in environment.items()}
    out = {}
    for item in environment:
        key, _, val = str(item).partition("=")
        out[key] = val
    return out


def depends_on(service: dict[str, Any]) -> dict[str, str]:
    """Dependency name -> condition, for both the short (list) and long (mapping) syntax."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return dict.fromkeys(deps, "service_started")
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def command_text(service: dict[str, Any]) -> str:
    parts = []
    for key in ("entrypoint", "command"):
        value = service.get(key)
        if value is None:
            continue
        parts.extend(value if isinstance(value, list) else [value])
    return "\n".join(str(p) for p in parts)


def healthcheck_text(service: dict[str, Any]) -> str:
    test = (service.get("healthcheck") or {}).get("test")
    return " ".join(test) if isinstance(test, list) else str(test or "")


def image_tag(image: str) -> str | None:
    last = image.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


# --- fixtures ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    assert COMPOSE_FILE.is_file(), "docker-compose.yml is missing at the repository root"
    data = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(data, dict) and isinstance(data.get("services"), dict), "no services mapping"
    return data


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


# --- structure -----------------------------------------------------------------------------


def test_expected_services_exist(services: dict[str, Any]) -> None:
    missing = EXPECTED_SERVICES - services.keys()
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"
    for name, service in services.items():
        assert isinstance(service, dict), f"{name} is not a mapping"
        assert "image" in service or "build" in service, f"{name} has neither image nor build"


def test_every_depends_on_target_exists(services: dict[str, Any]) -> None:
    for name, service in services.items():
        for target, condition in depends_on(service).items():
            assert target in services, f"{name} depends on unknown service {target!r}"
            assert target != name, f"{name} depends on itself"
            assert condition in DEPENDS_ON_CONDITIONS, f"{name} -> {target}: bad condition {condition!r}"
            if condition == "service_healthy":
                assert services[target].get("healthcheck"), f"{name} waits for {target} to be healthy, but it has no healthcheck"


def test_dependency_graph_has_no_cycle(services: dict[str, Any]) -> None:
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == "done":
            return
        assert state.get(name) != "active", f"depends_on cycle: {' -> '.join([*path, name])}"
        state[name] = "active"
        for target in depends_on(services[name]):
            visit(target, [*path, name])
        state[name] = "done"

    for name in services:
        visit(name, [])


def test_start_order(services: dict[str, Any]) -> None:
    assert depends_on(services["temporal"]).get("postgresql") == "service_healthy"
    assert depends_on(services["migrate"]).get("postgresql") == "service_healthy"
    assert depends_on(services["temporal-register-search-attributes"]).get("temporal") == "service_healthy"
    assert depends_on(services["temporal-ui"]).get("temporal") in {"service_healthy", "service_started"}

    api = depends_on(services["api"])
    assert api.get("migrate") == "service_completed_successfully"
    assert api.get("temporal") == "service_healthy"

    worker = depends_on(services["worker"])
    assert worker.get("migrate") == "service_completed_successfully"
    assert worker.get("temporal-register-search-attributes") == "service_completed_successfully"


def test_third_party_images_are_pinned(services: dict[str, Any]) -> None:
    for name, service in services.items():
        if "build" in service:
            continue
        tag = image_tag(service["image"])
        assert tag and tag != "latest", f"{name}: image {service['image']!r} is not pinned to a version"
    assert services["postgresql"]["image"] == "postgres:16"
    temporal_version = image_tag(services["temporal"]["image"])
    admin_tools_tag = image_tag(services["temporal-register-search-attributes"]["image"])
    assert re.fullmatch(r"1\.(2|3)\d\.\d+", temporal_version or ""), temporal_version
    # admin-tools tags read "<server>-tctl-<x>-cli-<y>"; keep them on the same server release.
    assert (admin_tools_tag or "").split("-")[0] == temporal_version


# --- the wuyeflow image --------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_are_built_from_the_repo_dockerfile(services: dict[str, Any], name: str) -> None:
    build = services[name].get("build")
    assert build is not None, f"{name} is not built from the repository"
    if isinstance(build, str):
        context, dockerfile = build, "Dockerfile"
    else:
        context, dockerfile = build.get("context", "."), build.get("dockerfile", "Dockerfile")
    assert (COMPOSE_FILE.parent / context).resolve() == ROOT, f"{name} builds from {context!r}, not the repo root"
    assert (ROOT / context / dockerfile).resolve() == ROOT / "Dockerfile"
    assert (ROOT / "Dockerfile").is_file()


def test_app_services_share_one_image(services: dict[str, Any]) -> None:
    images = {services[name].get("image") for name in APP_SERVICES}
    assert len(images) == 1 and None not in images, f"api/worker/migrate should tag one image, got {images}"


def test_app_commands(services: dict[str, Any]) -> None:
    assert services["worker"]["command"] in (["python", "worker.py"], "python worker.py")
    assert services["worker"]["deploy"]["replicas"] == 2
    assert "container_name" not in services["worker"], "a fixed container_name cannot have 2 replicas"
    assert services["migrate"]["command"] in (["alembic", "upgrade", "heads"], "alembic upgrade heads")
    # The API runs as api/serve.py: its process count comes from the settings (one per CPU by default).
    assert services["api"].get("command") == ["python", "-m", "api.serve", "--host", "0.0.0.0", "--port", "8000"]
    assert interpolate(as_dict(services["api"]["environment"])["WUYEFLOW_API_PROCESSES"], DEPLOY_ENV) == "0"
    assert interpolate(as_dict(services["api"]["environment"])["WUYEFLOW_API_PROCESSES"], {"WUYEFLOW_API_PROCESSES": "3"}) == "3"
    assert any(str(p).endswith("8000:8000") or str(p) == "8000" for p in services["api"]["ports"])


def test_api_healthcheck_uses_python_urllib(services: dict[str, Any]) -> None:
    check = healthcheck_text(services["api"])
    assert "urllib" in check and "http://127.0.0.1:8000/health" in check
    assert "curl" not in check and "wget" not in check, "python:3.11-slim has neither curl nor wget"


def test_dockerfile(services: dict[str, Any]) -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    instructions = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert instructions[0].startswith("FROM python:3.11-slim")
    assert any(re.match(r"RUN\s+.*pip install[^\n]*\s\.(\s|$)", i) for i in instructions), "no `pip install .`"
    users = [i.split()[1] for i in instructions if i.startswith("USER ")]
    assert users, "the image runs as root"
    assert users[-1].split(":")[0] not in {"root", "0"}, "the last USER is root"
    assert 'CMD ["python", "-m", "api.serve", "--host", "0.0.0.0", "--port", "8000"]' in instructions

    copied: set[str] = set()
    for i in instructions:
        if i.startswith("COPY ") and "--from" not in i:
            copied.update(p.rstrip("/") for p in i.split()[1:-1])
    # `pip install .` needs every package and module pyproject.toml declares, plus the README it names.
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    setuptools_cfg = pyproject["tool"]["setuptools"]
    declared = setuptools_cfg.get("packages", [])
    if isinstance(declared, dict):  # [tool.setuptools.packages.find] include = ["api*", ...]
        declared = declared.get("find", {}).get("include", [])
    needed = {p.split(".")[0].rstrip("*") for p in declared}
    needed |= {f"{m}.py" for m in setuptools_cfg.get("py-modules", [])}
    needed |= {"pyproject.toml", "alembic.ini", pyproject["project"].get("readme", "README.md")}
    assert not needed - copied, f"Dockerfile does not copy {sorted(needed - copied)}"


def test_dockerignore_keeps_local_state_out() -> None:
    patterns = {
        line.strip().rstrip("/")
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    for required in (".venv", ".data", ".git", ".pytest_cache"):
        assert required in patterns, f".dockerignore should exclude {required}"
    assert {"__pycache__", "**/__pycache__"} & patterns
    assert any(p.startswith("bench") and "results" in p for p in patterns)


# --- environment ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_environment(services: dict[str, Any], name: str) -> None:
    env = as_dict(services[name].get("environment"))
    assert env.get("WUYEFLOW_ENV") == "production"
    assert env.get("WUYEFLOW_TEMPORAL_ADDRESS") == "temporal:7233"
    assert env.get("WUYEFLOW_TEMPORAL_NAMESPACE") == "default"
    assert env.get("WUYEFLOW_TASK_QUEUE") == "wuyeflow"
    assert str(env.get("WUYEFLOW_SEARCH_ATTRIBUTES")).lower() == "true"
    # Production identity is the city's OIDC provider: its issuer and our audience are required, not defaulted.
    assert "WUYEFLOW_JWT_SECRET" not in env and env.get("WUYEFLOW_AUTH") == "oidc"
    for var in ("WUYEFLOW_OIDC_ISSUER", "WUYEFLOW_OIDC_AUDIENCE", "WUYEFLOW_ACTOR_SEAL_KEY", "WUYEFLOW_OWNER_KEY_SECRET"):
        assert re.fullmatch(rf"\$\{{{var}:\?[^}}]+\}}", env.get(var, "")), f"{var} must be required, not defaulted"

    url = make_url(interpolate(env["DATABASE_URL"], DEPLOY_ENV))
    assert url.drivername == "postgresql+asyncpg"
    assert url.host == "postgresql" and (url.port or 5432) == 5432
    assert url.database == "wuyeflow" and url.username == "wuyeflow"
    assert url.password == DEPLOY_ENV["WUYEFLOW_DB_PASSWORD"]
    with pytest.raises(MissingVariable):
        interpolate(env["DATABASE_URL"], {})


def test_the_deployed_environment_makes_valid_production_settings(services: dict[str, Any]) -> None:
    env = {k: interpolate(v, DEPLOY_ENV) for k, v in as_dict(services["api"].get("environment")).items()}
    settings = Settings.model_validate({k.removeprefix("WUYEFLOW_").lower(): v for k, v in env.items() if k.startswith("WUYEFLOW_")})
    assert settings.env == "production" and settings.auth_mode == "oidc" and not settings.dev_secret
    assert settings.oidc_issuer == DEPLOY_ENV["WUYEFLOW_OIDC_ISSUER"] and settings.oidc_jwks_url == ""


def test_the_image_runs_in_production_unless_told_otherwise() -> None:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^ENV\s+WUYEFLOW_ENV=production\b", text, re.MULTILINE), "the image must default to production"


OWN_CERTIFICATE = ("WUYEFLOW_TEMPORAL_TLS_CERT", "WUYEFLOW_TEMPORAL_TLS_KEY")


def test_app_services_share_one_environment(services: dict[str, Any]) -> None:
    """One environment for every app container; only the client certificate Temporal sees differs."""
    envs = [{k: v for k, v in as_dict(services[name].get("environment")).items() if k not in OWN_CERTIFICATE}
            for name in APP_SERVICES]
    assert envs[0] == envs[1] == envs[2]


def test_temporal_requires_a_client_certificate_and_every_client_presents_one(services: dict[str, Any]) -> None:
    server = as_dict(services["temporal"]["environment"])
    assert server["TEMPORAL_TLS_REQUIRE_CLIENT_AUTH"] == "true"
    assert server["TEMPORAL_TLS_CLIENT1_CA_CERT"] == "/etc/wuyeflow/certs/ca.pem"
    assert server["TEMPORAL_TLS_FRONTEND_CERT"].endswith("temporal.pem")
    for name in ("api", "worker"):
        env = as_dict(services[name]["environment"])
        assert env["WUYEFLOW_TEMPORAL_TLS_CERT"] == f"/etc/wuyeflow/certs/{name}.pem"
        assert env["WUYEFLOW_TEMPORAL_TLS_KEY"] == f"/etc/wuyeflow/certs/{name}.key"
        assert env["WUYEFLOW_TEMPORAL_TLS_CA"] == "/etc/wuyeflow/certs/ca.pem"
    # Every other client of the frontend (the server's own health check, the one-shots, the UI)
    # presents the operators' certificate, and every one of them mounts the certificates.
    for name in ("temporal", "temporal-register-search-attributes", "temporal-namespace-setup", "temporal-ui"):
        env = as_dict(services[name]["environment"])
        assert env["TEMPORAL_TLS_CERT"] == "/etc/wuyeflow/certs/admin.pem", name
    for name in ("temporal", "temporal-register-search-attributes", "temporal-namespace-setup", "temporal-ui", "api", "worker"):
        assert "./deploy/certs:/etc/wuyeflow/certs:ro" in services[name]["volumes"], name


def test_no_secret_is_written_into_the_file(services: dict[str, Any]) -> None:
    postgres_env = as_dict(services["postgresql"]["environment"])
    temporal_env = as_dict(services["temporal"]["environment"])
    for value in (postgres_env["POSTGRES_PASSWORD"], temporal_env["POSTGRES_PWD"]):
        assert re.fullmatch(r"\$\{POSTGRES_PASSWORD:\?[^}]+\}", value), value
    assert re.fullmatch(r"\$\{WUYEFLOW_DB_PASSWORD:\?[^}]+\}", postgres_env.get("WUYEFLOW_DB_PASSWORD", ""))


# --- postgresql ----------------------------------------------------------------------------


def test_postgresql(compose: dict[str, Any], services: dict[str, Any]) -> None:
    pg = services["postgresql"]
    assert "pg_isready" in healthcheck_text(pg)
    volumes = [str(v) if isinstance(v, str) else f"{v.get('source')}:{v.get('target')}" for v in pg.get("volumes", [])]
    data = [v for v in volumes if v.split(":")[1:2] == ["/var/lib/postgresql/data"]]
    assert data, "postgresql data is not on a volume"
    assert data[0].split(":")[0] in (compose.get("volumes") or {}), "postgresql data should be a named volume"


def test_postgresql_creates_the_databases(services: dict[str, Any]) -> None:
    pg = services["postgresql"]
    env = as_dict(pg["environment"])
    temporal_env = as_dict(services["temporal"]["environment"])
    # auto-setup creates a database only when its name differs from the user; `temporal` comes from POSTGRES_DB
    # or, when unset, from POSTGRES_USER (the image's default database is named after the user).
    assert env.get("POSTGRES_DB", env.get("POSTGRES_USER")) == "temporal"
    assert env.get("POSTGRES_USER", "postgres") == temporal_env["POSTGRES_USER"]

    init_mounts = [
        str(v).split(":")[0]
        for v in pg.get("volumes", [])
        if isinstance(v, str) and str(v).split(":")[1].startswith("/docker-entrypoint-initdb.d")
    ]
    creates_app_db = env.get("POSTGRES_DB") == "wuyeflow"
    for mount in init_mounts:
        host = (ROOT / mount).resolve()
        files = sorted(host.glob("*.sql")) + sorted(host.glob("*.sh")) if host.is_dir() else [host]
        assert files, f"init mount {mount} is empty"
        text = "\n".join(f.read_text(encoding="utf-8") for f in files)
        if re.search(r"CREATE\s+DATABASE\s+wuyeflow\b", text, re.I):
            creates_app_db = True
            assert re.search(r"CREATE\s+ROLE\s+wuyeflow\b", text, re.I), "the wuyeflow role is not created"
            assert "\\getenv" not in text or "WUYEFLOW_DB_PASSWORD" in env, "init script reads a variable the container lacks"
    assert creates_app_db, "nothing creates the wuyeflow database"
    assert (ROOT / "deploy/postgres-init/01-wuyeflow.sql").is_file()


# --- temporal ------------------------------------------------------------------------------


def test_temporal_server_uses_postgresql(services: dict[str, Any]) -> None:
    temporal = services["temporal"]
    assert temporal["image"].startswith(("temporalio/auto-setup:", "temporalio/server:"))
    env = as_dict(temporal["environment"])
    assert env.get("DB") in {"postgres12", "postgres12_pgx"}
    assert env.get("DB_PORT") == "5432"
    assert env.get("POSTGRES_SEEDS") == "postgresql"
    assert env.get("POSTGRES_USER") and env.get("POSTGRES_PWD")
    assert any(str(p).endswith("7233:7233") or str(p) == "7233" for p in temporal.get("ports", []))
    check = healthcheck_text(temporal)
    assert "operator cluster health" in check or "tctl" in check


def test_temporal_ui_points_at_the_temporal_service(services: dict[str, Any]) -> None:
    ui = services["temporal-ui"]
    assert ui["image"].startswith("temporalio/ui:")
    env = as_dict(ui["environment"])
    host, _, port = env["TEMPORAL_ADDRESS"].partition(":")
    assert host in services and services[host]["image"] == services["temporal"]["image"]
    assert port == "7233"
    assert any(str(p).endswith(":8080") or str(p) == "8080" for p in ui.get("ports", []))


def test_search_attributes(services: dict[str, Any]) -> None:
    service = services["temporal-register-search-attributes"]
    assert service["image"].startswith("temporalio/admin-tools:")
    assert service.get("restart", "no") in ("no", False), "a one-shot service must not restart"
    # the admin-tools entrypoint only sleeps, so the command must replace it
    assert service.get("entrypoint"), "without an entrypoint the admin-tools image just sleeps"
    env = as_dict(service.get("environment"))
    script = command_text(service)
    assert env.get("TEMPORAL_ADDRESS") == "temporal:7233" or "--address temporal:7233" in script

    creates = re.findall(r"search-attribute create\b((?:\\\n|[^\n])*)", script)
    assert creates, "no `temporal operator search-attribute create`"
    pairs = [re.findall(r"--name\s+(\S+)\s+--type\s+(\S+)", c) for c in creates]
    for create, found in zip(creates, pairs, strict=True):
        assert "--namespace default" in create
        assert found, "search-attribute create without --name/--type"
    registered = {name: kind for found in pairs for name, kind in found}
    assert set(registered) == EXPECTED_SEARCH_ATTRIBUTES
    assert set(registered.values()) == {"Keyword"}

    # the "already registered?" check must look for the same names, or a re-run would loop or lie
    checked = re.search(r"for name in ([^;\n]+);", script)
    if checked:
        assert set(checked.group(1).split()) == EXPECTED_SEARCH_ATTRIBUTES
    # compose would swallow a lone `$`: every shell variable must be written `$$`
    assert not re.search(r"\$[A-Za-z_({]", script.replace("$$", "")), "unescaped $ in the script"


def test_interpolation_helper_is_strict() -> None:
    # guards the helper the environment tests rely on
    assert interpolate("a${X:-d}b$$c", {}) == "adb$c"
    assert interpolate("${X:?need X}", {"X": "1"}) == "1"
    with pytest.raises(MissingVariable):
        interpolate("${X:?need X}", {"X": ""})


# --- retention and archival ------------------------------------------------------------------


def test_the_namespace_keeps_histories_as_long_as_the_settings_say(services: dict[str, Any]) -> None:
    app_env = as_dict(services["worker"]["environment"])
    days = interpolate(app_env["WUYEFLOW_TEMPORAL_RETENTION_DAYS"], DEPLOY_ENV)
    assert days == str(Settings.model_fields["temporal_retention_days"].default)  # the same default as the settings
    assert interpolate(app_env["WUYEFLOW_TEMPORAL_RETENTION_DAYS"], {**DEPLOY_ENV, "WUYEFLOW_TEMPORAL_RETENTION_DAYS": "90"}) == "90"
    # auto-setup creates the namespace with it, not with its own 24h default ...
    temporal_env = as_dict(services["temporal"]["environment"])
    assert interpolate(temporal_env["DEFAULT_NAMESPACE_RETENTION"], DEPLOY_ENV) == f"{days}d"
    # ... and a one-shot sets it on every start, for a namespace that already exists.
    setup = services["temporal-namespace-setup"]
    assert setup.get("restart", "no") in ("no", False) and setup.get("entrypoint")
    assert interpolate(as_dict(setup["environment"])["RETENTION_DAYS"], DEPLOY_ENV) == days
    script = command_text(setup)
    assert re.search(r"namespace update --namespace default --retention \"\$\$\{RETENTION_DAYS\}d\"", script)
    assert not re.search(r"\$[A-Za-z_({]", script.replace("$$", "")), "unescaped $ in the script"
    assert depends_on(setup).get("temporal") == "service_healthy"
    assert depends_on(services["worker"]).get("temporal-namespace-setup") == "service_completed_successfully"


def test_temporal_archives_a_second_copy_with_its_filestore_provider(compose: dict[str, Any], services: dict[str, Any]) -> None:
    script = command_text(services["temporal-namespace-setup"])
    uri = re.search(r"--history-archival-state enabled --history-uri (file://\S+)", script)
    assert uri, "history archival is not enabled on the namespace"
    directory = uri.group(1).removeprefix("file://")
    mounts = {str(v).split(":")[1]: str(v).split(":")[0] for v in services["temporal"].get("volumes", [])}
    mounted = [target for target in mounts if directory.startswith(target.rstrip("/") + "/")]
    assert mounted, f"{directory} is not on a volume: the archived copy would go with the container"
    volume = mounts[mounted[0]]
    assert volume in (compose.get("volumes") or {})
    # The server runs as uid 1000; a new named volume belongs to root until the one-shot hands it over.
    init = services["temporal-archival-volume"]
    assert "chown" in command_text(init) and "1000:1000" in command_text(init)
    assert any(str(v).startswith(f"{volume}:") for v in init.get("volumes", []))
    assert depends_on(services["temporal"]).get("temporal-archival-volume") == "service_completed_successfully"


def test_dockerfile_ships_bytecode_for_the_workflow_sandbox() -> None:
    """The workflow sandbox imports workflow modules afresh: for every workflow type when a worker
    starts (its check of each definition), for every new workflow instance (every case, every replay
    after a cache eviction). The image sets PYTHONDONTWRITEBYTECODE and the app user cannot write
    /app, so without bytecode built into the image each of these imports compiled the source again."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    instructions = _joined(lines)
    user_at = next(n for n, i in enumerate(instructions) if i.startswith("USER "))
    compiles = [n for n, i in enumerate(instructions) if re.match(r"RUN\s+.*python -m compileall\b", i)]
    assert compiles and compiles[0] < user_at, "no `python -m compileall` of /app before the image drops root"
    # The whole work tree: the sandbox imports workflows, core and whatever they import outside the pass-through list.
    assert re.search(r"compileall\b.*\s(/app|\.)/?(\s|&&|$)", instructions[compiles[0]]), "compileall must cover /app"


def _joined(lines: list[str]) -> list[str]:
    """Dockerfile instructions with their continuation lines (a trailing backslash) joined."""
    out: list[str] = []
    carry = ""
    for line in lines:
        if line.endswith("\\"):
            carry += line[:-1] + " "
        else:
            out.append(carry + line)
            carry = ""
    return out
