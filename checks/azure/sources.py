"""Where each Azure fact comes from, the same way for every check.

For each kind of fact (the regions, the quota, the VM sizes, …), in order: the export file
named by its flag or pxready.toml key; else that file in the evidence folder (`--azure-evidence`,
in a subfolder named by the subscription when the folder holds several); else, unless
--offline, Azure Resource Manager, live. Under --offline with no file, the check is `skip` and
says which file would do. A file that cannot be read, or a live call that fails, is an `error`
with one line. Every fact is read or fetched once per run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from checks.azure import location_key
from checks.azure.evidence import (
    ARM_PERMISSIONS_API,
    BOT_SERVICE_API,
    BOT_TYPE,
    EXPORTS,
    file_name,
)
from readiness import CheckError, CheckSkipped, Context
from readiness.connector import display_path

if TYPE_CHECKING:
    from checks.azure.model import (
        Account,
        Feature,
        Group,
        NameAvailability,
        PermissionSet,
        ProviderTypes,
        Region,
        Resource,
        Sku,
        Usage,
    )
    from readiness.adapters.azure import Answer

T = TypeVar("T")

NO_EVIDENCE = "no Azure evidence"
LIVE = "Azure Resource Manager"
LOCATIONS_API = "2022-12-01"
PROVIDER_API = "2021-04-01"
GROUPS_API = "2021-04-01"
FEATURES_API = "2021-07-01"


class Facts:
    """One subscription's facts for one run, from files or from Azure."""

    def __init__(self, ctx: Context, subscription: str | None) -> None:
        self.ctx = ctx
        self.subscription = subscription
        self.azure_input = ctx.deployment.azure

    # -- where from ----------------------------------------------------------------------------
    def file_for(self, kind: str, **fill: str) -> Path | None:
        """The export file that answers `kind`, or None (then: live, or skip offline)."""
        export = EXPORTS[kind]
        if export.key is not None:
            named = getattr(self.azure_input, export.key)
            if named is not None:
                assert isinstance(named, Path)
                return named
        folder = self.azure_input.evidence
        if folder is None:
            return None
        name = file_name(kind, **fill)
        folders = [folder / self.subscription] if self.subscription else []
        folders.append(folder)
        for where in folders:
            found = self._in_folder(where, name)
            if found is not None:
                return found
        return None

    def _in_folder(self, folder: Path, name: str) -> Path | None:
        """`name` in `folder`, in any letter case: Azure names (resource groups) are not
        case-sensitive, and Windows file names are not either."""
        exact = folder / name
        if exact.is_file():
            return exact

        def listing() -> dict[str, Path]:
            try:
                return {p.name.lower(): p for p in folder.iterdir() if p.is_file()}
            except OSError:
                return {}

        return self.ctx.memo(("evidence listing", folder), listing).get(name.lower())

    def source(self, kind: str, **fill: str) -> str:
        """Where `kind` comes from, for messages: the file, or Azure Resource Manager."""
        found = self.file_for(kind, **fill)
        return display_path(found) if found is not None else LIVE

    def unavailable(self, kind: str, **fill: str) -> CheckSkipped:
        export = EXPORTS[kind]
        options = [f"{export.flag} FILE"] if export.flag else []
        options.append("--azure-evidence DIR")
        folder = self.azure_input.evidence
        where = (
            f"; {display_path(folder)} has no {file_name(kind, **fill)}"
            if folder is not None
            else ""
        )
        return CheckSkipped(
            f"needs {export.what} ({' or '.join(options)}, made by the commands of "
            f"`pxready azure-commands`){where}; Azure is not asked under --offline",
            because=NO_EVIDENCE,
        )

    def _read(self, kind: str, parse: Callable[[Any], T], fill: dict[str, str]) -> T | None:
        """`parse` of the export file for `kind`; None when there is none (live or skip)."""
        path = self.file_for(kind, **fill)
        if path is None:
            if self.ctx.offline:
                raise self.unavailable(kind, **fill)
            return None
        self._check_account()

        def load() -> T:
            from checks.azure.exports import ExportProblem, load

            try:
                document = load(path, "Azure export")
            except ExportProblem as problem:
                raise CheckError(problem.message) from None
            try:
                return parse(document)
            except ExportProblem as problem:
                raise CheckError(f"{display_path(path)} {problem.message}") from None

        return self.ctx.memo(("azure export", kind, path, tuple(sorted(fill.items()))), load)

    def _check_account(self) -> None:
        """Evidence collected for another subscription is not this deployment's."""
        if self.azure_input.evidence is None or not self.subscription:
            return
        path = self.file_for("account")
        if path is None:
            return
        account = self._account_from(path)
        if account is not None and account.subscription_id != self.subscription:
            raise CheckError(
                f"the evidence in {display_path(self.azure_input.evidence)} was collected for "
                f"subscription {account.subscription_id} ({account.subscription_name}), not "
                f"for $PxSubscriptionId {self.subscription}"
            )

    def _account_from(self, path: Path) -> Account | None:
        def load() -> Account | None:
            from checks.azure.exports import ExportProblem, load, parse_account

            try:
                return parse_account(load(path, "Azure export"))
            except ExportProblem:
                return None

        return self.ctx.memo(("azure account", path), load)

    # -- live ----------------------------------------------------------------------------------
    def _subscription_path(self) -> str:
        if not self.subscription:
            raise CheckSkipped(
                "$PxSubscriptionId is not set, so there is no subscription to ask Azure about",
                because="no subscription",
            )
        return f"/subscriptions/{self.subscription}"

    @staticmethod
    def _body(answer: Answer) -> Any:
        if answer.problem is not None:
            raise CheckError(answer.problem)
        return answer.body

    async def _live_get(self, path: str, api: str, params: dict[str, str] | None = None) -> Any:
        return self._body(await self.ctx.azure().get(path, api, params))

    # -- the facts -----------------------------------------------------------------------------
    async def regions(self) -> list[Region]:
        from checks.azure.exports import parse_locations

        found = self._read("locations", parse_locations, {})
        if found is not None:
            return found
        return parse_locations(
            await self._live_get(f"{self._subscription_path()}/locations", LOCATIONS_API)
        )

    async def provider(self) -> ProviderTypes:
        from checks.azure.exports import parse_provider

        found = self._read("provider", parse_provider, {})
        if found is not None:
            return found
        path = f"{self._subscription_path()}/providers/Microsoft.Automation"
        return parse_provider(await self._live_get(path, PROVIDER_API))

    async def usages(self, location: str) -> list[Usage]:
        from checks.azure.exports import parse_usages

        key = location_key(location)
        found = self._read("usage", parse_usages, {"location": key})
        if found is not None:
            return found
        self._subscription_path()
        assert self.subscription is not None
        return parse_usages(self._body(await self.ctx.azure().usages(self.subscription, key)))

    async def skus(self, location: str) -> list[Sku]:
        from checks.azure.exports import parse_skus

        key = location_key(location)
        found = self._read("skus", lambda doc: parse_skus(doc, key), {"location": key})
        if found is not None:
            return found
        self._subscription_path()
        assert self.subscription is not None
        return parse_skus(self._body(await self.ctx.azure().skus(self.subscription, key)), key)

    async def permissions(self) -> list[PermissionSet]:
        from checks.azure.exports import parse_permissions

        found = self._read("permissions", parse_permissions, {})
        if found is not None:
            return found
        path = f"{self._subscription_path()}/providers/Microsoft.Authorization/permissions"
        return parse_permissions(await self._live_get(path, ARM_PERMISSIONS_API))

    async def name_availability(self, names: tuple[str, ...]) -> dict[str, NameAvailability]:
        """Whether each Azure Bot name is free. A name the evidence does not cover is absent."""
        import asyncio

        from checks.azure.exports import parse_name_availability

        explicit = self.azure_input.bot_names_file
        if explicit is not None:
            found = self._read("bot-names", partial(_availability, names=names), {})
            return found or {}
        result: dict[str, NameAvailability] = {}
        missing: list[str] = []
        for name in names:
            if self.file_for("bot-names", name=name) is None:
                missing.append(name)
                continue
            one = self._read("bot-names", partial(_availability, names=(name,)), {"name": name})
            result.update(one or {})
        if missing and self.ctx.offline:
            raise self.unavailable("bot-names", name=missing[0])
        if missing:
            answers = await asyncio.gather(*(self._ask_name(n) for n in missing))
            for name, answer in zip(missing, answers, strict=True):
                result.update(parse_name_availability(self._body(answer), (name,)))
        return result

    async def _ask_name(self, name: str) -> Answer:
        return await self.ctx.azure().post(
            "/providers/Microsoft.BotService/checkNameAvailability",
            BOT_SERVICE_API,
            {"name": name, "type": BOT_TYPE},
        )

    async def bots(self) -> list[Resource] | None:
        """The Azure Bots of the subscription; None when no source says (offline, no file)."""
        from checks.azure.exports import parse_resources

        if self.file_for("bots") is None and self.ctx.offline:
            return None
        found = self._read("bots", parse_resources, {})
        if found is not None:
            return found
        path = f"{self._subscription_path()}/resources"
        body = await self._live_get(path, GROUPS_API, {"$filter": f"resourceType eq '{BOT_TYPE}'"})
        return parse_resources(body)

    async def group(self, name: str) -> Group:
        """Whether the resource group exists and, when known, what it holds."""
        from checks.azure.exports import parse_groups, parse_resources
        from checks.azure.model import Group

        listed = self._read("groups", parse_groups, {})
        if listed is not None:
            match = next((g for g in listed if g.name.lower() == name.lower()), None)
            if match is None:
                return Group(name, exists=False)
            if match.resources is not None:
                return match
            contents = (
                self._read("resources", parse_resources, {"group": match.name})
                if self.file_for("resources", group=match.name) is not None
                else None
            )
            return match._replace(resources=tuple(contents) if contents is not None else None)
        base = f"{self._subscription_path()}/resourcegroups/{name}"
        answer = await self.ctx.azure().get(base, GROUPS_API)
        if answer.status == 404:
            return Group(name, exists=False)
        self._body(answer)
        resources = parse_resources(await self._live_get(f"{base}/resources", GROUPS_API))
        return Group(name, exists=True, resources=tuple(resources))

    async def feature(self, namespace: str, name: str) -> Feature | None:
        from checks.azure.exports import parse_features

        wanted = f"{namespace}/{name}".lower()
        found = self._read("features", parse_features, {})
        if found is None:
            path = (
                f"{self._subscription_path()}/providers/Microsoft.Features/providers/"
                f"{namespace}/features/{name}"
            )
            found = parse_features(await self._live_get(path, FEATURES_API))
        return next((f for f in found if f.name.lower() == wanted), None)


def facts(ctx: Context, subscription: str | None) -> Facts:
    """The run's one `Facts` for a subscription."""
    return ctx.run.resource(f"azure facts {subscription}", lambda: Facts(ctx, subscription))


def _availability(document: Any, names: Sequence[str]) -> dict[str, NameAvailability]:
    from checks.azure.exports import parse_name_availability

    return parse_name_availability(document, names)
