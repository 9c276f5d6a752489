"""Who is using the app: everyone reads; editors, once signed in, may write.

Two ways to sign in, chosen by `.streamlit/secrets.toml` (see `.streamlit/secrets.toml.example`):

- an `[auth]` section configured for OpenID Connect: editors sign in with `st.login` at their identity
  provider (Microsoft Entra ID, Google, Okta, …). `editor_emails` may list who is an editor; without it,
  everyone the provider lets in is one.
- otherwise one shared editor password, `editor_password`; each editor gives a name, recorded with every
  change. Without a configured password nobody is an editor.

The store checks the role again on every write, so this module only decides who the app says the user is.
"""

from __future__ import annotations

import hmac
import math
import os
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import streamlit as st

from components import layout
from valuechain import text
from valuechain.redact import redact
from valuechain.store import Identity

VIEWER = Identity("viewer", "viewer")
EDITOR_SESSION_KEY = "_auth_editor"  # the signed-in editor's name (session only)
_ERROR = "_auth_error"
_NAME = "login_name"  # the sign-in form's fields
_PASSWORD = "login_password"
_WRONG_PASSWORD_DELAY = 1.0  # seconds: slows down guessing without bothering a person who mistyped
_SHARED_AUTH_KEYS = {
    "redirect_uri",
    "cookie_secret",
    "expose_tokens",
    "client_id",
    "client_secret",
    "server_metadata_url",
    "client_kwargs",
}


def _secret(key: str) -> Any:
    try:
        return st.secrets.get(key)
    except FileNotFoundError:  # no secrets file at all
        return None


def _editor_password() -> str | None:
    """The configured editor password, or None when editing is switched off."""
    value = _secret("editor_password")
    return str(value) if value else None


def oidc_configured() -> bool:
    """Whether secrets hold an `[auth]` section, i.e. editors sign in with st.login (OIDC)."""
    return bool(_secret("auth"))


def _provider() -> str | None:
    """The named provider of `[auth.NAME]` when exactly one is configured, else the unnamed default."""
    section = _secret("auth") or {}
    named = [k for k, v in dict(section).items() if k not in _SHARED_AUTH_KEYS and isinstance(v, Mapping)]
    return named[0] if len(named) == 1 else None


def _oidc_identity() -> Identity:
    user = st.user
    if not user.is_logged_in:
        return VIEWER
    email = str(user.get("email") or "")
    allowed = _secret("editor_emails")
    if allowed and email.lower() not in {str(e).lower() for e in allowed}:
        return Identity(str(user.get("name") or email or "signed-in user"), "viewer")
    return Identity(str(user.get("name") or email or "editor"), "editor")


def identity() -> Identity:
    """The signed-in editor, or a viewer."""
    if oidc_configured():
        return _oidc_identity()
    name = st.session_state.get(EDITOR_SESSION_KEY)
    return Identity(str(name), "editor") if name else VIEWER


def error_message(error: object) -> str:
    """A store, configuration or boundary error as this user may see it, as plain text: never a password,
    and where files live on the server only for editors (who may have to move a damaged file)."""
    return layout.plain(redact(error, show_paths=identity().can_write))


def _sign_in() -> None:
    password = _editor_password()
    name = str(st.session_state.get(_NAME) or "").strip()
    given = str(st.session_state.get(_PASSWORD) or "")
    st.session_state[_PASSWORD] = ""
    if password is None:
        st.session_state[_ERROR] = "Editing is switched off."
    elif not name:
        st.session_state[_ERROR] = "Give your name: it is recorded with every change."
    elif problem := text.problem(name, "name"):
        st.session_state[_ERROR] = problem
    else:
        _check_password(name, given, password)


def _check_password(name: str, given: str, password: str) -> None:
    """Compare the password unless this name or this client address is locked out; count wrong ones in the
    store, so that every session and every app process on the database counts them together."""
    from components import data as app_data  # components.data shows errors through this module

    store = app_data.store()
    subjects = (f"name:{name.casefold()}", f"address:{_client_address()}")
    until = store.sign_in_locked_until(subjects)
    if until is not None:
        st.session_state[_ERROR] = _locked(until)
        return
    ok = hmac.compare_digest(given.encode(), password.encode())
    until = store.record_sign_in(subjects, ok)
    if ok:
        st.session_state[EDITOR_SESSION_KEY] = name
        st.session_state.pop(_ERROR, None)
        return
    time.sleep(_WRONG_PASSWORD_DELAY)
    st.session_state[_ERROR] = "That password is not right." + (f" {_locked(until)}" if until is not None else "")


def _client_address() -> str:
    """The browser's address, for counting wrong passwords per address. Behind a reverse proxy the connection
    comes from the proxy, so VALUECHAIN_CLIENT_ADDRESS_HEADER names the header in which it passes the browser's
    address on (e.g. X-Forwarded-For: the last entry, the one the proxy itself added). "local" on localhost,
    where Streamlit gives no address."""
    header = os.environ.get("VALUECHAIN_CLIENT_ADDRESS_HEADER", "").strip()
    forwarded = st.context.headers.get(header) if header else None
    address = forwarded.split(",")[-1].strip() if isinstance(forwarded, str) else st.context.ip_address
    return address if isinstance(address, str) and address else "local"


def _locked(until: datetime) -> str:
    minutes = max(1, math.ceil((until - datetime.now(UTC).replace(tzinfo=None)).total_seconds() / 60))
    return (
        "Too many wrong passwords for this name or from this address: sign-in is locked for "
        f"{minutes} more minute{'s' if minutes > 1 else ''}."
    )


def logout() -> None:
    """Sign out: back to viewer (with OIDC also at the identity provider's session cookie)."""
    if oidc_configured():
        st.logout()
        return
    st.session_state.pop(EDITOR_SESSION_KEY, None)


def editors_only(why: str) -> Identity:
    """The sign-in form, then the signed-in editor; anyone else reads why the page is for editors, and the page
    stops there."""
    login_form()
    who = identity()
    if not who.can_write:
        st.info(why, icon="🔒")
        st.stop()
    return who


def login_form() -> None:
    """Sign in as editor, or sign out; says so when no way to sign in is configured."""
    who = identity()
    if who.can_write:
        cols = st.columns([4, 1], vertical_alignment="center")
        cols[0].caption(f"Signed in as editor: {layout.plain(who.name)}")
        cols[1].button("Sign out", key="logout", on_click=logout)
        return
    if oidc_configured():
        if st.user.is_logged_in:
            st.warning(f"{layout.plain(who.name)} is signed in but not an editor (not in `editor_emails`).", icon="🔒")
            st.button("Sign out", key="logout", on_click=logout)
            return
        st.button(
            "Sign in as editor",
            key="login_oidc",
            type="primary",
            on_click=st.login,
            args=(_provider(),),
            help="Opens your organisation's sign-in page; you come back here signed in.",
        )
        return
    if _editor_password() is None:
        st.info(
            "Editing is switched off: no editor password is configured (`editor_password` in "
            "`.streamlit/secrets.toml`). You can read and export everything.",
            icon="🔒",
        )
        return
    with st.form("login", border=True):
        st.markdown("**Sign in as editor** to write and change idea cards and to upload data.")
        st.text_input("Your name", key=_NAME)
        st.text_input("Editor password", type="password", key=_PASSWORD)
        st.form_submit_button("Sign in", on_click=_sign_in)
    error = st.session_state.pop(_ERROR, None)
    if error:
        st.error(layout.plain(error))
