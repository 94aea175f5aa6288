"""Two people saving at the same moment both succeed (issue 11, item 11). On SQLite a transaction
that reads and then writes used to fail with "database is locked" when another did the same: both
held read locks, neither could upgrade, and SQLite refuses to wait in that deadlock. Transactions
now take the write lock when they begin (transaction_mode IMMEDIATE) and wait up to 20 s for it.
The same test runs on PostgreSQL in CI, where it passes by row locking."""

import threading

import pytest
from django.db import connection, transaction

from portal.models import Organisation
from tests.factories import OrganisationFactory


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_read_then_write_transactions_both_succeed():
    OrganisationFactory(name="已有单位有限公司")
    connection.close()
    barrier = threading.Barrier(2)
    errors, done = [], []

    def save(name):
        from django.db import connections

        try:
            with transaction.atomic():
                seen = Organisation.objects.count()  # a read first, as every save form does
                try:
                    # Both hold their read before either writes. With IMMEDIATE the second waits
                    # at BEGIN instead, so the barrier gives up after a moment and it goes on.
                    barrier.wait(timeout=1)
                except threading.BrokenBarrierError:
                    pass
                OrganisationFactory(name=name)
                done.append((name, seen))
        except Exception as error:  # collected: an assertion in a thread would go unseen
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=save, args=(f"同时保存的单位{i}",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(done) == 2
    assert Organisation.objects.filter(name__startswith="同时保存的单位").count() == 2
