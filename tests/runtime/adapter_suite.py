"""The adapter conformance suite: Feathers' `@feathersjs/adapter-tests` cases, in pytest.

An adapter runs it by subclassing `AdapterSuite` in a test module and providing a
`services` fixture (it may be async, with setup and teardown) that returns the three
services the cases use, each created with `events=['testing']`::

    class TestMyAdapter(AdapterSuite):
        @pytest.fixture
        async def services(self):
            yield {
                'people': MyService(events=['testing']),
                'people-paginate': MyService(events=['testing'], multi=True,
                                             paginate={'default': 10, 'max': 100}),
                'people-customid': MyService(id='customid', events=['testing']),
            }

Every case runs against `people` and `people-customid`, calling the service objects as
users do (`await service.find(...)`), so they may be standalone or registered in an app.
An adapter whose records have every field of a fixed schema, with None where no value was
given (a SQL table's columns), names those fields in `NULL_FIELDS` (e.g. `("name", "age")`);
the cases that compare whole records expect them (`subject.record(...)`).
The cases clean up after themselves and restore the options they change, so a factory
may share services (and a database) between tests. `FEATHERS_CASES` maps each name of
Feathers' suite to the test that covers it; `EXTRA_CASES` lists the tests we added.
"""

from __future__ import annotations

import contextlib
import copy
import inspect
from dataclasses import dataclass
from typing import Any

import pytest

from feathers_cli.runtime.errors import BadRequest, MethodNotAllowed, NotFound

FEATHERS_CASES: dict[str, str] = {
    ".id": "test_id",
    ".options": "test_options",
    ".events": "test_events",
    "._get": "test_has_internal_get",
    "._find": "test_has_internal_find",
    "._create": "test_has_internal_create",
    "._update": "test_has_internal_update",
    "._patch": "test_has_internal_patch",
    "._remove": "test_has_internal_remove",
    ".get": "test_get",
    ".get + $select": "test_get_select",
    ".get + id + query": "test_get_id_query",
    ".get + NotFound": "test_get_not_found",
    ".get + NotFound (integer)": "test_get_not_found_integer",
    ".get + id + query id": "test_get_id_query_id",
    ".find": "test_find",
    ".remove": "test_remove",
    ".remove + $select": "test_remove_select",
    ".remove + id + query": "test_remove_id_query",
    ".remove + NotFound": "test_remove_not_found",
    ".remove + NotFound (integer)": "test_remove_not_found_integer",
    ".remove + multi": "test_remove_multi",
    ".remove + multi no pagination": "test_remove_multi_no_pagination",
    ".remove + id + query id": "test_remove_id_query_id",
    ".update": "test_update",
    ".update + $select": "test_update_select",
    ".update + id + query": "test_update_id_query",
    ".update + NotFound": "test_update_not_found",
    ".update + NotFound (integer)": "test_update_not_found_integer",
    ".update + query + NotFound": "test_update_query_not_found",
    ".update + id + query id": "test_update_id_query_id",
    ".patch": "test_patch",
    ".patch + $select": "test_patch_select",
    ".patch + id + query": "test_patch_id_query",
    ".patch multiple": "test_patch_multiple",
    ".patch multiple no pagination": "test_patch_multiple_no_pagination",
    ".patch multi query same": "test_patch_multi_query_same",
    ".patch multi query changed": "test_patch_multi_query_changed",
    ".patch + NotFound": "test_patch_not_found",
    ".patch + NotFound (integer)": "test_patch_not_found_integer",
    ".patch + query + NotFound": "test_patch_query_not_found",
    ".patch + id + query id": "test_patch_id_query_id",
    ".create": "test_create",
    ".create + $select": "test_create_select",
    ".create multi": "test_create_multi",
    ".create ignores query": "test_create_ignores_query",
    "internal .find": "test_internal_find",
    "internal .get": "test_internal_get",
    "internal .create": "test_internal_create",
    "internal .update": "test_internal_update",
    "internal .patch": "test_internal_patch",
    "internal .remove": "test_internal_remove",
    ".find + equal": "test_find_equal",
    ".find + equal multiple": "test_find_equal_multiple",
    ".find + $sort": "test_find_sort",
    ".find + $sort + string": "test_find_sort_string",
    ".find + $limit": "test_find_limit",
    ".find + $limit 0": "test_find_limit_0",
    ".find + $skip": "test_find_skip",
    ".find + $select": "test_find_select",
    ".find + $or": "test_find_or",
    ".find + $in": "test_find_in",
    ".find + $nin": "test_find_nin",
    ".find + $lt": "test_find_lt",
    ".find + $lte": "test_find_lte",
    ".find + $gt": "test_find_gt",
    ".find + $gte": "test_find_gte",
    ".find + $ne": "test_find_ne",
    ".find + $gt + $lt + $sort": "test_find_gt_lt_sort",
    ".find + $or nested + $sort": "test_find_or_nested_sort",
    ".find + $and": "test_find_and",
    ".find + $and + $or": "test_find_and_or",
    "params.adapter + paginate": "test_params_adapter_paginate",
    "params.adapter + multi": "test_params_adapter_multi",
    ".find + paginate": "test_find_paginate",
    ".find + paginate + query": "test_find_paginate_query",
    ".find + paginate + $limit + $skip": "test_find_paginate_limit_skip",
    ".find + paginate + $limit 0": "test_find_paginate_limit_0",
    ".find + paginate + params": "test_find_paginate_params",
}

EXTRA_CASES: dict[str, str] = {
    "update with null throws error": "test_update_null",
    "use $select as only query property": "test_find_select_only",
    "does not modify the original data": "test_result_is_a_copy",
    "using $limit still returns correct total": "test_paginate_limit_keeps_total",
    "invalid filter": "test_invalid_filter",
    "invalid operator": "test_invalid_operator",
    "$in needs a list": "test_in_needs_a_list",
    "string $limit and $skip": "test_string_limit_and_skip",
    "patch and update keep the id": "test_patch_and_update_keep_the_id",
}

ABSENT_ID = "568225fbfe21222432e836ff"
ABSENT_INTEGER_ID = 123456789
PUBLIC_METHODS = ("find", "get", "create", "update", "patch", "remove")


@dataclass
class Subject:
    """The service under test, the name of its id field, and the fields it fills with None
    when a record has no value for them (see `AdapterSuite.NULL_FIELDS`)."""

    service: Any
    id: str
    null_fields: tuple[str, ...] = ()

    def key(self, record: dict[str, Any]) -> Any:
        return record[self.id]

    def record(self, **fields: Any) -> dict[str, Any]:
        """A whole record as the adapter returns it: `fields`, the others of `null_fields`
        None."""
        return {**dict.fromkeys(self.null_fields), **fields}


def not_found(id: Any) -> str:
    return f"No record found for id '{id}'"


def _throwing_copy(service: Any) -> Any:
    """A shallow copy of the service whose public methods all raise (see `internal .*`)."""
    clone = copy.copy(service)
    for name in PUBLIC_METHODS:

        def refuse(*args: Any, _name: str = name, **kwargs: Any) -> Any:
            raise AssertionError(f"public {_name} called from inside the adapter")

        setattr(clone, name, refuse)
    return clone


class AdapterSuite:
    """The conformance cases; subclass it with a `services` fixture (see the module doc)."""

    NULL_FIELDS: tuple[str, ...] = ()
    """Fields the adapter returns as None when a record has no value for them."""

    @pytest.fixture(params=[("people", "id"), ("people-customid", "customid")], ids=lambda p: p[0])
    def subject(self, request: pytest.FixtureRequest, services: dict[str, Any]) -> Subject:
        name, id_field = request.param
        return Subject(services[name], id_field, self.NULL_FIELDS)

    @pytest.fixture
    async def doug(self, subject: Subject) -> Any:
        record = await subject.service.create({"name": "Doug", "age": 32})
        yield record
        with contextlib.suppress(NotFound):  # a case may have removed it
            await subject.service.remove(subject.key(record))

    @pytest.fixture
    async def people(self, subject: Subject) -> Any:
        created = [
            await subject.service.create(person)
            for person in ({"name": "Bob", "age": 25}, {"name": "Doug", "age": 32})
        ]
        created.append(await subject.service.create({"name": "Alice", "age": 19}))
        yield {person["name"]: person for person in created}
        for person in created:
            await subject.service.remove(subject.key(person))

    async def _find_names(self, subject: Subject, query: dict[str, Any]) -> list[str]:
        return [person["name"] for person in await subject.service.find({"query": query})]

    # -- Basic --------------------------------------------------------------------------

    async def test_id(self, subject: Subject) -> None:
        assert subject.service.id == subject.id

    async def test_options(self, subject: Subject) -> None:
        assert subject.service.options.id == subject.id
        assert subject.service.options.multi is False

    async def test_events(self, subject: Subject) -> None:
        assert "testing" in subject.service.events

    async def test_has_internal_get(self, subject: Subject) -> None:
        assert inspect.iscoroutinefunction(subject.service._get)

    async def test_has_internal_find(self, subject: Subject) -> None:
        assert inspect.iscoroutinefunction(subject.service._find)

    async def test_has_internal_create(self, subject: Subject) -> None:
        assert inspect.iscoroutinefunction(subject.service._create)

    async def test_has_internal_update(self, subject: Subject) -> None:
        assert inspect.iscoroutinefunction(subject.service._update)

    async def test_has_internal_patch(self, subject: Subject) -> None:
        assert inspect.iscoroutinefunction(subject.service._patch)

    async def test_has_internal_remove(self, subject: Subject) -> None:
        assert inspect.iscoroutinefunction(subject.service._remove)

    # -- get ----------------------------------------------------------------------------

    async def test_get(self, subject: Subject, doug: dict[str, Any]) -> None:
        data = await subject.service.get(subject.key(doug))
        assert data == subject.record(**{subject.id: subject.key(doug)}, name="Doug", age=32)

    async def test_get_select(self, subject: Subject, doug: dict[str, Any]) -> None:
        data = await subject.service.get(subject.key(doug), {"query": {"$select": ["name"]}})
        assert data == {subject.id: subject.key(doug), "name": "Doug"}

    async def test_get_id_query(self, subject: Subject, doug: dict[str, Any]) -> None:
        with pytest.raises(NotFound, match=not_found(subject.key(doug))):
            await subject.service.get(subject.key(doug), {"query": {"name": "Tester"}})

    async def test_get_not_found(self, subject: Subject) -> None:
        with pytest.raises(NotFound, match=not_found(ABSENT_ID)):
            await subject.service.get(ABSENT_ID)

    async def test_get_not_found_integer(self, subject: Subject) -> None:
        with pytest.raises(NotFound, match=not_found(ABSENT_INTEGER_ID)):
            await subject.service.get(ABSENT_INTEGER_ID)

    async def test_get_id_query_id(self, subject: Subject, doug: dict[str, Any]) -> None:
        alice = await subject.service.create({"name": "Alice", "age": 12})
        try:
            with pytest.raises(NotFound):
                await subject.service.get(
                    subject.key(doug), {"query": {subject.id: subject.key(alice)}}
                )
        finally:
            await subject.service.remove(subject.key(alice))

    # -- find ---------------------------------------------------------------------------

    async def test_find(self, subject: Subject, doug: dict[str, Any]) -> None:
        assert await subject.service.find() == [doug]

    # -- remove -------------------------------------------------------------------------

    async def test_remove(self, subject: Subject, doug: dict[str, Any]) -> None:
        assert await subject.service.remove(subject.key(doug)) == doug
        with pytest.raises(NotFound):
            await subject.service.get(subject.key(doug))

    async def test_remove_select(self, subject: Subject, doug: dict[str, Any]) -> None:
        data = await subject.service.remove(subject.key(doug), {"query": {"$select": ["name"]}})
        assert data == {subject.id: subject.key(doug), "name": "Doug"}

    async def test_remove_id_query(self, subject: Subject, doug: dict[str, Any]) -> None:
        with pytest.raises(NotFound, match=not_found(subject.key(doug))):
            await subject.service.remove(subject.key(doug), {"query": {"name": "Tester"}})
        assert await subject.service.get(subject.key(doug)) == doug

    async def test_remove_not_found(self, subject: Subject) -> None:
        with pytest.raises(NotFound, match=not_found(ABSENT_ID)):
            await subject.service.remove(ABSENT_ID)

    async def test_remove_not_found_integer(self, subject: Subject) -> None:
        with pytest.raises(NotFound, match=not_found(ABSENT_INTEGER_ID)):
            await subject.service.remove(ABSENT_INTEGER_ID)

    async def test_remove_multi(
        self, subject: Subject, doug: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        service = subject.service
        with pytest.raises(MethodNotAllowed, match="Can not remove multiple entries"):
            await service.remove(None)
        monkeypatch.setattr(service.options, "multi", ["remove"])
        await service.create({"name": "Dave", "age": 29, "created": True})
        await service.create({"name": "David", "age": 3, "created": True})
        data = await service.remove(None, {"query": {"created": True}})
        assert sorted(person["name"] for person in data) == ["Dave", "David"]
        assert await service.find() == [doug]

    async def test_remove_multi_no_pagination(
        self, subject: Subject, doug: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        service = subject.service
        await service.remove(subject.key(doug))
        monkeypatch.setattr(service.options, "multi", True)
        monkeypatch.setattr(service.options, "paginate", {"default": 10, "max": 100})
        try:
            assert await service.find({"paginate": False}) == []
            items = [{"name": f"name-{i}", "age": 3, "created": True} for i in range(14)]
            assert len(await service.create(items)) == 14
            assert len(await service.find({"paginate": False})) == 14
            page = await service.find({})
            assert (page["total"], len(page["data"])) == (14, 10)
            removed = await service.remove(None, {"query": {"created": True}})
            assert len(removed) == 14
            assert await service.find({"paginate": False}) == []
        finally:
            await service.remove(None, {"query": {"created": True}, "paginate": False})

    async def test_remove_id_query_id(self, subject: Subject, doug: dict[str, Any]) -> None:
        alice = await subject.service.create({"name": "Alice", "age": 12})
        try:
            with pytest.raises(NotFound):
                await subject.service.remove(
                    subject.key(doug), {"query": {subject.id: subject.key(alice)}}
                )
        finally:
            await subject.service.remove(subject.key(alice))
        assert await subject.service.find() == [doug]

    # -- update -------------------------------------------------------------------------

    async def test_update(self, subject: Subject, doug: dict[str, Any]) -> None:
        original = {subject.id: subject.key(doug), "name": "Dougler"}
        before = dict(original)
        data = await subject.service.update(subject.key(doug), original)
        assert original == before
        assert data == subject.record(**{subject.id: subject.key(doug)}, name="Dougler")
        assert await subject.service.get(subject.key(doug)) == data

    async def test_update_select(self, subject: Subject, doug: dict[str, Any]) -> None:
        data = await subject.service.update(
            subject.key(doug),
            {subject.id: subject.key(doug), "name": "Dougler", "age": 10},
            {"query": {"$select": ["name"]}},
        )
        assert data == {subject.id: subject.key(doug), "name": "Dougler"}
        assert (await subject.service.get(subject.key(doug)))["age"] == 10

    async def test_update_id_query(self, subject: Subject, doug: dict[str, Any]) -> None:
        with pytest.raises(NotFound, match=not_found(subject.key(doug))):
            await subject.service.update(
                subject.key(doug), {"name": "Dougler"}, {"query": {"name": "Tester"}}
            )
        assert await subject.service.get(subject.key(doug)) == doug

    async def test_update_not_found(self, subject: Subject) -> None:
        with pytest.raises(NotFound, match=not_found(ABSENT_ID)):
            await subject.service.update(ABSENT_ID, {"name": "NotFound"})

    async def test_update_not_found_integer(self, subject: Subject) -> None:
        with pytest.raises(NotFound, match=not_found(ABSENT_INTEGER_ID)):
            await subject.service.update(ABSENT_INTEGER_ID, {"name": "NotFound"})

    async def test_update_query_not_found(self, subject: Subject) -> None:
        dave = await subject.service.create({"name": "Dave"})
        try:
            with pytest.raises(NotFound):
                await subject.service.update(
                    subject.key(dave), {"name": "UpdatedDave"}, {"query": {"name": "NotDave"}}
                )
            assert (await subject.service.get(subject.key(dave)))["name"] == "Dave"
        finally:
            await subject.service.remove(subject.key(dave))

    async def test_update_id_query_id(self, subject: Subject, doug: dict[str, Any]) -> None:
        alice = await subject.service.create({"name": "Alice", "age": 12})
        try:
            with pytest.raises(NotFound):
                await subject.service.update(
                    subject.key(doug),
                    {"name": "Dougler", "age": 33},
                    {"query": {subject.id: subject.key(alice)}},
                )
        finally:
            await subject.service.remove(subject.key(alice))

    async def test_update_null(self, subject: Subject) -> None:
        with pytest.raises(BadRequest) as raised:
            await subject.service.update(None, {})
        assert raised.value.message == (
            "You can not replace multiple instances. Did you mean 'patch'?"
        )

    # -- patch --------------------------------------------------------------------------

    async def test_patch(self, subject: Subject, doug: dict[str, Any]) -> None:
        original = {subject.id: subject.key(doug), "name": "PatchDoug"}
        before = dict(original)
        data = await subject.service.patch(subject.key(doug), original)
        assert original == before
        assert data == subject.record(**{subject.id: subject.key(doug)}, name="PatchDoug", age=32)
        assert await subject.service.get(subject.key(doug)) == data

    async def test_patch_select(self, subject: Subject, doug: dict[str, Any]) -> None:
        data = await subject.service.patch(
            subject.key(doug),
            {subject.id: subject.key(doug), "name": "PatchDoug"},
            {"query": {"$select": ["name"]}},
        )
        assert data == {subject.id: subject.key(doug), "name": "PatchDoug"}

    async def test_patch_id_query(self, subject: Subject, doug: dict[str, Any]) -> None:
        with pytest.raises(NotFound, match=not_found(subject.key(doug))):
            await subject.service.patch(
                subject.key(doug), {"name": "id patched doug"}, {"query": {"name": "Tester"}}
            )
        assert await subject.service.get(subject.key(doug)) == doug

    async def test_patch_multiple(
        self, subject: Subject, doug: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        service = subject.service
        with pytest.raises(MethodNotAllowed, match="Can not patch multiple entries"):
            await service.patch(None, {})
        dave = await service.create({"name": "Dave", "age": 29, "created": True})
        david = await service.create({"name": "David", "age": 3, "created": True})
        monkeypatch.setattr(service.options, "multi", ["patch"])
        try:
            data = await service.patch(None, {"age": 2}, {"query": {"created": True}})
            assert sorted((person["name"], person["age"]) for person in data) == [
                ("Dave", 2),
                ("David", 2),
            ]
            assert (await service.get(subject.key(doug)))["age"] == 32
        finally:
            await service.remove(subject.key(dave))
            await service.remove(subject.key(david))

    async def test_patch_multiple_no_pagination(
        self, subject: Subject, doug: dict[str, Any], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        service = subject.service
        await service.remove(subject.key(doug))
        monkeypatch.setattr(service.options, "multi", True)
        monkeypatch.setattr(service.options, "paginate", {"default": 10, "max": 100})
        try:
            assert await service.find({"paginate": False}) == []
            items = [{"name": f"name-{i}", "age": 3, "created": True} for i in range(14)]
            assert len(await service.create(items)) == 14
            assert len((await service.find({}))["data"]) == 10
            patched = await service.patch(None, {"age": 4}, {"query": {"created": True}})
            assert [person["age"] for person in patched] == [4] * 14
        finally:
            await service.remove(None, {"query": {"created": True}, "paginate": False})

    async def test_patch_multi_query_same(
        self, subject: Subject, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await self._patch_multi(subject, monkeypatch, (8, 4), {"age": {"$lt": 10}})

    async def test_patch_multi_query_changed(
        self, subject: Subject, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        await self._patch_multi(subject, monkeypatch, (10, 10), {"age": 10})

    async def _patch_multi(
        self,
        subject: Subject,
        monkeypatch: pytest.MonkeyPatch,
        ages: tuple[int, int],
        query: dict[str, Any],
    ) -> None:
        service = subject.service
        monkeypatch.setattr(service.options, "multi", True)
        dave = await service.create({"name": "Dave", "age": ages[0], "created": True})
        david = await service.create({"name": "David", "age": ages[1], "created": True})
        try:
            data = await service.patch(None, {"age": 2}, {"query": query})
            assert sorted((person["name"], person["age"]) for person in data) == [
                ("Dave", 2),
                ("David", 2),
            ]
        finally:
            await service.remove(subject.key(dave))
            await service.remove(subject.key(david))

    async def test_patch_and_update_keep_the_id(
        self, subject: Subject, doug: dict[str, Any]
    ) -> None:
        other = f"{subject.key(doug)}0"
        patched = await subject.service.patch(subject.key(doug), {subject.id: other, "age": 1})
        assert patched == subject.record(**{subject.id: subject.key(doug)}, name="Doug", age=1)
        updated = await subject.service.update(subject.key(doug), {subject.id: other, "age": 2})
        assert updated == subject.record(**{subject.id: subject.key(doug)}, age=2)
        assert await subject.service.find() == [updated]

    async def test_patch_not_found(self, subject: Subject) -> None:
        with pytest.raises(NotFound, match=not_found(ABSENT_ID)):
            await subject.service.patch(ABSENT_ID, {"name": "PatchDoug"})

    async def test_patch_not_found_integer(self, subject: Subject) -> None:
        with pytest.raises(NotFound, match=not_found(ABSENT_INTEGER_ID)):
            await subject.service.patch(ABSENT_INTEGER_ID, {"name": "PatchDoug"})

    async def test_patch_query_not_found(self, subject: Subject) -> None:
        dave = await subject.service.create({"name": "Dave"})
        try:
            with pytest.raises(NotFound):
                await subject.service.patch(
                    subject.key(dave), {"name": "PatchedDave"}, {"query": {"name": "NotDave"}}
                )
            assert (await subject.service.get(subject.key(dave)))["name"] == "Dave"
        finally:
            await subject.service.remove(subject.key(dave))

    async def test_patch_id_query_id(self, subject: Subject, doug: dict[str, Any]) -> None:
        alice = await subject.service.create({"name": "Alice", "age": 12})
        try:
            with pytest.raises(NotFound):
                await subject.service.patch(
                    subject.key(doug), {"age": 33}, {"query": {subject.id: subject.key(alice)}}
                )
        finally:
            await subject.service.remove(subject.key(alice))
        assert (await subject.service.get(subject.key(doug)))["age"] == 32

    # -- create -------------------------------------------------------------------------

    async def test_create(self, subject: Subject) -> None:
        original = {"name": "Bill", "age": 40}
        data = await subject.service.create(original)
        try:
            assert original == {"name": "Bill", "age": 40}
            assert data == subject.record(**{subject.id: subject.key(data)}, name="Bill", age=40)
            assert await subject.service.get(subject.key(data)) == data
        finally:
            await subject.service.remove(subject.key(data))

    async def test_create_select(self, subject: Subject) -> None:
        data = await subject.service.create(
            {"name": "William", "age": 23}, {"query": {"$select": ["name"]}}
        )
        try:
            assert data == {subject.id: subject.key(data), "name": "William"}
        finally:
            await subject.service.remove(subject.key(data))

    async def test_create_multi(self, subject: Subject, monkeypatch: pytest.MonkeyPatch) -> None:
        service = subject.service
        with pytest.raises(MethodNotAllowed, match="Can not create multiple entries"):
            await service.create([], {})
        monkeypatch.setattr(service.options, "multi", ["create", "patch"])
        data = await service.create([{"name": "Gerald", "age": 18}, {"name": "Herald", "age": 18}])
        try:
            assert [person["name"] for person in data] == ["Gerald", "Herald"]
            assert subject.key(data[0]) is not None and subject.key(data[1]) is not None
            assert subject.key(data[0]) != subject.key(data[1])
        finally:
            await service.remove(subject.key(data[0]))
            await service.remove(subject.key(data[1]))

    async def test_create_ignores_query(self, subject: Subject) -> None:
        data = await subject.service.create(
            {"name": "Billy", "age": 42}, {"query": {"name": "Dave"}}
        )
        try:
            assert (data["name"], data["age"]) == ("Billy", 42)
        finally:
            await subject.service.remove(subject.key(data))

    # -- internal: the public methods never call other public methods -------------------

    async def test_internal_find(self, subject: Subject, doug: dict[str, Any]) -> None:
        service = subject.service
        assert await type(service).find(_throwing_copy(service)) == [doug]

    async def test_internal_get(self, subject: Subject, doug: dict[str, Any]) -> None:
        service = subject.service
        assert await type(service).get(_throwing_copy(service), subject.key(doug)) == doug

    async def test_internal_create(self, subject: Subject) -> None:
        service = subject.service
        bob = await type(service).create(_throwing_copy(service), {"name": "Bob", "age": 25})
        assert (await service.get(subject.key(bob)))["name"] == "Bob"
        await service.remove(subject.key(bob))

    async def test_internal_update(self, subject: Subject, doug: dict[str, Any]) -> None:
        service = subject.service
        data = await type(service).update(
            _throwing_copy(service), subject.key(doug), {"name": "Dougler"}
        )
        assert data == subject.record(**{subject.id: subject.key(doug)}, name="Dougler")

    async def test_internal_patch(self, subject: Subject, doug: dict[str, Any]) -> None:
        service = subject.service
        data = await type(service).patch(
            _throwing_copy(service), subject.key(doug), {"name": "PatchDoug"}
        )
        assert data == {**doug, "name": "PatchDoug"}

    async def test_internal_remove(self, subject: Subject, doug: dict[str, Any]) -> None:
        service = subject.service
        assert await type(service).remove(_throwing_copy(service), subject.key(doug)) == doug
        assert await service.find() == []

    # -- Query syntax -------------------------------------------------------------------

    async def test_find_equal(self, subject: Subject, people: dict[str, Any]) -> None:
        assert await subject.service.find({"query": {"name": "Alice"}}) == [people["Alice"]]

    async def test_find_equal_multiple(self, subject: Subject, people: dict[str, Any]) -> None:
        assert await subject.service.find({"query": {"name": "Alice", "age": 20}}) == []
        assert await subject.service.find({"query": {"name": "Alice", "age": 19}}) == [
            people["Alice"]
        ]

    async def test_find_sort(self, subject: Subject, people: dict[str, Any]) -> None:
        assert await self._find_names(subject, {"$sort": {"name": 1}}) == ["Alice", "Bob", "Doug"]
        assert await self._find_names(subject, {"$sort": {"name": -1}}) == ["Doug", "Bob", "Alice"]

    async def test_find_sort_string(self, subject: Subject, people: dict[str, Any]) -> None:
        assert await self._find_names(subject, {"$sort": {"name": "1"}}) == ["Alice", "Bob", "Doug"]
        assert await self._find_names(subject, {"$sort": {"age": "-1"}}) == ["Doug", "Bob", "Alice"]

    async def test_find_limit(self, subject: Subject, people: dict[str, Any]) -> None:
        names = await self._find_names(subject, {"$limit": 2, "$sort": {"age": 1}})
        assert names == ["Alice", "Bob"]

    async def test_find_limit_0(self, subject: Subject, people: dict[str, Any]) -> None:
        assert await subject.service.find({"query": {"$limit": 0}}) == []

    async def test_find_skip(self, subject: Subject, people: dict[str, Any]) -> None:
        assert await self._find_names(subject, {"$sort": {"name": 1}, "$skip": 1}) == [
            "Bob",
            "Doug",
        ]

    async def test_find_select(self, subject: Subject, people: dict[str, Any]) -> None:
        data = await subject.service.find({"query": {"name": "Alice", "$select": ["name"]}})
        assert data == [{subject.id: subject.key(people["Alice"]), "name": "Alice"}]

    async def test_find_or(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"$or": [{"name": "Alice"}, {"name": "Bob"}], "$sort": {"name": 1}}
        assert await self._find_names(subject, query) == ["Alice", "Bob"]

    async def test_find_in(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"name": {"$in": ["Alice", "Bob"]}, "$sort": {"name": 1}}
        assert await self._find_names(subject, query) == ["Alice", "Bob"]

    async def test_find_nin(self, subject: Subject, people: dict[str, Any]) -> None:
        assert await self._find_names(subject, {"name": {"$nin": ["Alice", "Bob"]}}) == ["Doug"]

    async def test_find_lt(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"age": {"$lt": 30}, "$sort": {"name": 1}}
        assert await self._find_names(subject, query) == ["Alice", "Bob"]

    async def test_find_lte(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"age": {"$lte": 25}, "$sort": {"name": 1}}
        assert await self._find_names(subject, query) == ["Alice", "Bob"]

    async def test_find_gt(self, subject: Subject, people: dict[str, Any]) -> None:
        assert await self._find_names(subject, {"age": {"$gt": 30}}) == ["Doug"]

    async def test_find_gte(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"age": {"$gte": 25}, "$sort": {"name": 1}}
        assert await self._find_names(subject, query) == ["Bob", "Doug"]

    async def test_find_ne(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"age": {"$ne": 25}, "$sort": {"name": 1}}
        assert await self._find_names(subject, query) == ["Alice", "Doug"]

    async def test_find_gt_lt_sort(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"age": {"$gt": 18, "$lt": 30}, "$sort": {"name": 1}}
        assert await self._find_names(subject, query) == ["Alice", "Bob"]

    async def test_find_or_nested_sort(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {
            "$or": [{"name": "Doug"}, {"age": {"$gte": 18, "$lt": 25}}],
            "$sort": {"name": 1},
        }
        assert await self._find_names(subject, query) == ["Alice", "Doug"]

    async def test_find_and(self, subject: Subject, people: dict[str, Any]) -> None:
        assert await self._find_names(subject, {"$and": [{"age": 19}], "$sort": {"name": 1}}) == [
            "Alice"
        ]

    async def test_find_and_or(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"$and": [{"$or": [{"name": "Alice"}]}], "$sort": {"name": 1}}
        assert await self._find_names(subject, query) == ["Alice"]

    async def test_params_adapter_paginate(self, subject: Subject, people: dict[str, Any]) -> None:
        page = await subject.service.find({"adapter": {"paginate": {"default": 3}}})
        assert (page["total"], page["limit"], page["skip"], len(page["data"])) == (3, 3, 0, 3)
        assert isinstance(await subject.service.find(), list)

    async def test_params_adapter_multi(self, subject: Subject, people: dict[str, Any]) -> None:
        multi = {"adapter": {"multi": ["create"]}}
        items = [{"name": "Garald", "age": 200}, {"name": "Harald", "age": 24}]
        users = await subject.service.create(items, multi)
        assert [user["name"] for user in users] == ["Garald", "Harald"]
        for user in users:
            await subject.service.remove(subject.key(user))
        with pytest.raises(MethodNotAllowed, match="Can not patch multiple entries"):
            await subject.service.patch(None, {"age": 2}, multi)
        with pytest.raises(MethodNotAllowed, match="Can not create multiple entries"):
            await subject.service.create(items)

    # -- pagination ---------------------------------------------------------------------

    @pytest.fixture
    def paginated(self, subject: Subject, monkeypatch: pytest.MonkeyPatch) -> Subject:
        monkeypatch.setattr(subject.service.options, "paginate", {"default": 1, "max": 2})
        return subject

    async def test_find_paginate(self, paginated: Subject, people: dict[str, Any]) -> None:
        page = await paginated.service.find({"query": {"$sort": {"name": -1}}})
        assert page == {"total": 3, "limit": 1, "skip": 0, "data": [people["Doug"]]}

    async def test_find_paginate_query(self, paginated: Subject, people: dict[str, Any]) -> None:
        page = await paginated.service.find({"query": {"$sort": {"name": -1}, "name": "Doug"}})
        assert page == {"total": 1, "limit": 1, "skip": 0, "data": [people["Doug"]]}

    async def test_find_paginate_limit_skip(
        self, paginated: Subject, people: dict[str, Any]
    ) -> None:
        query = {"$skip": 1, "$limit": 4, "$sort": {"name": -1}}
        page = await paginated.service.find({"query": query})
        assert page == {
            "total": 3,
            "limit": 2,
            "skip": 1,
            "data": [people["Bob"], people["Alice"]],
        }

    async def test_find_paginate_limit_0(self, paginated: Subject, people: dict[str, Any]) -> None:
        page = await paginated.service.find({"query": {"$limit": 0}})
        assert page == {"total": 3, "limit": 0, "skip": 0, "data": []}

    async def test_find_paginate_params(self, paginated: Subject, people: dict[str, Any]) -> None:
        page = await paginated.service.find({"paginate": {"default": 3}})
        assert (page["total"], page["limit"], page["skip"], len(page["data"])) == (3, 3, 0, 3)
        results = await paginated.service.find({"paginate": False})
        assert sorted(person["name"] for person in results) == ["Alice", "Bob", "Doug"]

    # -- extra cases (Feathers' memory tests and our input checks) ----------------------

    async def test_find_select_only(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"$select": ["name"], "$sort": {"age": 1}}
        results = await subject.service.find({"paginate": False, "query": query})
        assert results[0] == {subject.id: subject.key(people["Alice"]), "name": "Alice"}

    async def test_result_is_a_copy(self, subject: Subject, doug: dict[str, Any]) -> None:
        found = await subject.service.get(subject.key(doug))
        del found["age"]
        found["name"] = "Changed"
        assert await subject.service.get(subject.key(doug)) == doug

    async def test_paginate_limit_keeps_total(self, services: dict[str, Any]) -> None:
        service = services["people-paginate"]
        await service.create(
            [{"name": f"Tester {i}", "age": age} for i in range(10) for age in (19, 20)]
        )
        try:
            page = await service.find({"query": {"$skip": 3, "$limit": 5, "age": 19}})
            assert (page["total"], page["skip"], page["limit"], len(page["data"])) == (10, 3, 5, 5)
        finally:
            await service.remove(None, {"query": {"age": {"$in": [19, 20]}}})
        assert (await service.find())["total"] == 0

    async def test_invalid_filter(self, subject: Subject) -> None:
        with pytest.raises(BadRequest, match=r"Invalid filter value \$exists"):
            await subject.service.find({"query": {"$exists": True}})

    async def test_invalid_operator(self, subject: Subject) -> None:
        with pytest.raises(BadRequest, match=r"Invalid query parameter \$regex"):
            await subject.service.find({"query": {"name": {"$regex": "^A"}}})

    async def test_in_needs_a_list(self, subject: Subject) -> None:
        with pytest.raises(BadRequest, match=r"\$in must be a list"):
            await subject.service.find({"query": {"name": {"$in": "Alice"}}})

    async def test_string_limit_and_skip(self, subject: Subject, people: dict[str, Any]) -> None:
        query = {"$limit": "1", "$skip": "1", "$sort": {"name": 1}}
        assert await self._find_names(subject, query) == ["Bob"]
        with pytest.raises(BadRequest, match=r"\$limit"):
            await subject.service.find({"query": {"$limit": "two"}})
