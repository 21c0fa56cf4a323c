"""Sending the queued ledger postings once the request's transaction has committed."""

from __future__ import annotations

from fastapi import BackgroundTasks, Request

from realestate_service.books.service import post_pending


def send_postings(request: Request, tasks: BackgroundTasks) -> None:
    """After the response (so after the commit): post what is queued; the sweep retries."""
    app = request.app
    tasks.add_task(post_pending, app.state.engine, app.state.books)
