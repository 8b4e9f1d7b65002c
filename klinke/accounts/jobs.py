from klinke.core.jobs import Job

JOBS = (
    Job("build personal data exports", 30, "klinke.accounts.export.do_build_personal_exports"),
    Job(
        "forget expired personal exports", 3600, "klinke.accounts.export.do_forget_expired_exports"
    ),
)
