"""Recording sent messages: each message's rows are marked sent with its activity id straight away."""
from __future__ import annotations

import asyncio

from storage import outbox
from storage.db import Database


class SentMarks:
    """Marks each message's rows sent straight away: a message answered while another's mark is
    being written goes with the others that came meanwhile in the next write, one transaction for
    them all. The write is the database's busiest part of a send; on a starved machine answers
    come back together, and so their marks go together."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[outbox.Sent, asyncio.Future]] = []
        self._busy = False

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
                    if len(batch) == 1:
                        await outbox.mark_sent(self.db, list(sent.ids), activity_id=sent.activity_id, now=sent.at)
                    else:
                        await outbox.mark_sent_many(self.db, [s for s, _ in batch])
                except BaseException as exc:
                    for _, done in batch:
                        if done is not None and not done.done():
                            done.set_exception(exc if isinstance(exc, Exception) else RuntimeError("mark not written"))
                    raise
                for _, done in batch:
                    if done is not None and not done.done():
                        done.set_result(None)
                batch, self._waiting = list(self._waiting), []
                sent = batch[0][0] if batch else sent
        finally:
            self._busy = False
            if self._waiting:  # the writer failed or was cancelled: the next to come writes these
                waiting, self._waiting = self._waiting, []
                asyncio.get_running_loop().create_task(self._write_for(waiting))

    async def _write_for(self, waiting: list[tuple[outbox.Sent, asyncio.Future]]) -> None:
        results = await asyncio.gather(*(self.record(sent) for sent, _ in waiting), return_exceptions=True)
        for (_, done), result in zip(waiting, results, strict=True):
            if not done.done():
                if isinstance(result, BaseException):
                    done.set_exception(result if isinstance(result, Exception) else RuntimeError("mark not written"))
                else:
                    done.set_result(None)
