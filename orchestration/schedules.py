"""Schedules: the nightly refresh of the whole graph, 02:00 Europe/Rome (the Centre's time zone).

Running by default, so a fresh deployment refreshes every night without a click in the UI (the
dagster-daemon evaluates it; see deploy/README.md).
"""
from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import refresh_job

NIGHTLY_CRON = "0 2 * * *"
TIMEZONE = "Europe/Rome"

nightly_refresh_schedule = ScheduleDefinition(
    name="nightly_refresh",
    job=refresh_job,
    cron_schedule=NIGHTLY_CRON,
    execution_timezone=TIMEZONE,
    default_status=DefaultScheduleStatus.RUNNING,
    tags={"warehouse/trigger": "nightly"},
    description="Refresh every source, model, check and the published marts at 02:00 Europe/Rome.",
)

schedules = [nightly_refresh_schedule]
