"""`make run`: the whole system on one machine, with the embedded defaults.

Starts the Temporal dev server (file-backed under ``.data/``, Web UI on 8233, our search
attributes registered, the namespace's retention set from the settings), migrates and seeds the
database, starts the worker and the API, prints the URLs and a token per demo role, and stops
everything it started on Ctrl+C.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from core.registry import search_attribute_names
from core.settings import Settings, get_settings

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
BIN = Path(sys.executable).parent


def _port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.3)
        return s.connect_ex((host, port)) == 0


def _wait_for_port(port: int, what: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _port_open(port):
            return
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with code {proc.returncode}; see {DATA}/*.log")
        time.sleep(0.3)
    raise SystemExit(f"{what} did not open port {port} within {timeout:.0f}s")


def _say(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def set_namespace_retention(address: str, namespace: str, days: int, temporal: Path = BIN / "temporal") -> None:
    """Keep closed histories ``days`` days in the namespace, instead of the dev server's default of 24 hours."""
    subprocess.run(
        [str(temporal), "operator", "namespace", "update", "--address", address, "--namespace", namespace,
         "--retention", f"{days * 24}h"],
        check=True, capture_output=True, text=True,
    )


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


class _Processes:
    """The processes `make run` started, each logging to .data/<name>.log; stopped newest first."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.procs: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = open(DATA / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process at exit
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append((name, proc))
        return proc

    def watch(self) -> None:
        """Wait until Ctrl+C or until one of the processes dies."""
        while all(p.poll() is None for _, p in self.procs):
            time.sleep(0.5)
        dead = [n for n, p in self.procs if p.poll() is not None]
        _say(f"{', '.join(dead)} stopped unexpectedly; see .data/{dead[0]}.log")

    def stop(self) -> None:
        for name, proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT if name != "temporal" else signal.SIGTERM)
        for _name, proc in reversed(self.procs):
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        _say("stopped: temporal, worker, api (data kept in .data/)")


def _temporal_args() -> list[str]:
    """The dev server on loopback, its history in .data/, with every registered search attribute."""
    args = [
        str(BIN / "temporal"), "server", "start-dev", "--ip", "127.0.0.1", "--port", "7233", "--ui-port", "8233",
        "--db-filename", str(DATA / "temporal.db"), "--log-level", "warn",
        "--sqlite-pragma", "journal_mode=wal", "--sqlite-pragma", "synchronous=normal",
    ]
    for name in search_attribute_names():
        args += ["--search-attribute", f"{name}=Keyword"]
    return args


def _announce(settings: Settings, tokens: str) -> None:
    _say()
    _say("wuyeflow is running")
    _say("  Workbench      http://127.0.0.1:8000/   (工作台: pick a demo user to sign in)")
    _say(f"  API            http://127.0.0.1:8000   (OpenAPI: http://127.0.0.1:8000/docs; {settings.api_process_count} processes)")
    _say("  Temporal UI    http://127.0.0.1:8233")
    _say("  Temporal gRPC  127.0.0.1:7233")
    _say(f"  logs           {DATA}/{{temporal,worker,api}}.log")
    _say(f"  histories      Temporal keeps closed ones {settings.temporal_retention_days} days; "
         f"the archive ({settings.archive_store}) keeps them for good")
    _say()
    _say("Demo tokens (also in .data/tokens.sh: `source .data/tokens.sh`):")
    _say(tokens)
    _say("Ctrl+C stops everything.")


def main() -> None:
    DATA.mkdir(exist_ok=True)
    env = {**os.environ, "WUYEFLOW_SEARCH_ATTRIBUTES": "true", "WUYEFLOW_DEMO_PERIODS": "true", "PYTHONUNBUFFERED": "1"}
    for port, what in ((7233, "Temporal"), (8233, "Temporal Web UI"), (8000, "the API")):
        if _port_open(port):
            raise SystemExit(f"port {port} ({what}) is already in use: stop whatever runs there first")
    processes = _Processes(env)
    # Explicit handlers: a shell may start us with SIGINT ignored (e.g. in the background).
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        _say("starting Temporal dev server ...")
        temporal = processes.start("temporal", _temporal_args())
        _wait_for_port(7233, "Temporal", temporal)
        _wait_for_port(8233, "Temporal Web UI", temporal)
        settings = get_settings()
        set_namespace_retention("127.0.0.1:7233", settings.temporal_namespace, settings.temporal_retention_days)
        _say("migrating and seeding the database ...")
        subprocess.run([str(BIN / "alembic"), "upgrade", "heads"], cwd=ROOT, env=env, check=True)
        subprocess.run([sys.executable, "-m", "db.seed"], cwd=ROOT, env=env, check=True)
        processes.start("worker", [sys.executable, "worker.py"])
        # One API process per CPU (WUYEFLOW_API_PROCESSES), as in production: api/serve.py.
        api = processes.start("api", [sys.executable, "-m", "api.serve", "--host", "127.0.0.1", "--port", "8000"])
        _wait_for_port(8000, "the API", api)
        tokens = subprocess.run([sys.executable, "-m", "api.tokens"], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
        (DATA / "tokens.sh").write_text(tokens, encoding="utf-8")
        _announce(settings, tokens)
        processes.watch()
    except KeyboardInterrupt:
        pass
    finally:
        processes.stop()


if __name__ == "__main__":
    main()
