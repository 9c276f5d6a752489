"""Workshops in the store, on both backends: agendas (editors), votes and comments (participants)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from tests.conftest import make_store
from valuechain import store as store_module
from valuechain.store import Identity, PermissionDenied, RateLimited, Store, StoreError


def scene(title: str, page: str = "map", **state: object) -> dict[str, object]:
    return {"title": title, "note": f"say something about {title}", "page": page, "state": state}


def test_agenda_is_ordered_and_editable(store: Store, editor: Identity) -> None:
    workshop_id, code = store.create_workshop("Turku workshop", who=editor)
    assert len(code) == 6 and code.isalnum()
    ids = [store.add_scene(workshop_id, scene(t, country=["SE", "FI"]), who=editor) for t in ("one", "two", "three")]
    agenda = store.scenes(workshop_id)
    assert agenda["title"].tolist() == ["one", "two", "three"]
    assert agenda["position"].tolist() == [1, 2, 3]
    assert agenda["state"].iloc[0] == {"country": ["SE", "FI"]}
    store.move_scene(ids[2], -1, who=editor)
    assert store.scenes(workshop_id)["title"].tolist() == ["one", "three", "two"]
    store.delete_scene(ids[0], who=editor)
    agenda = store.scenes(workshop_id)
    assert agenda["title"].tolist() == ["three", "two"] and agenda["position"].tolist() == [1, 2]
    store.update_scene(ids[1], "two, renamed", "new note", who=editor)
    assert store.scenes(workshop_id).set_index("scene_id").at[ids[1], "note"] == "new note"


def test_join_codes_are_unique(store: Store, editor: Identity) -> None:
    codes = {store.create_workshop(f"w{i}", who=editor)[1] for i in range(30)}
    assert len(codes) == 30
    duplicate = store.workshops()["code"].iloc[0]
    with pytest.raises(Exception, match=r"(?i)unique|duplicate|constraint"), store.backend.transaction() as cur:
        store_module._execute(
            cur,
            "INSERT INTO workshops (workshop_id, title, code, closed, created_by, created_at) "
            "VALUES (999, 'x', ?, FALSE, 'x', ?)",
            (duplicate, datetime.now(UTC).replace(tzinfo=None)),
        )


def test_one_vote_per_browser_per_item_and_comments_as_text(store: Store, editor: Identity) -> None:
    workshop_id, code = store.create_workshop("w", who=editor)
    alice, bob = store.join(code.lower()), store.join(f" {code} ")
    assert store.participant_workshop(alice) == workshop_id
    assert store.vote("partner:SE33:FI1D", who=alice)
    assert not store.vote("partner:SE33:FI1D", who=alice)
    assert store.vote("partner:SE33:FI1D", who=bob)
    assert store.vote("idea:1", who=bob)
    tallies = store.tallies(workshop_id).set_index("item")["votes"].to_dict()
    assert tallies == {"partner:SE33:FI1D": 2, "idea:1": 1}
    assert store.voted(bob) == {"partner:SE33:FI1D", "idea:1"}
    store.comment("idea:1", "<b>not bold</b>  *nor this* [link](http://x)", who=alice)
    assert store.comments(workshop_id)["text"].tolist() == ["<b>not bold</b> *nor this* [link](http://x)"]
    with pytest.raises(StoreError, match="HTML or script markup"):
        store.create_workshop("<script>alert(1)</script>", who=editor)
    with pytest.raises(StoreError, match="longer than 280"):
        store.comment("idea:1", "x" * 281, who=alice)
    with pytest.raises(StoreError, match="not a partner suggestion or an idea card"):
        store.vote("idea:1; DROP TABLE votes", who=alice)
    with pytest.raises(StoreError, match="no workshop with the code"):
        store.join("NOPE00")


def test_closing_freezes_votes_and_comments(store: Store, editor: Identity) -> None:
    workshop_id, code = store.create_workshop("w", who=editor)
    alice = store.join(code)
    store.vote("idea:1", who=alice)
    store.set_closed(workshop_id, True, who=editor)
    with pytest.raises(StoreError, match="closed"):
        store.vote("idea:2", who=alice)
    with pytest.raises(StoreError, match="closed"):
        store.comment("idea:1", "late", who=alice)
    with pytest.raises(StoreError, match="closed"):
        store.join(code)
    assert store.tallies(workshop_id)["votes"].sum() == 1
    store.set_closed(workshop_id, False, who=editor)
    assert store.vote("idea:2", who=alice)


def test_participants_are_rate_limited(store: Store, editor: Identity) -> None:
    _, code = store.create_workshop("w", who=editor)
    alice = store.join(code)
    for i in range(store_module.RATE_LIMIT):
        store.vote(f"idea:{i + 1}", who=alice)
    with pytest.raises(RateLimited, match="Slow down"):
        store.comment("idea:1", "one more", who=alice)
    bob = store.join(code)  # the limit is per browser
    assert store.vote("idea:1", who=bob)
    # Once the window has passed, alice may act again.
    with store.backend.transaction() as cur:
        store_module._execute(
            cur,
            "UPDATE votes SET created_at = ? WHERE participant = ?",
            (datetime.now(UTC).replace(tzinfo=None) - timedelta(seconds=store_module.RATE_WINDOW_S + 1), alice.name),
        )
    assert store.vote("idea:99", who=alice)


def test_participants_and_viewers_cannot_write_anything_else(store: Store, editor: Identity) -> None:
    workshop_id, code = store.create_workshop("w", who=editor)
    participant = store.join(code)
    viewer = Identity("viewer", "viewer")
    frame = pd.DataFrame({"chain_id": ["x"], "name": ["X"], "description": [None]})
    for who in (participant, viewer):
        for write in (
            lambda w: store.create_workshop("mine", who=w),
            lambda w: store.add_scene(workshop_id, scene("mine"), who=w),
            lambda w: store.set_closed(workshop_id, True, who=w),
            lambda w: store.delete_scene(1, who=w),
            lambda w: store.move_scene(1, 1, who=w),
            lambda w: store.update_scene(1, "t", "n", who=w),
            lambda w: store.save_idea({"title": "t", "regions": "SE33"}, who=w),
            lambda w: store.delete_idea(1, who=w),
            lambda w: store.commit_version("value_chains", frame, who=w, dataset="d"),
            lambda w: store.save_mapping("s", "observations", {}, who=w),
        ):
            with pytest.raises(PermissionDenied):
                write(who)
    with pytest.raises(PermissionDenied, match="Only workshop participants"):
        store.vote("idea:1", who=editor)
    with pytest.raises(PermissionDenied, match="has not joined"):
        store.vote("idea:1", who=Identity("forged-token", "participant"))
    found = store.workshop(workshop_id)
    assert found is not None and not found["closed"]


def test_twenty_concurrent_participants_lose_no_vote(store: Store, editor: Identity, backend_url: str) -> None:
    """Each participant votes from its own thread and its own store (own connection); none is lost."""
    workshop_id, code = store.create_workshop("w", who=editor)
    people = [store.join(code) for _ in range(20)]
    items = ["idea:1", "idea:2", "partner:SE33:FI1D"]
    start = threading.Barrier(len(people))
    errors: list[BaseException] = []

    def take_part(who: Identity) -> None:
        own = make_store(backend_url)
        try:
            start.wait()
            for item in items:
                own.vote(item, who=who)
                own.vote(item, who=who)  # a double click counts once
        except BaseException as exc:
            errors.append(exc)
        finally:
            if backend_url.startswith("postgresql://"):
                own.close()

    threads = [threading.Thread(target=take_part, args=(who,)) for who in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert store.tallies(workshop_id).set_index("item")["votes"].to_dict() == {item: 20 for item in items}
