"""Work that happens without anyone pressing a button (automation.md): due work lives in the
database, is claimed with a lease, and each effect commits with the record that it happened."""
