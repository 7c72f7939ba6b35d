"""v1: `/api/...`, the success envelope, HostBill's field shapes."""
