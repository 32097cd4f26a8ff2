"""Who may watch and start scheduled jobs: the principal's admin runs them, auditors read
the record."""
from portal.core.access import rule

rule("jobs.view", "admin", "auditor")
rule("jobs.run", "admin")
