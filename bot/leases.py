"""The journal shared by several bot processes on one PostgreSQL database: leases, and send budgets.

Any worker may receive an update (a webhook behind a load balancer) and journals it; any worker then
claims it. A claim is a lease: the update is this worker's until `lease_until`, which the worker
pushes forward while it answers. A worker that dies (SIGKILL, a lost machine) stops renewing, and once
the lease runs out another worker claims the update again, counting a crash against it.

Only the oldest pending update of a chat can be claimed, so a chat's updates are answered one at a
time and in order, by whichever worker is free; chats run side by side. `FOR UPDATE SKIP LOCKED` lets
many workers claim at once without waiting on each other's rows.

Telegram's flood limits hold for the bot, not for a process: about 30 messages a second in all and 20
a minute in one group. `reserve` keeps each as a "theoretical arrival time" row (the generic cell rate
algorithm) in the database, so that every worker's sends count against the same budget.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from index import Database

LEASE_SECONDS = 30.0  # an update is a worker's this long after its last renewal
BOT_RATE = (30, 1.0)  # messages per seconds, the bot as a whole
GROUP_RATE = (20, 60.0)  # in one group or channel

# The oldest pending update of each chat whose lease (if any) has run out, oldest first; the first
# that no other worker holds locked right now.
_CLAIM = """
WITH next AS (
    SELECT u.update_id FROM updates u
    WHERE u.state = 'pending' AND (u.lease_until IS NULL OR u.lease_until < ?)
      AND NOT EXISTS (
          SELECT 1 FROM updates o
          WHERE o.state = 'pending' AND o.chat_id = u.chat_id AND o.update_id < u.update_id
      )
    ORDER BY u.update_id
    LIMIT 1
    FOR UPDATE OF u SKIP LOCKED
)
UPDATE updates SET
    tries = updates.tries + 1,
    crashes = updates.crashes + (CASE WHEN updates.owner IS NOT NULL THEN 1 ELSE 0 END),
    owner = ?, lease_until = ?, in_flight = 1
FROM next WHERE updates.update_id = next.update_id
RETURNING updates.update_id, updates.chat_id, updates.payload, updates.tries, updates.failures,
    updates.crashes
"""


@dataclass(frozen=True, slots=True)
class Leased:
    """An update this worker now holds: Telegram's JSON, and how often it was started, failed, and
    was held by a worker that died."""

    update_id: int
    chat_id: int | None
    payload: dict[str, object]
    tries: int
    failures: int
    crashes: int


class Leases:
    """The shared journal's claims for one worker (`owner`), over the bot state's database."""

    def __init__(self, database: Database, owner: str, *, lease: float = LEASE_SECONDS) -> None:
        self.database = database
        self.owner = owner
        self.lease = lease

    def claim_next(self, *, now: float | None = None) -> Leased | None:
        """Take the next update that is free to answer, or None when there is none."""
        now = time.time() if now is None else now
        with self.database.transaction() as db:
            row = db.execute(_CLAIM, (now, self.owner, now + self.lease)).fetchone()
        if row is None:
            return None
        update_id, chat_id, payload, tries, failures, crashes = row
        return Leased(int(update_id), chat_id, json.loads(payload), int(tries), int(failures), int(crashes))

    def renew(self) -> int:
        """Push this worker's leases forward; how many it holds."""
        with self.database.transaction() as db:
            return int(
                db.execute(
                    "UPDATE updates SET lease_until = ? WHERE owner = ? AND state = 'pending'",
                    (time.time() + self.lease, self.owner),
                ).rowcount
            )

    def retry_later(self, update_id: int, pause: float) -> int:
        """Count a failed try and let the update go, to be claimed again (by any worker) after `pause`;
        returns how many tries have failed. Its chat waits meanwhile: the update is still its oldest."""
        with self.database.transaction() as db:
            row = db.execute(
                "UPDATE updates SET failures = failures + 1, owner = NULL, lease_until = ?, in_flight = 0"
                " WHERE update_id = ? AND owner = ? RETURNING failures",
                (time.time() + pause, update_id, self.owner),
            ).fetchone()
        return 0 if row is None else int(row[0])

    def release_all(self) -> int:
        """Let go of what this worker still holds (it is stopping): other workers take it at once."""
        with self.database.transaction() as db:
            return int(
                db.execute(
                    "UPDATE updates SET owner = NULL, lease_until = NULL, in_flight = 0"
                    " WHERE owner = ? AND state = 'pending'",
                    (self.owner,),
                ).rowcount
            )

    def reserve(self, chat_id: int | None, *, now: float | None = None) -> float:
        """Book one message against the bot's budget and, in a group, the group's; the seconds to wait
        before sending it (0: at once)."""
        now = time.time() if now is None else now
        scopes = [("bot", *BOT_RATE)]
        if chat_id is not None and chat_id < 0:
            scopes.append((f"chat:{chat_id}", *GROUP_RATE))
        wait = 0.0
        with self.database.transaction() as db:
            for scope, count, seconds in scopes:
                interval = seconds / count
                (tat,) = db.execute(
                    "INSERT INTO send_budget (scope, tat) VALUES (?, ?) ON CONFLICT (scope)"
                    " DO UPDATE SET tat = greatest(send_budget.tat, ?) + ? RETURNING tat",
                    (scope, now + interval, now, interval),
                ).fetchone()
                wait = max(wait, float(tat) - now - seconds)  # a full window's worth may go at once
        return max(wait, 0.0)
