"""SLA: the business-hours clock, pauses, the three triggers, breaches and their explanation."""
