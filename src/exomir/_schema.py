"""The config schema, the one home of every config default.

``workflow/schemas/config.schema.yaml`` gives each key its type, limits, description and
default. The workflow validates its config with :func:`snakemake.utils.validate`, which fills
in the defaults; :func:`with_defaults` does the same for library users who hold a partial
mapping (the same JSON-schema validator, extended to set defaults as Snakemake's is), and the
settings classes take their field defaults from :func:`schema_defaults`, so that no default is
written twice.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError

#: The config schema of the workflow (the package is installed from its checkout).
SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"


@functools.cache
def load_schema() -> dict[str, Any]:
    """The parsed config schema (read once)."""
    import yaml

    if not SCHEMA.is_file():
        raise ConfigError(
            "the config schema is missing",
            path=SCHEMA,
            hint="install exomir from its repository checkout (pip install -e .)",
        )
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with open(SCHEMA, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)


def _subschema(section: str | None) -> dict[str, Any]:
    """The schema of a dotted config section (``enrichment.empirical``), ``$defs`` kept."""
    root = load_schema()
    schema = root
    for part in section.split(".") if section else ():
        properties = schema.get("properties", {})
        if part not in properties:
            raise ValueError(f"the config schema has no section {section!r}")
        schema = properties[part]
    return {"$defs": root.get("$defs", {}), **schema}


def schema_defaults(section: str) -> dict[str, Any]:
    """The defaults the schema gives the keys of ``section`` (keys without one are left out)."""
    properties = _subschema(section).get("properties", {})
    return {
        key: copy.deepcopy(spec["default"]) for key, spec in properties.items() if "default" in spec
    }


def _validator(schema: Mapping[str, Any]) -> Any:
    """A draft 2020-12 validator that fills in defaults as it validates (as Snakemake's)."""
    from jsonschema import Draft202012Validator, validators

    check_properties = Draft202012Validator.VALIDATORS["properties"]

    def set_defaults(validator: Any, properties: dict, instance: Any, schema: dict) -> Iterator:
        if isinstance(instance, dict):
            for key, spec in properties.items():
                if "default" in spec:
                    instance.setdefault(key, copy.deepcopy(spec["default"]))
        yield from check_properties(validator, properties, instance, schema)

    filling = validators.extend(Draft202012Validator, {"properties": set_defaults})
    return filling(schema)


def with_defaults(config: Mapping[str, Any], section: str | None = None) -> dict[str, Any]:
    """A copy of ``config`` validated against the schema, with every default filled in.

    ``section`` (dotted, e.g. ``"enrichment"`` or ``"enrichment.empirical"``) validates a
    mapping of that section only, for building one settings object::

        EnrichmentSettings.from_config(with_defaults({"min_size": 5}, "enrichment"))

    Raises :class:`~exomir.errors.ConfigError` naming the first invalid key.
    """
    filled = copy.deepcopy(dict(config))
    error = next(iter(_validator(_subschema(section)).iter_errors(filled)), None)
    if error is not None:
        where = ".".join(str(p) for p in (*(section.split(".") if section else ()), *error.path))
        raise ConfigError(
            f"invalid config{' key ' + where if where else ''}: {error.message}",
            hint="see the descriptions in workflow/schemas/config.schema.yaml",
        )
    return filled


def require_keys(section: Mapping[str, Any], keys: Iterable[str], where: str) -> None:
    """Raise :class:`ConfigError` when a validated config section lacks any of ``keys``.

    A section read by a settings class has passed the schema, which fills every default; a
    missing key means the mapping did not (a hand-made dict).
    """
    missing = [k for k in keys if k not in section]
    if missing:
        raise ConfigError(
            f"config section {where} lacks key(s) {', '.join(missing)}",
            hint="validate the config against the schema first: "
            f"exomir.config.with_defaults(section, {where!r}) fills in the defaults",
        )
