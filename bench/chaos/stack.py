"""The fault suite's processes: bench's stack (Temporal dev server, worker, API) on its own PostgreSQL.

Unlike the benchmarks it kills and restarts them: the API always comes back on the same port
and Temporal on the same port with the same data file, as a supervisor would restart them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field

from bench.chaos.pg import Cluster
from bench.stack import BIN, HOST, ROOT, Proc, Stack, free_port

TASK_QUEUE = "wuyeflow-chaos"


@dataclass
class ChaosStack(Stack):
    """Temporal, ``workers`` worker processes and one API, against ``cluster``; every one can be killed."""

    cluster: Cluster | None = None
    workers: int = 1
    api_port: int = field(default_factory=free_port)

    def env(self, task_queue: str = TASK_QUEUE, **extra: str) -> dict[str, str]:
        # The demo's compressed periods (2-minute public notice), which only a development run may use.
        return super().env(task_queue, WUYEFLOW_ENV="development", WUYEFLOW_DEMO_PERIODS="true", **extra)

    def prepare_database(self, database_url: str | None = None, migrate_only: bool = False) -> None:
        if not migrate_only:
            super().prepare_database(database_url)
            return
        subprocess.run([str(BIN / "alembic"), "upgrade", "heads"], cwd=ROOT, env=self.env(), check=True, capture_output=True)

    def reconcile(self) -> str:
        """deploy/README.md's restore step: ``python -m core.reconcile``; its summary line (the checks afterwards judge the cases)."""
        done = subprocess.run([sys.executable, "-m", "core.reconcile"], cwd=ROOT, env=self.env(), check=False,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            return f"reconcile FAILED ({done.returncode}): {done.stdout[-1000:]}{done.stderr[-1000:]}"
        return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    @property
    def api_url(self) -> str:
        return f"http://{HOST}:{self.api_port}"

    def start_workers(self) -> None:
        for _ in range(self.workers - len(self.alive("worker"))):
            self.start("worker", [sys.executable, "worker.py"], self.env())

    def start_fixed_api(self) -> Proc:
        args = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", HOST, "--port", str(self.api_port), "--no-access-log"]
        proc = self.start("api", args, self.env())
        self.wait_port(self.api_port, proc)
        return proc

    def alive(self, name: str) -> list[Proc]:
        return [p for p in self.procs if p.name == name and p.alive()]

    def kill(self, name: str, sig: signal.Signals = signal.SIGKILL) -> int:
        """Send ``sig`` to every process called ``name`` (its whole group) and forget them; returns how many."""
        victims = [p for p in self.procs if p.name == name]
        for proc in victims:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.popen.wait(timeout=5)
            self.procs.remove(proc)
        return len(victims)

    def kill_one_worker(self) -> None:
        proc = self.alive("worker")[0]
        os.killpg(proc.pid, signal.SIGKILL)
        proc.popen.wait(timeout=10)
        self.procs.remove(proc)

    def ensure_up(self) -> None:
        """Everything running again (between faults): PostgreSQL, Temporal, the workers, the API."""
        if self.cluster is not None and not self.cluster.running():
            self.cluster.start()
        if not self.alive("temporal"):
            self.kill("temporal")
            self.start_temporal()
        self.start_workers()
        if not self.alive("api"):
            self.kill("api")
            self.start_fixed_api()
