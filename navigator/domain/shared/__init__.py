"""What every concept stands on: the database and its one transaction helper, errors,
money, dates, validation, the audit log, the catalog outbox, mail and file exports."""
