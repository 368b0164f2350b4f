"""Notifications: the outbox (queued → sent / failed), in-app notifications with read marks, per-user
preferences, per-tenant Japanese templates and the SMTP sender.

Any service queues with `queue_notification(...)` (it flushes, never commits, never sends); the
`notifications.deliver_outbox` job (app/notifications/jobs.py) delivers after the commit.
"""
