"""lookup_person, load_policy, and the registry of activities."""

from __future__ import annotations

import inspect

import pytest
from temporalio import activity
from temporalio.testing import ActivityEnvironment

from activities.people import lookup_person
from activities.policy import load_policy
from activities.registry import ALL_ACTIVITIES
from infoshare.settings import Settings, get_settings
from tests.db_fixtures import add_people


def test_lookup_person(infoshare_env: Settings) -> None:
    [dana] = add_people(("dana@phso.example", ["dpo", "information_rights"]))
    env = ActivityEnvironment()
    assert env.run(lookup_person, "Dana@PHSO.example") == dana
    assert env.run(lookup_person, "nobody@phso.example") is None
    assert lookup_person("not an email") is None


def test_load_policy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("INFOSHARE_SMALL_VOLUME_THRESHOLD", "42")
    get_settings.cache_clear()
    try:
        assert ActivityEnvironment().run(load_policy).small_volume_threshold == 42
    finally:
        get_settings.cache_clear()


def test_registry_lists_every_activity_as_sync_function() -> None:
    names = set()
    for fn in ALL_ACTIVITIES:
        assert not inspect.iscoroutinefunction(fn), fn
        defn = activity._Definition.from_callable(fn)
        assert defn is not None, fn
        names.add(defn.name)
    assert names == {
        "lookup_person",
        "load_policy",
        "record_step",
        "queue_notifications",
        "draft_agreement",
        "publish_agreement",
    }
