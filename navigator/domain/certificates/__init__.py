"""Certificates: issued per child, funded per period, and the ledger that moves their money."""
