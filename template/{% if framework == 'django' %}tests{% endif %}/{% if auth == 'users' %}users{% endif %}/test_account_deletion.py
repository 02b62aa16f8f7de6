"""Deleting an account keeps the rows it owns (README, "Deleting an account"): `owner_id` is the token's subject, a
plain string, so that subjects of an outside issuer own rows as accounts do. The rows stay, visible to the holders of
the resource's admin scope only; a new account with the same email is a new subject and sees none of them."""

from __future__ import annotations

from rest_framework.test import APIClient

from ..fixtures import Caller, CreateUser
from ..tokens import bearer_header

ITEMS = "/api/v1/items"
USERS = "/api/v1/users"


def test_a_deleted_accounts_rows_stay_for_admins_only(
    client: APIClient, create_user: CreateUser, admin: Caller
) -> None:
    leaving = create_user(email="leaving@example.com")
    outside = bearer_header("an-outside-issuer|subject-7", leaving.scopes)  # no account of ours
    kept = client.post(ITEMS, {"name": "Kettle", "price_cents": 4990}, format="json", headers=leaving.headers())
    theirs = client.post(ITEMS, {"name": "Teapot", "price_cents": 2990}, format="json", headers=outside)
    assert (kept.status_code, theirs.status_code) == (201, 201), (kept.content, theirs.content)
    one = f"{ITEMS}/{kept.json()['id']}"

    assert client.delete(f"{USERS}/{leaving.id}", headers=admin.headers()).status_code == 204

    assert client.get(one, headers=admin.headers()).json() == kept.json()  # kept, still the old subject's
    successor = create_user(email="leaving@example.com")
    assert successor.id != leaving.id
    assert client.get(one, headers=successor.headers()).status_code == 404
    assert client.get(ITEMS, headers=successor.headers()).json()["total"] == 0
    outsiders = client.get(ITEMS, headers=outside).json()
    assert [item["id"] for item in outsiders["items"]] == [theirs.json()["id"]]
