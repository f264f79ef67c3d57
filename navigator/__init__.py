"""The certificate navigator: catalog, certificates, enrollment and the money ledger."""
