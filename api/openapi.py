"""The OpenAPI document: a case answer is a union discriminated by its process, each with its facts schema.

Every route that answers a case validates it as ``CaseRead`` (facts are produced by the process's
typed facts model inside its workflow). The published schema says more: ``CaseRead`` is one of
``<Process>CaseRead``, told apart by ``process``, whose ``facts`` is that process's facts model.
The union is built from the registry when the document is generated, so a newly registered
process appears in it with no further change.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic.json_schema import models_json_schema

from api.errors import document_problems
from core.registry import REGISTRY

REF = "#/components/schemas/"


def _schema_name(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("-")) + "CaseRead"


def case_union(schemas: dict[str, Any]) -> None:
    """Replace the generic ``CaseRead`` schema by the discriminated union of every registered process."""
    base = schemas.get("CaseRead")
    if base is None:
        return
    typed = [s for s in REGISTRY.specs() if s.facts_model is not None]
    _, defs = models_json_schema([(s.facts_model, "serialization") for s in typed if s.facts_model], ref_template=REF + "{model}")
    schemas.update(defs.get("$defs", {}))
    schemas["GenericCaseRead"] = base
    variants: dict[str, str] = {}
    for spec in typed:
        assert spec.facts_model is not None
        name = _schema_name(spec.kind)
        schemas[name] = {
            "title": f"{spec.label} ({spec.kind})",
            "allOf": [
                {"$ref": REF + "GenericCaseRead"},
                {
                    "type": "object",
                    "properties": {
                        "process": {"const": spec.kind},
                        "facts": {"$ref": REF + spec.facts_model.__name__},
                    },
                },
            ],
        }
        variants[spec.kind] = REF + name
    schemas["CaseRead"] = {
        "oneOf": [{"$ref": ref} for ref in variants.values()] + [{"$ref": REF + "GenericCaseRead"}],
        "discriminator": {"propertyName": "process", "mapping": variants},
        "description": "A case; `process` tells which process's facts it carries.",
    }


def install_openapi(app: FastAPI) -> None:
    """Generate the document once, with the case union, when it is first asked for."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            doc = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            case_union(doc.get("components", {}).get("schemas", {}))
            document_problems(doc)
            app.openapi_schema = doc
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to customise the document
