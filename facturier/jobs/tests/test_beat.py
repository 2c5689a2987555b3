"""Issue #19 item 4: each periodic task lives beside its service, and the one beat schedule names them there."""

from config.celery import app


def test_every_task_of_the_one_beat_schedule_is_a_registered_task():
    app.loader.import_default_modules()
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}

    assert scheduled - set(app.tasks) == set()


def test_the_rendering_sweepers_and_the_purge_are_scheduled_beside_their_services(settings):
    app.loader.import_default_modules()
    entries = app.conf.beat_schedule
    names = ("render-missing-documents", "render-missing-fee-invoices", "purge-expired-sellers")

    assert {name: entries[name]["task"] for name in names} == {
        "render-missing-documents": "facturier.invoicing.tasks.render_missing_task",
        "render-missing-fee-invoices": "facturier.billing.tasks.render_missing_fee_invoices_task",
        "purge-expired-sellers": "facturier.billing.tasks.purge_expired_task",
    }
    sweep_every = float(settings.FACTURIER_RENDER_SWEEP_EVERY)
    assert [entries[name]["schedule"] for name in names[:2]] == [sweep_every, sweep_every]
