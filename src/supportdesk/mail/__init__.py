"""Mail (automation.md): what a change tells the client and staff, kept in an outbox written
in the change's transaction and sent over SMTP by a job, at least once, each with one
`Message-ID`."""
