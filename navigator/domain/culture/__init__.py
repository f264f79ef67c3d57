"""The culture pass for schools: years, wallets, coordinators, rosters, services, bookings."""
