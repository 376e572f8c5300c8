"""The command palette's commands for keys: every action in sight, each once.

``CpTuiApp.get_system_commands`` yields Textual's own commands first, then the
app's, then these: the actions of the other mode screens, and those of the
screen the palette was opened on, of its focused widget and of the containers
between (the item list's Tick, All/none and Edit line). Keys are written as the
footer writes them (``]``, ``?``, ``^s``), after the user's keymap.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen


def other_mode_commands(
    app: App[Any], screen: Screen[object], run_in_mode: Callable[[str, str], None]
) -> Iterable[SystemCommand]:
    """The actions of the other mode screens: the palette holds every screen's."""
    from cp_tui.screens.calendar import CalendarScreen
    from cp_tui.screens.clients import ClientsScreen
    from cp_tui.screens.invoices import InvoicesScreen
    from cp_tui.screens.settings import SettingsScreen

    screens: dict[str, type[Screen[None]]] = {
        "calendar": CalendarScreen,
        "clients": ClientsScreen,
        "invoices": InvoicesScreen,
        "settings": SettingsScreen,
    }
    for mode, screen_class in screens.items():
        if isinstance(screen, screen_class):
            continue
        for binding in screen_class.BINDINGS:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            yield SystemCommand(
                f"{mode.title()}: {binding.description}",
                hint(binding, f"{keys_of(app, binding)} on the {mode.title()} screen"),
                lambda mode=mode, action=binding.action: run_in_mode(mode, action),
            )


def bound_commands(app: App[Any], screen: Screen[object]) -> Iterable[SystemCommand]:
    """What the screen binds, then the focused widget and its containers up to it.

    Each action once, under its binding's description, run on the node that owns it
    (``space`` Tick runs on the item list). A widget's hidden bindings are its own
    navigation (arrows, page keys) and stay out; a screen's hidden ones with an id are
    actions of the app (``g`` generate items) and come in; Textual's own hidden ones
    (tab, ctrl+c) have no id and stay out. An action the screen refuses now (dimmed in
    the footer) is listed with its reason, and running it says why; one it leaves out
    of the footer is left out here too.
    """
    owners: list[DOMNode] = [screen]
    if screen.focused is not None:
        chain = screen.focused.ancestors_with_self
        owners += chain[: chain.index(screen)] if screen in chain else chain
    done: set[tuple[int, str]] = set()
    for owner in owners:
        for binding in _bindings_of(owner):
            offered = binding.show or (owner is screen and binding.id is not None)
            if not binding.description or not offered or (id(owner), binding.action) in done:
                continue
            done.add((id(owner), binding.action))
            state = app._check_action_state(binding.action, owner)
            if state is False:
                continue
            reason = None if state else refusal(app, binding.action, owner)
            yield SystemCommand(
                binding.description,
                hint(binding, keys_of(app, binding, owner), reason),
                lambda action=binding.action, owner=owner: app.run_action(action, owner),
            )


def refusal(app: App[Any], action: str, namespace: DOMNode) -> str | None:
    """Why the node that owns ``action`` refuses it now, when it says (``why_not``)."""
    target, name, _ = app._parse_action(action, namespace)
    why_not = getattr(target, "why_not", None)
    reason = why_not(name) if callable(why_not) else None
    return reason if isinstance(reason, str) else None


def keys_of(app: App[Any], binding: Binding, owner: DOMNode | None = None) -> str:
    """The keys that run ``binding``, as the footer writes them, after the user's keymap."""
    remapped = app._keymap.get(binding.id or "")
    if remapped:
        keys = [key.strip() for key in remapped.split(",")]
    elif owner is not None:
        keys = [key for key, b in owner._bindings if b.action == binding.action]
    else:
        keys = [key.strip() for key in binding.key.split(",")]
    shown = dict.fromkeys(app.get_key_display(replace(binding, key=key)) for key in keys)
    return " or ".join(shown) or binding.key


def app_keys(app: App[Any], action: str) -> str:
    """The keys of one of the app's own actions (``open_mode('calendar')``: 1)."""
    binding = next((b for _, b in app._bindings if b.action == action), None)
    return "" if binding is None else keys_of(app, binding, app)


def hint(binding: Binding, keys: str, reason: str | None = None) -> str:
    """The palette's line under a command: what it does, its keys, why not now.

    The palette reads it as markup: every ``[`` is escaped, so ``[`` (Prev week) and a
    client named ``Lou [b]`` in a reason are shown as typed.
    """
    text = f"{binding.tooltip} ({keys})" if binding.tooltip else f"Key {keys}"
    if reason:
        text += f". Not now: {reason}"
    return text.replace("[", "\\[")


def _bindings_of(node: DOMNode) -> list[Binding]:
    """The node's bindings, its classes' merged, each action once (two keys are one)."""
    seen: dict[str, Binding] = {}
    for _key, binding in node._bindings:
        seen.setdefault(binding.action, binding)
    return list(seen.values())
