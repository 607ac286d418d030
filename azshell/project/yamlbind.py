"""YAML for Flow 2.0 files, read the way SnakeYAML binds it to Azkaban's beans.

Azkaban binds ``.flow`` files to typed Java beans (``NodeBean``: ``Map<String, String>`` config,
``List<String>`` dependsOn), so scalars keep their text: ``retries: 3`` is the string ``"3"`` and
``yes`` stays ``"yes"``. Composing the YAML and converting nodes ourselves gives the same result;
a key the bean does not have fails the binding, as in SnakeYAML.
"""

from __future__ import annotations

from typing import Any

import yaml

NULL_TAG = "tag:yaml.org,2002:null"


class BindError(Exception):
    """The YAML does not fit the bean; the message mimics SnakeYAML's."""


def compose_text(text: str) -> Any:
    """YAML text -> plain data where every non-null scalar is its source text."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise BindError(str(exc).replace("\n", " ")) from None
    return _convert(node) if node is not None else None


def _convert(node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return None if node.tag == NULL_TAG else node.value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item) for item in node.value]
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node)
            if isinstance(key, (list, dict)):
                raise BindError("mapping keys must be scalars")
            result[key] = _convert(value_node)
        return result
    raise BindError(f"unsupported YAML node {node.tag}")  # pragma: no cover - aliases resolved


def expect_mapping(value: Any, bean: str) -> dict[str, Any] | None:
    """A bean-typed value: a mapping or null."""
    if value is None or isinstance(value, dict):
        return value
    raise BindError(f"No single argument constructor found for class azkaban.project.{bean}")


def expect_string(value: Any, prop: str, bean: str) -> str | None:
    """A ``String`` property: a scalar or null."""
    if value is None or isinstance(value, str):
        return value
    raise BindError(
        f"Cannot create property={prop} for JavaBean=azkaban.project.{bean}; "
        "No single argument constructor found for class java.lang.String"
    )


def expect_string_list(value: Any, prop: str, bean: str) -> list[str] | None:
    """A ``List<String>`` property."""
    if value is None:
        return None
    if isinstance(value, list) and all(isinstance(v, str) or v is None for v in value):
        return [v if v is not None else "null" for v in value]
    raise BindError(
        f"Cannot create property={prop} for JavaBean=azkaban.project.{bean}; "
        f"'{prop}' must be a list of strings"
    )


def expect_string_map(value: Any, prop: str, bean: str) -> dict[str, str] | None:
    """A ``Map<String, String>`` property (a null value is kept as an empty string)."""
    if value is None:
        return None
    if isinstance(value, dict) and all(
        isinstance(v, str) or v is None for v in value.values()
    ):
        return {str(k): (v if v is not None else "") for k, v in value.items()}
    raise BindError(
        f"Cannot create property={prop} for JavaBean=azkaban.project.{bean}; "
        f"'{prop}' must map names to strings"
    )


def reject_unknown(mapping: dict[str, Any], known: tuple[str, ...], bean: str) -> None:
    """SnakeYAML refuses a key the bean has no property for."""
    for key in mapping:
        if key not in known:
            raise BindError(
                f"Cannot create property={key} for JavaBean=azkaban.project.{bean}; "
                f"Unable to find property '{key}' on class: azkaban.project.{bean}"
            )
