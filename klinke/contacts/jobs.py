from klinke.core.jobs import Job

JOBS = (
    Job(
        "forget unconfirmed contact imports", 3600, "klinke.contacts.actions.delete_expired_imports"
    ),
)
