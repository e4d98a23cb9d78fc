"""Export files of Azure facts, in every shape users produce them, turned into `model` records.

Shapes: Azure CLI `-o json` (camelCase lists; `az vm list-usage` numbers as strings),
PowerShell `ConvertTo-Json` (PascalCase; one item as an object; enums as integers; nested
objects cut to type names without `-Depth`), raw REST bodies (`{"value": [...]}`),
`Invoke-AzRestMethod` results saved whole, and REST-spec examples. The live path hands REST
bodies (and SDK models serialized to the wire shape) to the same parsers.

`load` names the file in its problems; parsers cannot, so their messages are predicates for
the caller to put after the file name ("holds no VM sizes (it looks like …)").
"""

from __future__ import annotations

import contextlib
import http
import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from checks.azure.model import (
    Account,
    Feature,
    Group,
    NameAvailability,
    PermissionSet,
    ProviderTypes,
    Region,
    Resource,
    Restriction,
    Sku,
    Usage,
)
from readiness.connector import display_path
from readiness.files import InputFileError, read_input
from readiness.text import display, quoted, shorten

MAX_EXPORT_BYTES = 64 * 1024 * 1024

_DEPTH_HINT = "re-export with `ConvertTo-Json -Depth 10`"
_RESOURCE_GROUP_TYPE = "microsoft.resources/resourcegroups"
# PowerShell writes these enums of Get-AzComputeResourceSku as their integer values.
_RESTRICTION_TYPES = ("Location", "Zone")
_REASON_CODES = ("QuotaId", "NotAvailableForSubscription")
_WRAPPER_KEYS = {"value", "nextlink", "count", "@odata.nextlink", "@odata.count", "@odata.context"}
_INTEGER = re.compile(r"[+-]?[0-9]{1,30}")
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TYPE_NAME = re.compile(r"(?:System|Microsoft)\.[\w.`+]*(?:\[[^\s]*\])?")
_STATUS_NAMES = {
    s.phrase.replace(" ", "").replace("-", "").lower(): s.value for s in http.HTTPStatus
}

_LOOKS_LIKE = {
    "usage": "a vCPU usage export",
    "sku": "a VM size (SKU) export",
    "provider": "a resource provider export",
    "permissions": "a permissions export",
    "name": "a name-availability answer",
    "feature": "a feature registration export",
    "account": "an account or context export",
    "group": "a resource group list",
    "resource": "a resource list",
    "region": "a region list",
}


class ExportProblem(Exception):
    """Why a file cannot be used, in one line (no traceback, no file contents echoed at length)."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- reading a file ---------------------------------------------------------------------------


def load(path: Path, what: str) -> Any:
    """The JSON document of an export file, unwrapped from `Invoke-AzRestMethod` output and from
    REST-spec examples; `[]` for an empty file."""
    name = display_path(path)
    try:
        data = read_input(path, MAX_EXPORT_BYTES, what)
    except InputFileError as exc:
        raise ExportProblem(f"{name} {exc.message}") from None
    text = _decode(data, name)
    if not text.strip():
        return []  # PowerShell writes nothing at all for an empty result
    doc = _json(text, name)
    doc = _unwrap_rest_method(doc, name)
    doc = _unwrap_spec_example(doc, name)
    error = _arm_error(doc)
    if error is not None:
        raise ExportProblem(f"{name} holds an Azure error response, not an export: {error}")
    return doc


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        encoding = "utf-32"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    elif len(data) >= 2 and data[0] == 0 and data[1] != 0:
        encoding = "utf-16-be"  # JSON begins with an ASCII character: its zero byte tells
    elif len(data) >= 2 and data[0] != 0 and data[1] == 0:
        encoding = "utf-16-le"
    else:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            # Windows PowerShell's Set-Content writes the ANSI code page; the JSON syntax and
            # the names pxready needs are ASCII either way.
            return data.decode("cp1252", errors="replace")
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise ExportProblem(f"{name} is not valid {encoding.upper()} text ({exc.reason})") from None


def _json(text: str, subject: str) -> Any:
    """`text` parsed; `subject` ("azure/usage.json") starts the problem's message."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        detail = f"line {exc.lineno}, column {exc.colno}: {exc.msg}"
        if exc.pos == len(text) - len(text.lstrip()) and text.strip():
            detail += f"; it begins {quoted(text.strip().splitlines()[0])}"
        raise ExportProblem(f"{subject} is not JSON ({detail})") from None
    except RecursionError:
        raise ExportProblem(f"{subject} is JSON nested more deeply than pxready reads") from None
    except ValueError:  # an integer of more digits than Python converts
        raise ExportProblem(f"{subject} holds a number too long for pxready to read") from None


def _unwrap_rest_method(doc: Any, name: str) -> Any:
    """The body of an `Invoke-AzRestMethod` result saved whole."""
    if not isinstance(doc, Mapping):
        return doc
    fields = _fields(doc)
    if "statuscode" not in fields or "content" not in fields:
        return doc
    content = fields["content"]
    status = _status(fields["statuscode"])
    if status is None or not 200 <= status < 300:
        raw = fields["statuscode"]
        shown = status if status is not None else quoted(raw) if isinstance(raw, str) else "?"
        error = None
        with contextlib.suppress(ValueError, RecursionError):  # the status alone says enough
            error = _arm_error(json.loads(content) if isinstance(content, str) else content)
        reason = f": {error}" if error else ""
        raise ExportProblem(f"{name} records a failed Azure request (HTTP {shown}{reason})")
    if isinstance(content, str):
        subject = f"{name} is Invoke-AzRestMethod output whose Content"
        return _json(content, subject) if content.strip() else []
    return content if content is not None else []


def _status(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 100 <= value <= 999 else None
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[0-9]{3}", text):
            return int(text)
        return _STATUS_NAMES.get(text.lower())  # PowerShell's -EnumsAsStrings: "OK", "NotFound"
    return None


def _unwrap_spec_example(doc: Any, name: str) -> Any:
    """The HTTP body of a REST-spec example (`{"parameters", "responses": {"200": {"body"}}}`)."""
    if not isinstance(doc, Mapping):
        return doc
    responses = _fields(doc).get("responses")
    if not isinstance(responses, Mapping) or "parameters" not in _fields(doc):
        return doc
    for code in ("200", *sorted(k for k in responses if isinstance(k, str) and k[:1] == "2")):
        response = responses.get(code)
        if isinstance(response, Mapping) and "body" in _fields(response):
            return _fields(response)["body"]
    raise ExportProblem(f"{name} is a REST API example without a successful response body")


def _arm_error(doc: Any) -> str | None:
    """`CODE: message` of an ARM error envelope `{"error": {"code", "message"}}`, else None."""
    if not isinstance(doc, Mapping):
        return None
    error = _fields(doc).get("error")
    if not isinstance(error, Mapping):
        return None
    fields = _fields(error)
    code, message = fields.get("code"), fields.get("message")
    if not isinstance(code, str) and not isinstance(message, str):
        return None
    parts = [p for p in (code, message) if isinstance(p, str) and p]
    return shorten(display(": ".join(parts)), 240) if parts else "no details"


# --- what a document is -----------------------------------------------------------------------


def _fields(obj: Mapping[Any, Any]) -> dict[str, Any]:
    """The keys of a JSON object lower-cased (the first spelling wins)."""
    lowered: dict[str, Any] = {}
    for key, value in obj.items():
        if isinstance(key, str):
            lowered.setdefault(key.lower(), value)
    return lowered


def _kind(fields: dict[str, Any]) -> str | None:
    """Which export an entry belongs to, from its keys; None when it is not recognised."""
    keys = fields.keys()
    type_ = fields.get("type")
    type_ = type_.lower() if isinstance(type_, str) else ""
    if _arm_error(fields) is not None:
        return "error"
    if "currentvalue" in keys and "limit" in keys:
        return "usage"
    if keys & {"capabilities", "locationinfo", "restrictions"} or (
        "resourcetype" in keys and keys & {"tier", "size", "family"}
    ):
        return "sku"
    if keys & {"resourcetypes", "providernamespace"} or keys >= {"namespace", "registrationstate"}:
        return "provider"
    if keys & {"actions", "notactions"}:
        return "permissions"
    if keys & {"valid", "nameavailable", "abscode"}:
        return "name"
    if "featurename" in keys or type_.startswith("microsoft.features/"):
        return "feature"
    if ("subscription" in keys and keys & {"account", "tenant"}) or (
        "tenantid" in keys and keys & {"user", "isdefault", "subscriptionpolicies"}
    ):
        return "account"
    if type_ == _RESOURCE_GROUP_TYPE or (
        "resourcegroupname" in keys and not keys & {"resourcetype", "type"}
    ):
        return "group"
    resource_type = fields.get("resourcetype")
    if isinstance(fields.get("name"), str) and (
        "/" in type_
        or (isinstance(resource_type, str) and "/" in resource_type)
        or "resourcegroup" in keys
    ):
        return "resource"
    if "displayname" in keys and keys & {
        "regionaldisplayname",
        "metadata",
        "providers",
        "latitude",
    }:
        return "region"
    return None


def _looks_like(fields: dict[str, Any]) -> str:
    kind = _kind(fields)
    if kind == "error":
        return f"an Azure error response: {_arm_error(fields)}"
    return _LOOKS_LIKE.get(kind or "", "")


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "a list"
    return "an object"


def _items(doc: Any, noun: str) -> list[dict[str, Any]]:
    """The entries of a list export: a list, a REST `{"value": [...]}`, or one object."""
    if doc is None:
        return []
    if isinstance(doc, Mapping):
        fields = _fields(doc)
        if isinstance(fields.get("value"), list | tuple) and set(fields) <= _WRAPPER_KEYS:
            doc = fields["value"]  # REST, and Windows PowerShell's {"value": [...], "Count": n}
        else:
            return [fields]
    if not isinstance(doc, list | tuple):
        raise ExportProblem(f"holds no {noun} (it is {_describe(doc)}, not a list or an object)")
    items = []
    for index, item in enumerate(doc, 1):
        if item is None:
            continue
        if not isinstance(item, Mapping):
            raise ExportProblem(
                f"holds no {noun} (its entry {index} is {_describe(item)}, not an object"
                f"{_depth_note(item)})"
            )
        items.append(_fields(item))
    return items


def _expect(fields: dict[str, Any], kind: str, noun: str) -> None:
    """Refuse an entry that belongs to another kind of export."""
    found = _kind(fields)
    if found is not None and found != kind:
        raise ExportProblem(f"holds no {noun} (it looks like {_looks_like(fields)})")


def _missing(noun: str, fields: dict[str, Any], index: int, field: str) -> ExportProblem:
    looks = _looks_like(fields)
    if looks:
        return ExportProblem(f"holds no {noun} (it looks like {looks})")
    keys = ", ".join(list(fields)[:6]) or "no keys"
    return ExportProblem(
        f"holds no {noun} (entry {index} has no {field}; its keys: {shorten(display(keys), 80)})"
    )


# --- values -----------------------------------------------------------------------------------


def _is_type_name(value: str) -> bool:
    """A value PowerShell's ConvertTo-Json wrote in place of an object deeper than its depth."""
    text = value.strip()
    if text.startswith("@{") and text.endswith("}"):
        return True
    tokens = text.split()
    return bool(tokens) and all(_TYPE_NAME.fullmatch(t) for t in tokens)


def _depth_note(value: Any) -> str:
    if isinstance(value, str) and _is_type_name(value):
        return f": {quoted(value, 60)}, a type name PowerShell writes past its depth; {_DEPTH_HINT}"
    return ""


def _truncated(where: str, field: str, value: Any, expected: str) -> ExportProblem:
    if isinstance(value, str):
        note = (
            "PowerShell's ConvertTo-Json wrote a type name past its default depth"
            if _is_type_name(value)
            else "if this is a PowerShell export, ConvertTo-Json cut it at its default depth"
        )
        return ExportProblem(
            f"has {where} whose {field} is {quoted(value, 60)} where {expected} is expected "
            f"({note}: {_DEPTH_HINT})"
        )
    return ExportProblem(
        f"has {where} whose {field} is {_describe(value)} where {expected} is expected"
    )


def _text(fields: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = fields.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _object(value: Any, where: str, field: str) -> dict[str, Any] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return _fields(value)
    raise _truncated(where, field, value, "an object")


def _strings(value: Any, where: str, field: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise _truncated(where, field, value, "a list")
    result = []
    for item in value:
        if not isinstance(item, str):
            raise ExportProblem(
                f"has {where} whose {field} holds {_describe(item)} where text is expected"
            )
        result.append(item)
    return tuple(result)


def _objects(value: Any, where: str, field: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, Mapping):
        return [_fields(value)]
    if not isinstance(value, list | tuple):
        raise _truncated(where, field, value, "a list")
    result = []
    for item in value:
        if item is None:
            continue
        if not isinstance(item, Mapping):
            raise _truncated(where, f"{field} entry", item, "an object")
        result.append(_fields(item))
    return result


def _integer(value: Any, where: str, field: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    shown = quoted(value, 40) if isinstance(value, str | float) else _describe(value)
    raise ExportProblem(f"has {where} whose {field} is {shown}, not a whole number")


def _boolean(value: Any, where: str, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    shown = quoted(value, 40) if isinstance(value, str) else _describe(value)
    raise ExportProblem(f"has {where} whose {field} is {shown}, not true or false")


def _enum(value: Any, names: tuple[str, ...], where: str, field: str) -> str:
    """A string enum; PowerShell writes its integer value."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 0 <= value < len(names):
            return names[value]
        shown = value if abs(value) < 10**6 else "a number"
        raise ExportProblem(f"has {where} whose {field} is {shown}, not one pxready knows")
    if isinstance(value, str) and value.strip():
        text = value.strip()
        return next((n for n in names if n.lower() == text.lower()), text)
    raise ExportProblem(f"has {where} without a {field}")


def _label(index: int, name: str | None) -> str:
    return f"entry {index} ({quoted(name, 60)})" if name else f"entry {index}"


def _group_of(fields: dict[str, Any]) -> str | None:
    """The resource group named by `resourceGroup(Name)` or by the resource id."""
    group = _text(fields, "resourcegroup", "resourcegroupname")
    if group:
        return group
    ident = _text(fields, "id", "resourceid") or ""
    parts = ident.split("/")
    for index, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups" and parts[index + 1]:
            return parts[index + 1]
    return None


# --- parsers ----------------------------------------------------------------------------------


def parse_locations(doc: Any) -> list[Region]:
    """The regions of `az account list-locations`, `Get-AzLocation` or the locations API."""
    regions = []
    for index, fields in enumerate(_items(doc, "regions"), 1):
        _expect(fields, "region", "regions")
        name = _text(fields, "name", "location")
        if name is None:
            raise _missing("regions", fields, index, "name")
        metadata = fields.get("metadata")
        metadata = _fields(metadata) if isinstance(metadata, Mapping) else {}
        region_type = _text(metadata, "regiontype") or _text(fields, "regiontype") or ""
        regions.append(
            Region(
                name=name.lower(),
                display_name=_text(fields, "displayname") or name,
                regional_display_name=_text(fields, "regionaldisplayname") or "",
                physical=region_type.lower() != "logical",
            )
        )
    return regions


def parse_provider(doc: Any) -> ProviderTypes:
    """A resource provider with where each of its resource types is offered (display names)."""
    items = _items(doc, "resource provider")
    if not items:
        raise ExportProblem("holds no resource provider (it is empty)")
    namespace = ""
    registration: str | None = None
    locations: dict[str, tuple[str, ...]] = {}
    for index, fields in enumerate(items, 1):
        _expect(fields, "provider", "resource provider")
        this = _text(fields, "namespace", "providernamespace")
        if this is None:
            raise _missing("resource provider", fields, index, "namespace")
        if namespace and this.lower() != namespace.lower():
            raise ExportProblem(
                f"holds several resource providers ({quoted(namespace, 40)}, "
                f"{quoted(this, 40)}, …); export one with `az provider show --namespace …`"
            )
        namespace = namespace or this
        registration = registration or _text(fields, "registrationstate")
        where = f"provider {quoted(this, 60)}"
        for entry in _objects(fields.get("resourcetypes"), where, "resourceTypes"):
            type_name = _text(entry, "resourcetype", "resourcetypename")
            if type_name is None:
                raise ExportProblem(f"has {where} with a resource type that has no name")
            places = _strings(entry.get("locations"), f"type {quoted(type_name)}", "locations")
            known = locations.get(type_name.lower(), ())
            locations[type_name.lower()] = known + tuple(p for p in places if p not in known)
    return ProviderTypes(namespace=namespace, registration=registration, locations=locations)


def parse_usages(doc: Any) -> list[Usage]:
    """The quota counters of `az vm list-usage`, `Get-AzVMUsage` or the usages API."""
    usages = []
    for index, fields in enumerate(_items(doc, "vCPU usages"), 1):
        _expect(fields, "usage", "vCPU usages")
        if "currentvalue" not in fields or "limit" not in fields:
            raise _missing("vCPU usages", fields, index, "currentValue and limit")
        raw = fields.get("name")
        if isinstance(raw, Mapping):
            names = _fields(raw)
            name = _text(names, "value")
            localized = _text(names, "localizedvalue")
        elif isinstance(raw, str) and not _is_type_name(raw):
            name, localized = raw.strip() or None, None
        else:
            raise _truncated(_label(index, None), "name", raw, "an object")
        if name is None:
            raise ExportProblem(f"has {_label(index, None)} without a name value")
        where = _label(index, name)
        usages.append(
            Usage(
                name=name,
                localized=localized or _text(fields, "localname") or name,
                current=_integer(fields["currentvalue"], where, "currentValue"),
                limit=_integer(fields["limit"], where, "limit"),
            )
        )
    return usages


def parse_skus(doc: Any, location: str) -> list[Sku]:
    """The VM sizes offered in `location` (programmatic name) with the restrictions there."""
    here = location.strip().lower()
    skus = []
    elsewhere: set[str] = set()
    for index, fields in enumerate(_items(doc, "VM sizes"), 1):
        _expect(fields, "sku", "VM sizes")
        name = _text(fields, "name")
        if name is None or not fields.keys() & {"locations", "locationinfo", "resourcetype"}:
            raise _missing("VM sizes", fields, index, "name and locations")
        where = _label(index, name)
        info = _objects(fields.get("locationinfo"), where, "locationInfo")
        listed = _strings(fields.get("locations"), where, "locations")
        locations = tuple(p.lower() for p in listed) or tuple(
            (_text(i, "location") or "").lower() for i in info if _text(i, "location")
        )
        offered = here in locations or any(
            (_text(i, "location") or "").lower() == here for i in info
        )
        if not offered:
            elsewhere.update(locations)
            continue
        zones: list[str] = []
        for entry in info:
            if (_text(entry, "location") or "").lower() == here:
                for zone in _strings(entry.get("zones"), where, "locationInfo zones"):
                    if zone not in zones:
                        zones.append(zone)
        restrictions = []
        for entry in _objects(fields.get("restrictions"), where, "restrictions"):
            restriction, concerns = _restriction(entry, where)
            if here in concerns:
                restrictions.append(restriction)
        skus.append(
            Sku(
                name=name,
                family=_text(fields, "family"),
                vcpus=_vcpus(fields, where),
                locations=locations,
                zones=tuple(sorted(zones, key=lambda z: (len(z), z))),
                restrictions=tuple(restrictions),
                resource_type=_text(fields, "resourcetype") or "virtualMachines",
            )
        )
    if not skus and elsewhere:
        others = ", ".join(sorted(elsewhere)[:3]) + (", …" if len(elsewhere) > 3 else "")
        raise ExportProblem(
            f"holds no VM sizes offered in {quoted(here, 40)} (its sizes are for "
            f"{shorten(display(others), 80)}: an export of another region?)"
        )
    return skus


def _restriction(fields: dict[str, Any], where: str) -> tuple[Restriction, set[str]]:
    """A restriction, and every location it concerns (its values and restrictionInfo's)."""
    kind = _enum(fields.get("type"), _RESTRICTION_TYPES, f"{where} restriction", "type")
    reason = (
        _enum(fields["reasoncode"], _REASON_CODES, f"{where} restriction", "reasonCode")
        if fields.get("reasoncode") is not None
        else ""
    )
    values = tuple(v.lower() for v in _strings(fields.get("values"), where, "restriction values"))
    info = _object(fields.get("restrictioninfo"), where, "restrictionInfo") or {}
    places = tuple(
        p.lower() for p in _strings(info.get("locations"), where, "restrictionInfo locations")
    )
    zones = _strings(info.get("zones"), where, "restrictionInfo zones")
    restriction = Restriction(kind=kind, reason=reason, locations=places or values, zones=zones)
    return restriction, {*values, *places}


def _vcpus(fields: dict[str, Any], where: str) -> int | None:
    for capability in _objects(fields.get("capabilities"), where, "capabilities"):
        name = capability.get("name")
        if isinstance(name, str) and name.strip().lower() == "vcpus":
            return _integer(capability.get("value"), where, "vCPUs capability")
    return None


def parse_permissions(doc: Any) -> list[PermissionSet]:
    """The entries of the permissions API: what each role assignment grants."""
    sets = []
    for index, fields in enumerate(_items(doc, "permissions"), 1):
        _expect(fields, "permissions", "permissions")
        if not fields.keys() & {"actions", "notactions"}:
            raise _missing("permissions", fields, index, "actions")
        where = f"permission entry {index}"
        sets.append(
            PermissionSet(
                actions=_strings(fields.get("actions"), where, "actions"),
                not_actions=_strings(fields.get("notactions"), where, "notActions"),
            )
        )
    return sets


def parse_name_availability(doc: Any, names: Sequence[str]) -> dict[str, NameAvailability]:
    """The answers about `names` (keyed as asked): from a mapping name → answer, a list of
    answers that carry their name, or one answer without a name when one name is asked."""
    noun = "name-availability answers"
    if isinstance(names, str):
        names = [names]
    wanted: dict[str, str] = {}
    for one in names:
        wanted.setdefault(one.lower(), one)
    answers: list[tuple[str | None, dict[str, Any]]] = []
    if isinstance(doc, Mapping) and not _is_answer(_fields(doc)):
        fields = _fields(doc)
        if isinstance(fields.get("value"), list | tuple) and set(fields) <= _WRAPPER_KEYS:
            answers = [(_text(f, "name"), f) for f in _answers(fields["value"], noun)]
        elif any(isinstance(v, Mapping) and _is_answer(_fields(v)) for v in doc.values()):
            for key, value in doc.items():
                if not isinstance(value, Mapping) or not _is_answer(_fields(value)):
                    raise ExportProblem(
                        f"has {quoted(key, 60)} mapped to {_describe(value)} without `valid` or "
                        "`nameAvailable`, not a name-availability answer"
                    )
                answers.append((str(key), _fields(value)))
        elif doc:
            looks = _looks_like(fields)
            detail = (
                f"it looks like {looks}" if looks else "no entry has `valid` or `nameAvailable`"
            )
            raise ExportProblem(f"holds no {noun} ({detail})")
    else:
        answers = [(_text(f, "name"), f) for f in _answers(doc, noun)]
    nameless = [a for a in answers if a[0] is None]
    if nameless:
        if len(answers) > 1:
            raise ExportProblem(f"holds {len(answers)} {noun}, and some do not say their name")
        if len(wanted) > 1:
            raise ExportProblem(
                f"holds one answer without the name it is about, but {len(wanted)} names are "
                "asked (export one file per name, or a mapping of name to answer)"
            )
        answers = [(names[0], nameless[0][1])] if wanted else []
    result: dict[str, NameAvailability] = {}
    for name, answer in answers:
        asked = wanted.get((name or "").lower())
        if asked is not None and asked not in result:
            result[asked] = _availability(asked, answer)
    return result


def _is_answer(fields: dict[str, Any]) -> bool:
    return bool(fields.keys() & {"valid", "nameavailable"})


def _answers(doc: Any, noun: str) -> list[dict[str, Any]]:
    items = _items(doc, noun)
    for index, fields in enumerate(items, 1):
        _expect(fields, "name", noun)
        if not _is_answer(fields):
            raise _missing(noun, fields, index, "`valid` or `nameAvailable`")
    return items


def _availability(name: str, fields: dict[str, Any]) -> NameAvailability:
    where = f"the answer for {quoted(name, 60)}"
    if "valid" in fields:
        available = _boolean(fields["valid"], where, "valid")
        reason = _text(fields, "abscode", "reason") or ""
    else:
        available = _boolean(fields["nameavailable"], where, "nameAvailable")
        reason = _text(fields, "reason", "abscode") or ""
    message = fields.get("message")
    return NameAvailability(
        name=name,
        available=available,
        message=message if isinstance(message, str) else "",
        reason=reason,
    )


def parse_resources(doc: Any) -> list[Resource]:
    """The resources of `az resource list`, `Get-AzResource` or the resources API."""
    return [
        _resource(fields, index, None) for index, fields in enumerate(_items(doc, "resources"), 1)
    ]


def _resource(fields: dict[str, Any], index: int, group: str | None) -> Resource:
    _expect(fields, "resource", "resources")
    name = _text(fields, "name", "resourcename")
    type_ = _text(fields, "type", "resourcetype")
    if name is None or type_ is None:
        raise _missing("resources", fields, index, "name and type")
    if type_.lower() == _RESOURCE_GROUP_TYPE:
        raise ExportProblem(f"holds no resources (it looks like {_LOOKS_LIKE['group']})")
    return Resource(name=name, type=type_, group=_group_of(fields) or group or "")


def parse_groups(doc: Any) -> list[Group]:
    """The resource groups of `az group list` or `Get-AzResourceGroup`; an entry may carry a
    `resources` list (what the group holds)."""
    groups = []
    for index, fields in enumerate(_items(doc, "resource groups"), 1):
        _expect(fields, "group", "resource groups")
        type_ = _text(fields, "type")
        if type_ is not None and type_.lower() != _RESOURCE_GROUP_TYPE:
            raise ExportProblem(
                f"holds no resource groups (entry {index} is of type {quoted(type_, 60)})"
            )
        name = _text(fields, "resourcegroupname", "name")
        if name is None:
            raise _missing("resource groups", fields, index, "name")
        resources: tuple[Resource, ...] | None = None
        if fields.get("resources") is not None:
            where = f"resource group {quoted(name, 60)}"
            resources = tuple(
                _resource(entry, number, name)
                for number, entry in enumerate(_objects(fields["resources"], where, "resources"), 1)
            )
        groups.append(Group(name=name, exists=True, resources=resources))
    return groups


def parse_features(doc: Any) -> list[Feature]:
    """Feature registrations of `az feature show/list` or `Get-AzProviderFeature`."""
    features = []
    for index, fields in enumerate(_items(doc, "feature registrations"), 1):
        _expect(fields, "feature", "feature registrations")
        properties = _object(fields.get("properties"), _label(index, None), "properties") or {}
        # `az feature registration show` keeps them in properties
        feature = _text(fields, "featurename") or _text(properties, "featurename")
        provider = _text(fields, "providername") or _text(properties, "providernamespace")
        if feature is not None and provider is not None and "/" not in feature:
            name: str | None = f"{provider}/{feature}"
        else:
            name = feature or _text(fields, "name")
        if name is not None and "/" not in name:
            ident = _text(fields, "id") or ""
            match = re.search(r"/providers/([^/]+)/features/([^/]+)$", ident, re.IGNORECASE)
            name = f"{match[1]}/{match[2]}" if match else name
        state = _text(properties, "state") or _text(fields, "registrationstate", "state")
        if name is None or state is None:
            raise _missing("feature registrations", fields, index, "name and state")
        features.append(Feature(name=name, state=state))
    return features


def parse_account(doc: Any) -> Account:
    """The subscription and signed-in user of `az account show`, `Get-AzContext` or the
    subscription API."""
    noun = "account"
    items = _items(doc, noun)
    for fields in items:
        _expect(fields, "account", noun)
    if len(items) > 1:
        defaults = [f for f in items if f.get("isdefault") is True]
        if len(defaults) != 1:
            raise ExportProblem(f"holds {len(items)} subscriptions, not the one signed in to")
        items = defaults
    if not items:
        raise ExportProblem("holds no account (it is empty)")
    fields = items[0]
    subscription = fields
    user = ""
    if "subscription" in fields:
        subscription = _object(fields["subscription"], "the context", "Subscription") or {}
        account = fields.get("account")
        if isinstance(account, Mapping):
            user = _text(_fields(account), "id") or ""
        elif isinstance(account, str) and not _is_type_name(account):
            user = account.strip()  # a PowerShell account cut by the depth shows as its id
    else:
        details = fields.get("user")
        user = (_text(_fields(details), "name") or "") if isinstance(details, Mapping) else ""
    ident = (_text(subscription, "subscriptionid", "id") or "").lower()
    ident = ident.removeprefix("/subscriptions/")
    if not _GUID.fullmatch(ident):
        if not subscription:
            raise ExportProblem("holds no account (it names no subscription)")
        shown = f" ({quoted(ident, 60)} is not a subscription id)" if ident else ""
        raise ExportProblem(f"holds no account: it names no subscription id{shown}")
    return Account(
        subscription_id=ident,
        subscription_name=_text(subscription, "name", "displayname") or "",
        state=_text(subscription, "state") or "",
        user=user,
    )
