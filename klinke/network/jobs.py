from klinke.core.jobs import Job

JOBS = (
    # Off until KLINKE_MURMURATIONS_INDEX_URL is set; the index re-reads profiles on each post.
    Job(
        "register Murmurations profiles",
        86400,
        "klinke.network.murmurations.registration.register_job",
    ),
)
