"""Freshness policies on the source assets: when a source has gone stale.

Every source is re-read by the nightly refresh (02:00 Europe/Rome, orchestration/schedules.py). A source
asset is fresh when it was materialised after 02:00 today (Rome time) once the 06:00 deadline has
passed: the nightly run has four hours to load it. A source that the last night's run could not load
(the source system was down, its contract broke, a file never arrived) turns FAIL at 06:00 and stays so
until a run loads it — the signal that the figures derived from it are stale. The published marts carry
the same policy (orchestration/publish.py), so readers can see whether this morning's figures are there.
On a night when nothing changed (orchestration/changes.py) `published_marts` copies nothing but is still
materialised, with "nothing changed since <run>": the marts were verified current, so they stay fresh.

Policies are Dagster's FreshnessPolicy (1.11+), evaluated by the dagster-daemon's freshness daemon and
shown as each asset's freshness state in the UI (`dagster dev` runs the daemon). They are applied here,
centrally, to every asset of the source groups, so the source modules need not repeat them.
"""
from __future__ import annotations

from datetime import timedelta

from typing import Sequence

from dagster import AssetSpec, FreshnessPolicy, apply_freshness_policy, map_asset_specs

from orchestration.extract.registry import SourceSystem, source_systems
from orchestration.schedules import TIMEZONE

NIGHTLY_DEADLINE_CRON = "0 6 * * *"  # the nightly refresh starts at 02:00 and must be done by 06:00
NIGHTLY_WINDOW = timedelta(hours=4)

nightly_freshness = FreshnessPolicy.cron(
    deadline_cron=NIGHTLY_DEADLINE_CRON, lower_bound_delta=NIGHTLY_WINDOW, timezone=TIMEZONE
)


def source_freshness(systems: Sequence[SourceSystem]) -> dict[str, FreshnessPolicy]:
    """One policy per source group (a source system of the registry). A source whose assets come to
    materialise only when the source changes (rather than every night) would declare a time window
    instead, e.g. `FRESHNESS = FreshnessPolicy.time_window(fail_window=timedelta(days=35))` in its module."""
    return {s.name: getattr(s.module, "FRESHNESS", nightly_freshness) for s in systems}


def with_source_freshness(assets: Sequence, systems: Sequence[SourceSystem] | None = None) -> list:
    """The given assets (definitions or specs), with a freshness policy on those of the source groups."""
    policies = source_freshness(source_systems() if systems is None else systems)

    def apply(spec: AssetSpec) -> AssetSpec:
        policy = policies.get(spec.group_name or "")
        if policy is None:
            return spec
        return apply_freshness_policy(spec, policy, overwrite_existing=False)  # a module's own policy wins

    return list(map_asset_specs(apply, assets))


SOURCE_GROUPS = tuple(source_freshness(source_systems()))
