"""The one place a Temporal client is built, for the API, the worker, tools and tests."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.service import RPCError, TLSConfig

from core.settings import Settings

# Workflow and activity payloads are our pydantic models; every client uses this converter.
DATA_CONVERTER = pydantic_data_converter


def tls_config(settings: Settings) -> TLSConfig | bool:
    """Mutual TLS to the frontend when a client certificate is configured (production); plain otherwise.

    The compose file's Temporal requires a client certificate signed by the stack's CA, so only
    our API and workers (and the operators' tools that hold one) connect (deploy/README.md).
    """
    if not settings.temporal_tls_cert:
        return False
    if not (settings.temporal_tls_key and settings.temporal_tls_ca):
        raise ValueError("WUYEFLOW_TEMPORAL_TLS_CERT needs WUYEFLOW_TEMPORAL_TLS_KEY and WUYEFLOW_TEMPORAL_TLS_CA")
    return TLSConfig(
        server_root_ca_cert=Path(settings.temporal_tls_ca).read_bytes(),
        client_cert=Path(settings.temporal_tls_cert).read_bytes(),
        client_private_key=Path(settings.temporal_tls_key).read_bytes(),
        domain=settings.temporal_tls_server_name,
    )


async def connect(settings: Settings) -> Client:
    """Connect with the pydantic data converter, so workflow payloads are our pydantic models."""
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=DATA_CONVERTER,
        tls=tls_config(settings),
    )


async def namespace_retention(client: Client) -> timedelta:
    """How long the server keeps a closed workflow's history in the client's namespace."""
    described = await client.workflow_service.describe_namespace(DescribeNamespaceRequest(namespace=client.namespace))
    return described.config.workflow_execution_retention_ttl.ToTimedelta()


async def check_retention(client: Client, settings: Settings, log: Any) -> bool:
    """Warn when the namespace keeps histories for another period than the settings say; True when it matches.

    The retention is set where the namespace is made (`make run`, the compose file's one-shot
    service); the worker only checks, it needs no rights to change the namespace.
    """
    expected = timedelta(days=settings.temporal_retention_days)
    try:
        actual = await namespace_retention(client)
    except RPCError as exc:  # a worker without the right to describe the namespace still runs
        log.warning("the namespace's retention could not be read", namespace=client.namespace, error=exc.message)
        return False
    if actual != expected:
        log.warning("the namespace's retention differs from WUYEFLOW_TEMPORAL_RETENTION_DAYS",
                    namespace=client.namespace, retention_days=actual / timedelta(days=1),
                    expected_days=settings.temporal_retention_days)
        return False
    return True
