"""Setting the organisation up: staff, clients and their services, departments, statuses, SLA
policies, macros and keys. One service layer under the admin routes and the CLI."""
