from klinke.core.jobs import Job

JOBS = (
    Job("expire introductions", 600, "klinke.exchange.actions.do_expire_introductions"),
    Job("notify expired needs and offers", 3600, "klinke.exchange.actions.do_notify_expired_items"),
)
