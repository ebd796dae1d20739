"""The benchmark's CPU accounting: a PostgreSQL cluster's backends count while they live."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from bench.stack import cluster_cpu_seconds

# A child that, as every PostgreSQL backend does, leads a session of its own, then burns CPU and waits.
BACKEND = "import os, time; os.setsid(); end = time.process_time() + 0.5\nwhile time.process_time() < end: pass\ntime.sleep(30)"


def test_a_living_child_in_a_session_of_its_own_counts_with_its_parent() -> None:
    before = cluster_cpu_seconds(os.getpid())
    child = subprocess.Popen([sys.executable, "-c", BACKEND])
    try:
        deadline = time.monotonic() + 20
        while cluster_cpu_seconds(os.getpid()) - before < 0.5 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert child.poll() is None, "the child must still live: a reaped child counts anyway"
        assert cluster_cpu_seconds(os.getpid()) - before >= 0.5
    finally:
        child.kill()
        child.wait()
