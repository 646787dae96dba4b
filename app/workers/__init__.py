"""The background workers a server process runs beside its requests, all on one polling loop
(`base.PollingWorker`): the e-mail relay of the outbox (`mail`), the runner of collective actions
and invitation reminders (`collective`) and the builder of large exports (`exports`). The event
publisher runs on the same loop but lives with the rest of the live updates, in app/events."""
