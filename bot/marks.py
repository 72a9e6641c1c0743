"""Recording sent messages: each message's rows are marked sent with its activity id as soon as
Teams has answered, and a mark the database could not take is held and written again.

A message Teams accepted must never go again because its mark was not written: that is a
duplicate in someone's chat. So a mark that fails because the database is unavailable
(storage/unavailable.py) is kept and tried again, with back-off, for up to QA_DATABASE_WAIT_SECONDS;
meanwhile the sender claims nothing new (`holding`), so it cannot claim those rows again itself.
Only past that wait is the mark given up (logged with the row ids): the rows are then sent again
when their claim lapses. After kill -9 the duplicates are the messages in flight and those
answered whose mark was still being written: see docs/performance.md, "recovery after kill -9".
"""
from __future__ import annotations

import asyncio
import logging

from storage import outbox
from storage.db import Database
from storage.unavailable import database_unavailable, ride_out

log = logging.getLogger(__name__)


class SentMarks:
    """Marks each message's rows sent straight away: a message answered while another's mark is
    being written goes with the others that came meanwhile in the next write, one transaction for
    them all. The write is the database's busiest part of a send; on a starved machine answers
    come back together, and so their marks go together. `wait`: how long (s) a mark is held and
    retried while the database is unavailable."""

    def __init__(self, db: Database, *, wait: float = 0.0) -> None:
        self.db = db
        self.wait = wait
        self._waiting: list[tuple[outbox.Sent, asyncio.Future]] = []
        self._busy = False
        self._held = 0  # marks written at least once without success and not yet written
        self._clear = asyncio.Event()
        self._clear.set()

    @property
    def holding(self) -> bool:
        """Some mark failed for want of the database and is being tried again."""
        return self._held > 0

    async def written(self) -> None:
        """Return once no mark is held (at once when none is)."""
        await self._clear.wait()

    async def record(self, sent: outbox.Sent) -> None:
        if self._busy:  # the writer takes it with the next write
            done = asyncio.get_running_loop().create_future()
            self._waiting.append((sent, done))
            await done
            return
        self._busy = True
        batch: list[tuple[outbox.Sent, asyncio.Future | None]] = [(sent, None)]
        try:
            while batch:
                try:
                    await self._write([s for s, _ in batch])
                except BaseException as exc:
                    for _, done in batch:
                        if done is not None and not done.done():
                            done.set_exception(exc if isinstance(exc, Exception) else RuntimeError("mark not written"))
                    raise
                for _, done in batch:
                    if done is not None and not done.done():
                        done.set_result(None)
                batch, self._waiting = list(self._waiting), []
        finally:
            self._busy = False
            if self._waiting:  # the writer failed or was cancelled: the next to come writes these
                waiting, self._waiting = self._waiting, []
                asyncio.get_running_loop().create_task(self._write_for(waiting))

    async def _write(self, batch: list[outbox.Sent]) -> None:
        """One transaction for `batch`, held and retried while the database is unavailable."""
        failed = False

        async def once() -> None:
            nonlocal failed
            try:
                if len(batch) == 1:
                    await outbox.mark_sent(self.db, list(batch[0].ids), activity_id=batch[0].activity_id,
                                           now=batch[0].at)
                else:
                    await outbox.mark_sent_many(self.db, batch)
            except Exception as exc:
                if database_unavailable(exc) and not failed:
                    failed = True
                    self._hold(1)
                raise

        try:
            await ride_out(once, wait=self.wait, what="outbox sent mark")
        except Exception as exc:
            if database_unavailable(exc):
                log.error("outbox rows %s went out but their sent mark could not be written in %.0f s: "
                          "they will be sent again", [i for s in batch for i in s.ids], self.wait)
            raise
        finally:
            if failed:
                self._hold(-1)

    def _hold(self, change: int) -> None:
        self._held += change
        if self._held:
            self._clear.clear()
        else:
            self._clear.set()

    async def _write_for(self, waiting: list[tuple[outbox.Sent, asyncio.Future]]) -> None:
        results = await asyncio.gather(*(self.record(sent) for sent, _ in waiting), return_exceptions=True)
        for (_, done), result in zip(waiting, results, strict=True):
            if not done.done():
                if isinstance(result, BaseException):
                    done.set_exception(result if isinstance(result, Exception) else RuntimeError("mark not written"))
                else:
                    done.set_result(None)
