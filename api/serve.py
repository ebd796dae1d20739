"""Serve the API with ``api_processes`` processes: `make run`, `make api` and the Docker image.

uvicorn's supervisor starts the processes (``--workers``), each of which builds its own app
(``api.main:app``) with its own pools, caches and limits, on one listening socket that the
kernel hands connections from; it restarts a process that dies. One process is served without a
supervisor. What has to agree across processes lives in the database, not in a process
(README, "Several API processes").
"""

from __future__ import annotations

import argparse

import uvicorn

from core.settings import get_settings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m api.serve", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--processes", type=int, default=None, help="overrides WUYEFLOW_API_PROCESSES (0 or unset: one per CPU)")
    args = parser.parse_args(argv)
    processes = args.processes or get_settings().api_process_count
    uvicorn.run("api.main:app", host=args.host, port=args.port, workers=processes if processes > 1 else None)


if __name__ == "__main__":
    main()
